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
from collections.abc import Callable
from dataclasses import dataclass, replace
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
    """One private answer, ready to send.

    The confirmation of a filing whose tracking message is not posted yet names the
    channel; if that message goes out in the same delivery round, `relink` composes the
    confirmation again with its link (`item_id` says which item's link it wants).
    """

    user: str
    message: Message
    handle: str | None
    chat: str | None
    item_id: int | None = None
    relink: Callable[[str], Message] | None = None

    def linked(self, permalink: str | None) -> Answer:
        """This answer with the tracking message's link, if it wants one and there is one."""
        if self.relink is None or not permalink:
            return self
        return replace(self, message=self.relink(permalink), relink=None)


def plan_answer(uow: UnitOfWork, row: OutboxMessage, *, now: datetime, lookup: Lookup) -> Answer:
    """The answer a row holds, with the way it can still go as of `now`."""
    payload: dict[str, Any] = row.payload
    reply: dict[str, Any] = payload.get("reply") or {}
    handle, chat = reply.get("handle"), reply.get("chat")
    expires = reply.get("expires_at")
    if handle and expires and now >= datetime.fromisoformat(expires):
        handle, chat = None, None  # too late for the handle: a direct message instead
    message = Message.model_validate(payload["message"])
    assert row.user_id
    answer = Answer(user=row.user_id, message=message, handle=handle, chat=chat)
    filed = payload.get("filed")
    if isinstance(filed, dict):
        answer = _filed(uow, row, filed, lookup, answer)
    return answer


def _filed(
    uow: UnitOfWork, row: OutboxMessage, filed: dict[str, Any], lookup: Lookup, answer: Answer
) -> Answer:
    item = uow.items.by_id(int(filed["item_id"]))
    if item is None:
        return answer
    view = lookup.item_view(uow, item)

    def with_link(link: str) -> Message:
        return compose.filed_reply(
            view,
            locale=str(filed["locale"]),
            now=row.created_at,
            tz=str(filed["tz"]),
            link=link,
            style=CommandStyle(filed.get("style") or CommandStyle.SLASH.value),
        )

    if item.permalink:
        return replace(answer, message=with_link(item.permalink))
    # Not posted (yet): the answer names the channel, unless the post goes just before it.
    return replace(answer, item_id=item.id, relink=with_link)


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
