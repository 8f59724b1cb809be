"""What every listener and every inbox handler shares: the core, the inbox, telling people.

A listener checks its payload (handlers.slack.payloads), stores it in the
inbox under the request's idempotency key (`Deps.store`) and acknowledges.
A handler runs later in any worker: it rebuilds the person's context as of
the request and runs the use case inside `finish()`, queueing the person's
answer there too (`Deps.answer`), so the answer is as durable as the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot import compose
from bot.bootstrap import App
from bot.context import Context
from bot.core import Core
from bot.i18n import t
from bot.lookup import normalize_locale
from bot.messages import Message
from bot.views import ItemView
from handlers.runtime.answers import IN_REQUEST as IN_REQUEST
from handlers.runtime.answers import finishing, queue_answer
from handlers.runtime.inbox import Inbox, Task, wall_clock
from handlers.slack import texts as _texts  # noqa: F401 - registers the adapter's words
from handlers.slack.clients import SlackClients
from handlers.slack.payloads import Interaction, Payload
from handlers.slack.resolver import PLATFORM, Resolver
from handlers.slack.tenancy import Tenancy
from storage.db import UnitOfWork

log = logging.getLogger(__name__)

# Slack accepts answers through a response_url for 30 minutes; later ones go by DM.
RESPONSE_URL_LIFETIME = timedelta(minutes=25)


class StoreUnavailable(Exception):
    """The inbox could not store a request: it must not be acknowledged (Slack retries)."""


@dataclass
class Deps:
    """The adapter's collaborators, handed to each listener module's `register` and handlers."""

    app: App
    resolver: Resolver
    clients: SlackClients
    # Which teams are served; stops a team that removes the app.
    tenancy: Tenancy
    inbox: Inbox
    # Wakes the inbox workers after a row is stored (in this process or another).
    ring: Callable[[], None]

    def client(self, team: str) -> WebClient:
        """The Web API client of a team, with that team's own token."""
        return self.clients.client(team)

    @property
    def core(self) -> Core:
        """The platform-neutral core."""
        return self.app.core

    def store(
        self, *, kind: str, key: str, team: str, payload: Payload, claim: bool = False
    ) -> Task | None:
        """Store a request before it is acknowledged; None if it was stored before.

        `claim`: the request does its work itself (a modal opened within the trigger's
        3 seconds) and gets the row back to finish.
        """
        try:
            task = self.inbox.put(
                platform=PLATFORM,
                workspace=team,
                key=key,
                kind=kind,
                payload=payload.model_dump(mode="json"),
                now=wall_clock(),
                claim=claim,
            )
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"could not store {key}: {exc}") from exc
        if task is not None and not claim:
            self.ring()
        return task

    def store_interaction(
        self, kind: str, interaction: Interaction, *, claim: bool = False
    ) -> Task | None:
        """`store` for a click, a shortcut or a form: keyed by its trigger."""
        return self.store(
            kind=kind,
            key=f"interaction:{interaction.trigger_id}",
            team=interaction.team_id,
            payload=interaction,
            claim=claim,
        )

    def close(
        self,
        task: Task,
        ctx: Context | None = None,
        message: Message | None = None,
        *,
        response_url: str | None = None,
        chat: str | None = None,
    ) -> None:
        """Finish a row this request holds, with a private answer when there is one."""
        with self.finishing(task):
            if ctx is not None and message is not None:
                self.answer(task, ctx, message, response_url=response_url, chat=chat)

    def finishing(self, task: Task) -> AbstractContextManager[UnitOfWork]:
        """Finish a row inside the request that holds it; a worker sends what it queued."""
        return finishing(self.inbox, task, self.ring)

    def context(self, task: Task, *, team: str, user: str, channel: str | None) -> Context:
        """The person's frame as of the request (not as of the worker picking it up)."""
        ctx = self.resolver.context(team_id=team, user_id=user, channel_id=channel)
        return ctx.at(task.received_at)

    def answer(
        self,
        task: Task,
        ctx: Context,
        message: Message,
        *,
        response_url: str | None = None,
        chat: str | None = None,
        filed: ItemView | None = None,
        name: str = "reply",
    ) -> None:
        """Queue a private answer to the person, in the transaction that finishes `task`.

        It goes through `response_url` for 25 minutes after the request, else to
        the person alone in `chat`, else by direct message.
        """
        queue_answer(
            self.app,
            task,
            ctx,
            message,
            handle=response_url,
            handle_expires_at=task.received_at + RESPONSE_URL_LIFETIME,
            chat=chat,
            filed=filed,
            name=name,
        )

    def locale(self, ctx: Context | None) -> str:
        """The person's language from what Slack said, without touching the database."""
        default = self.app.settings.xdept_locale
        return normalize_locale(ctx.actor.locale if ctx else None, default)

    def failure(self, ctx: Context | None, what_key: str) -> Message:
        """The message for a person whose request failed on our side."""
        locale = self.locale(ctx)
        return compose.error_reply(t(locale, "slack.failed", what=t(locale, what_key)))
