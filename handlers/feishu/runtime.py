"""What the Feishu intake and every Feishu inbox handler share: the core, the inbox,
the Open API, and telling people.

The intake stores each event as an inbox row (the decrypted envelope, under
the event's idempotency key) before it is acknowledged; a handler runs later
in any worker, reads the envelope back, rebuilds the person's context as of
the event, and runs the use case inside `finish()`, queueing the person's
answer there too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot import compose
from bot.bootstrap import App
from bot.context import Actor, CommandStyle, Context
from bot.core import Core
from bot.i18n import t
from bot.messages import Message
from bot.views import ItemView
from handlers.feishu import cards
from handlers.feishu import inbound_texts as _texts  # noqa: F401 - registers the words
from handlers.feishu.api import FeishuApi
from handlers.feishu.directory import FeishuDirectory
from handlers.feishu.events import FeishuEvent, ReactionKeys, parse
from handlers.feishu.messenger import uuid_for
from handlers.feishu.resolver import PLATFORM, FeishuResolver, OwnTenant
from handlers.feishu.verify import Envelope
from handlers.runtime.answers import finishing, queue_answer
from handlers.runtime.inbox import Inbox, Task, wall_clock
from storage.db import UnitOfWork

log = logging.getLogger(__name__)


# How long to act without the bot's own id after Feishu would not give it.
BOT_RETRY = 60.0


class StoreUnavailable(Exception):
    """The inbox could not store an event: it must not be acknowledged (Feishu resends)."""


def envelope_row(envelope: Envelope) -> dict[str, Any]:
    """An envelope as an inbox row's payload (without the verification token it carried)."""
    payload = dict(envelope.payload)
    header = payload.get("header")
    if isinstance(header, dict) and "token" in header:
        payload["header"] = {k: v for k, v in header.items() if k != "token"}
    return {
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "tenant_key": envelope.tenant_key,
        "app_id": envelope.app_id,
        "create_time": envelope.create_time,
        "payload": payload,
    }


def envelope_of_row(task: Task) -> Envelope:
    """The envelope an inbox row holds."""
    return Envelope(**task.payload)


@dataclass
class FeishuDeps:
    """The adapter's collaborators, handed to the intake and to every handler."""

    app: App
    api: FeishuApi
    directory: FeishuDirectory
    resolver: FeishuResolver
    tenant: OwnTenant
    inbox: Inbox
    reactions: ReactionKeys
    # Wakes the inbox workers after a row is stored (in this process or another).
    ring: Callable[[], None]
    _bot_retry_at: float = field(default=0.0, repr=False)

    @property
    def core(self) -> Core:
        """The platform-neutral core."""
        return self.app.core

    def bot_open_id(self) -> str | None:
        """The bot's own open_id (to tell its mention apart), or None while Feishu won't say.

        After a failure it is not asked again for a while: every message would wait on it.
        """
        if time.monotonic() < self._bot_retry_at:
            return None
        try:
            return self.directory.bot_open_id() or None
        except Exception as exc:  # noqa: BLE001 - any failure only means "not known yet"
            log.warning("could not ask Feishu for the bot's open_id: %s", exc)
            self._bot_retry_at = time.monotonic() + BOT_RETRY
            return None

    def parse(self, envelope: Envelope, *, bot: str | None = None) -> FeishuEvent | None:
        """The event as a plain value (None for what the bot ignores)."""
        return parse(envelope, bot_open_id=bot, reactions=self.reactions)

    def event_of(self, task: Task) -> FeishuEvent | None:
        """The event a row holds, parsed knowing the bot's own open_id."""
        return self.parse(envelope_of_row(task), bot=self.bot_open_id())

    def store(self, *, kind: str, key: str, envelope: Envelope, claim: bool = False) -> Task | None:
        """Store an event before it is acknowledged; None if it was stored before."""
        try:
            task = self.inbox.put(
                platform=PLATFORM,
                workspace=envelope.tenant_key,
                key=key[:200],
                kind=kind,
                payload=envelope_row(envelope),
                now=wall_clock(),
                claim=claim,
            )
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"could not store {key}: {exc}") from exc
        if task is not None and not claim:
            self.ring()
        return task

    def context(self, task: Task, *, user: str, chat: str | None) -> Context:
        """The person's frame as of the event (not as of the worker picking it up)."""
        ctx = self.resolver.context(tenant=task.workspace, user=user, chat=chat)
        return ctx.at(task.received_at)

    def bare_context(self, task: Task, *, user: str, chat: str | None) -> Context:
        """A context without asking Feishu anything (it may be Feishu that keeps failing)."""
        return Context(
            platform=PLATFORM,
            workspace=task.workspace,
            actor=Actor(user_id=user, locale=self.resolver.locale),
            now=task.received_at,
            channel_id=chat,
            command_style=CommandStyle.MENTION,
        )

    def finishing(self, task: Task) -> AbstractContextManager[UnitOfWork]:
        """Finish a row inside the request that holds it; a worker sends what it queued."""
        return finishing(self.inbox, task, self.ring)

    def answer(
        self,
        task: Task,
        ctx: Context,
        message: Message,
        *,
        chat: str | None = None,
        filed: ItemView | None = None,
        name: str = "reply",
    ) -> None:
        """Queue a private answer: an ephemeral card in a normal group `chat`, else a DM.

        Give no `chat` for a thread, a direct chat, or anywhere a card for everyone
        would be wrong: the answer then goes by direct message.
        """
        queue_answer(self.app, task, ctx, message, chat=chat, filed=filed, name=name)

    def send_card(self, *, user: str, card: dict[str, Any], key: str) -> dict[str, Any]:
        """Send a card (a form, "My items") to a person's chat with the bot; the new message.

        `key` becomes Feishu's uuid, so a worker that retries sends nothing new.
        """
        return self.api.send(
            receive_id_type="open_id",
            receive_id=user,
            msg_type="interactive",
            content=cards.content(card),
            uuid=uuid_for(key),
        )

    def failure(self, what_key: str) -> Message:
        """The message for a person whose request failed on our side (in Feishu's language)."""
        locale = self.resolver.locale
        return compose.error_reply(t(locale, "feishu.failed", what=t(locale, what_key)))
