"""What every listener shares: the core, the resolver, background work, and telling people.

Listeners acknowledge Slack first and hand the slow part (Web API calls,
delivery) to `Deps.background` as a job; a job that fails logs what it was
doing and tells the person something useful.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot import compose
from bot.bootstrap import App
from bot.context import Context
from bot.core import Core
from bot.i18n import t
from bot.lookup import normalize_locale
from bot.messages import Message
from bot.ports import DeliveryError
from handlers.slack import texts as _texts  # noqa: F401 - registers the adapter's words
from handlers.slack.blocks import render
from handlers.slack.dedupe import first_time, request_key
from handlers.slack.jobs import Job, JobSink
from handlers.slack.messenger import API_TIMEOUT, retry_handlers
from handlers.slack.resolver import Resolver

log = logging.getLogger(__name__)


@dataclass
class Deps:
    """The adapter's collaborators, handed to each listener module's `register` and to jobs."""

    app: App
    resolver: Resolver
    client: WebClient
    jobs: JobSink

    @property
    def core(self) -> Core:
        """The platform-neutral core."""
        return self.app.core

    def background(
        self, what: str, fn: Callable[..., None], *args: Any, request: dict[str, Any] | None = None
    ) -> None:
        """Run `fn(deps, *args)` after the acknowledgement, once per Slack `request`.

        `fn` is a module-level function and `args` plain values, so the job can run
        in another process.
        """
        key = request_key(request) if request is not None else None
        self.jobs.submit(Job(what, fn, args, key), self)

    def first_time(self, request: dict[str, Any]) -> bool:
        """For work done before the acknowledgement: False if this request was handled."""
        key = request_key(request)
        return key is None or first_time(self.app.store, key)

    def tell_privately(self, channel: str, user: str, message: Message) -> None:
        """An ephemeral message to one person in a channel; a failure is logged."""
        try:
            self.app.messenger.ephemeral(chat=channel, user=user, message=message)
        except DeliveryError as exc:
            log.warning("could not show %s a message in %s: %s", user, channel, exc.reason)

    def locale(self, ctx: Context | None) -> str:
        """The person's language from what Slack said, without touching the database."""
        default = self.app.settings.xdept_locale
        return normalize_locale(ctx.actor.locale if ctx else None, default)

    def failure(self, ctx: Context | None, what_key: str) -> Message:
        """The message for a person whose request failed on our side."""
        locale = self.locale(ctx)
        return compose.error_reply(t(locale, "slack.failed", what=t(locale, what_key)))


def team_of(body: dict[str, Any]) -> str:
    """The workspace (team id) of any Slack payload."""
    team = body.get("team")
    user = body.get("user")
    return str(
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else None)
        or (user.get("team_id") if isinstance(user, dict) else None)
        or ""
    )


def user_of(body: dict[str, Any]) -> str:
    """The acting person of an interaction or command."""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or "")


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel an interaction happened in, if any."""
    channel = body.get("channel")
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    container = body.get("container")
    if isinstance(container, dict) and container.get("channel_id"):
        return str(container["channel_id"])
    return str(body["channel_id"]) if body.get("channel_id") else None


def reply_via(response_url: str | None, message: Message, *, what: str) -> bool:
    """Answer through a request's response_url, visible to that person only; False if lost."""
    if not response_url:
        log.error("no response_url to answer %s", what)
        return False
    rendered = render(message)
    payload = {
        "text": rendered.text,
        "blocks": rendered.blocks,
        "response_type": "ephemeral",
        "replace_original": False,
    }
    webhook = WebhookClient(url=response_url, timeout=API_TIMEOUT, retry_handlers=retry_handlers())
    try:
        response = webhook.send_dict(payload)
    except Exception:  # network trouble after the retries: the work is done, the answer lost
        log.exception("could not answer %s through response_url", what)
        return False
    if response.status_code != 200:
        log.error(
            "response_url refused the answer to %s: %s %s",
            what,
            response.status_code,
            response.body,
        )
        return False
    return True
