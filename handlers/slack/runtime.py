"""What every listener shares: the core, the resolver, background work, and telling people.

Listeners acknowledge Slack first and hand the slow part (Web API calls,
delivery) to `Deps.background`, a small thread pool; a failure there is
logged with its context and the person is told something useful.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_sdk.webhook import WebhookClient

from bot.bootstrap import App
from bot.context import Context
from bot.core import Core
from bot.i18n import t
from bot.lookup import normalize_locale
from bot.messages import Message
from handlers.slack import texts as _texts  # noqa: F401 - registers the adapter's words
from handlers.slack.blocks import render
from handlers.slack.messenger import API_TIMEOUT, retry_handlers
from handlers.slack.resolver import Resolver

log = logging.getLogger(__name__)


@dataclass
class Deps:
    """The adapter's collaborators, handed to each listener module's `register`."""

    app: App
    resolver: Resolver
    executor: Executor

    @property
    def core(self) -> Core:
        """The platform-neutral core."""
        return self.app.core

    def background(
        self, what: str, work: Callable[[], None], *, on_error: Callable[[], None] | None = None
    ) -> None:
        """Run `work` after the acknowledgement; a failure is logged, then `on_error` runs."""

        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("background work failed: %s", what)
                if on_error is not None:
                    try:
                        on_error()
                    except Exception:  # telling the person failed too; the log has both
                        log.exception("could not report the failure of %s", what)

        self.executor.submit(run)

    def tell_privately(self, channel: str, user: str, message: Message) -> None:
        """An ephemeral message to one person in a channel."""
        self.app.messenger.ephemeral(channel=channel, user=user, message=message)

    def locale(self, ctx: Context | None) -> str:
        """The person's language from what Slack said, without touching the database."""
        default = self.app.settings.xdept_locale
        return normalize_locale(ctx.actor.locale if ctx else None, default)

    def failure(self, ctx: Context | None, what_key: str) -> Message:
        """The message for a person whose request failed on our side."""
        from bot import compose

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
