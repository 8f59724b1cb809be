"""Delivering private answers (outbox action `answer`): what a person's own request gets back.

An answer is queued in the same transaction as the use case it answers, so it
is as durable as the change. When it goes, it takes the first way that still
works: the request's reply handle while it lives (it expires a while after
the request; past that the answer goes by direct message), else the chat the
request came from, shown to that person only, else a direct message. The
confirmation of a filing is composed again when it goes, so it links the
tracking message posted just before it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import compose
from bot.context import CommandStyle
from bot.lookup import Lookup
from bot.messages import Message
from bot.ports import DeliveryCode, DeliveryError, Messenger
from storage.db import UnitOfWork
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

# Where the person is not reachable in the chat: a direct message still is.
_TRY_DM = frozenset({DeliveryCode.NOT_IN_CHAT, DeliveryCode.GONE})


@dataclass(frozen=True)
class Answer:
    """One private answer, ready to send."""

    user: str
    message: Message
    handle: str | None
    chat: str | None


def plan_answer(uow: UnitOfWork, row: OutboxMessage, *, now: datetime, lookup: Lookup) -> Answer:
    """The answer a row holds, with the way it can still go as of `now`."""
    payload: dict[str, Any] = row.payload
    reply: dict[str, Any] = payload.get("reply") or {}
    handle, chat = reply.get("handle"), reply.get("chat")
    expires = reply.get("expires_at")
    if handle and expires and now >= datetime.fromisoformat(expires):
        handle, chat = None, None  # too late for the handle: a direct message instead
    message = Message.model_validate(payload["message"])
    filed = payload.get("filed")
    if isinstance(filed, dict):
        message = _filed_with_link(uow, row, filed, lookup) or message
    assert row.user_id
    return Answer(user=row.user_id, message=message, handle=handle, chat=chat)


def _filed_with_link(
    uow: UnitOfWork, row: OutboxMessage, filed: dict[str, Any], lookup: Lookup
) -> Message | None:
    item = uow.items.by_id(int(filed["item_id"]))
    if item is None or not item.permalink:
        return None  # not posted (yet): the answer names the channel instead
    view = lookup.item_view(uow, item)
    return compose.filed_reply(
        view,
        locale=str(filed["locale"]),
        now=row.created_at,
        tz=str(filed["tz"]),
        link=item.permalink,
        style=CommandStyle(filed.get("style") or CommandStyle.SLASH.value),
    )


def send_answer(messenger: Messenger, answer: Answer) -> None:
    """Send it the first way that works; a failure of the last way is the row's failure."""
    if answer.handle:
        try:
            messenger.answer(handle=answer.handle, message=answer.message)
            return
        except DeliveryError as exc:
            if exc.code is not DeliveryCode.GONE:
                raise
            log.info("reply handle gone (%s); answering %s directly", exc.reason, answer.user)
    elif answer.chat:
        try:
            messenger.ephemeral(chat=answer.chat, user=answer.user, message=answer.message)
            return
        except DeliveryError as exc:
            if exc.code not in _TRY_DM:
                raise
            log.info("cannot answer %s in %s (%s): by DM", answer.user, answer.chat, exc.reason)
    messenger.dm(user=answer.user, message=answer.message)
