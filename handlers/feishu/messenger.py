"""FeishuMessenger: the Messenger port over Feishu's Open API.

Every message is a card (JSON 2.0, shared so it can be edited). Posting into
a thread replies to the thread's first message with ``reply_in_thread``. A
card older than Feishu's 14-day edit window cannot be edited: `update` then
posts a fresh card, leaves a note under the old one, and returns where the
message lives now, so the caller can record it. Private replies are
ephemeral cards where the chat allows them (normal groups) and direct
messages elsewhere. An idempotency key becomes Feishu's ``uuid``, which
Feishu honours for about an hour.

Given a `Pacer` (handlers.feishu.pacing), every send waits for a slot within
Feishu's limits first, and a rate-limit answer keeps the app (or the chat)
quiet until Feishu's reset before the error goes back to the caller to retry.
Without one, the caller keeps the pace (delivery's `chat_interval`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath
from typing import TypeVar

from bot.i18n import t
from bot.messages import Message, MessageKind, Section, TextSpan
from bot.ports import DeliveryCode, DeliveryError, MessageRef
from handlers.feishu import cards, texts  # noqa: F401 - texts registers the hints
from handlers.feishu.api import FeishuApi
from handlers.feishu.codes import EDIT_WINDOW_PASSED, FeishuError
from handlers.feishu.directory import FeishuDirectory
from handlers.feishu.markdown import applink_chat
from handlers.feishu.pacing import Pacer

log = logging.getLogger(__name__)

_T = TypeVar("_T")
# The per-chat rate limit; any other rate limit is the app's.
_CHAT_RATE_LIMIT = 230020

UUID_MAX = 50
_IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tiff", ".ico", ".heic"}
_FILE_TYPES = {
    ".pdf": "pdf",
    ".doc": "doc",
    ".docx": "doc",
    ".xls": "xls",
    ".xlsx": "xls",
    ".ppt": "ppt",
    ".pptx": "ppt",
    ".mp4": "mp4",
    ".opus": "opus",
}
# Failures after which a direct message is worth trying instead of an ephemeral card.
_RETRY_AS_DM = {DeliveryCode.REJECTED, DeliveryCode.NOT_IN_CHAT, DeliveryCode.GONE}


def uuid_for(key: str) -> str:
    """Feishu's `uuid` (at most 50 characters) for an outbox dedupe key of any length."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def file_kind(filename: str) -> tuple[str, str]:
    """("image", "") for pictures, else ("file", Feishu's file_type)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in _IMAGES:
        return "image", ""
    return "file", _FILE_TYPES.get(suffix, "stream")


class FeishuMessenger:
    """Posts, edits, direct messages, ephemeral cards and files through Feishu."""

    # Feishu allows 5 messages a second per group, shared by every bot in it.
    chat_interval = 0.5

    def __init__(
        self,
        api: FeishuApi,
        *,
        directory: FeishuDirectory | None = None,
        locale: str = "zh",
        lark: bool = False,
        pacer: Pacer | None = None,
        reactions: cards.Reactions | None = None,
    ) -> None:
        self.api = api
        self.directory = directory or FeishuDirectory(api)
        self.locale = locale
        self.lark = lark
        self.pacer = pacer
        # The reaction keys the bot reads, named where a text asks for a reaction.
        self.reactions = reactions

    def _card(self, message: Message) -> cards.JSON:
        return cards.render(message, reactions=self.reactions)

    def _paced(self, key: str, call: Callable[[], _T], *, counted: bool = True) -> _T:
        """Run one call about `key` within Feishu's limits; a rate limit holds the pacer."""
        if self.pacer is None:
            return call()
        self.pacer.wait(key, counted=counted)
        try:
            return call()
        except FeishuError as exc:
            if exc.code is DeliveryCode.RATE_LIMITED and exc.retry_after is not None:
                chat = key if exc.feishu_code == _CHAT_RATE_LIMIT else None
                self.pacer.hold(exc.retry_after, chat)
            raise

    def _send(
        self, *, chat: str, content: str, msg_type: str, thread_id: str | None, key: str | None
    ) -> MessageRef:
        uuid = uuid_for(key) if key else None
        if thread_id:
            data = self._paced(
                f"chat:{chat}",
                lambda: self.api.reply(
                    message_id=thread_id,
                    msg_type=msg_type,
                    content=content,
                    in_thread=True,
                    uuid=uuid,
                ),
            )
        else:
            data = self._paced(
                f"chat:{chat}",
                lambda: self.api.send(
                    receive_id_type="chat_id",
                    receive_id=chat,
                    msg_type=msg_type,
                    content=content,
                    uuid=uuid,
                ),
            )
        return MessageRef(
            chat=str(data.get("chat_id") or chat),
            message_id=str(data["message_id"]),
            thread_id=data.get("thread_id") or None,
        )

    def post(
        self,
        *,
        chat: str,
        message: Message,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MessageRef:
        """Post a card to a chat, or into the thread of the message `thread_id`."""
        content = cards.content(self._card(message))
        return self._send(
            chat=chat,
            content=content,
            msg_type="interactive",
            thread_id=thread_id,
            key=idempotency_key,
        )

    def update(self, *, ref: MessageRef, message: Message) -> MessageRef | None:
        """Edit a card in place; past Feishu's edit window, post it anew.

        Returns None when the card was edited, or the new card's reference when it
        had to be posted again (the caller records it; later edits go there).
        """
        content = cards.content(self._card(message))
        try:
            # Edits count per message (5 a second), not towards the app's message limits.
            self._paced(
                f"message:{ref.message_id}",
                lambda: self.api.patch(message_id=ref.message_id, content=content),
                counted=False,
            )
            return None
        except FeishuError as exc:
            if exc.feishu_code != EDIT_WINDOW_PASSED:
                raise
        log.info("%s is past Feishu's edit window; posting it again", ref.message_id)
        moved = self._send(
            chat=ref.chat, content=content, msg_type="interactive", thread_id=None, key=None
        )
        self._leave_note(ref)
        return moved

    def _leave_note(self, ref: MessageRef) -> None:
        note = Message(
            kind=MessageKind.NOTE,
            sections=[Section(body=[TextSpan(text=t(self.locale, "feishu.moved"))])],
        )
        try:
            self._send(
                chat=ref.chat,
                content=cards.content(self._card(note)),
                msg_type="interactive",
                thread_id=ref.message_id,
                key=None,
            )
        except FeishuError as exc:
            # The new card is what matters; the note only helps readers of the old thread.
            log.warning("no note under the old card %s: %s", ref.message_id, exc)

    def dm(self, *, user: str, message: Message, idempotency_key: str | None = None) -> MessageRef:
        """Send a card to a person's direct chat with the bot."""
        content = cards.content(self._card(message))
        uuid = uuid_for(idempotency_key) if idempotency_key else None
        data = self._paced(
            f"user:{user}",
            lambda: self.api.send(
                receive_id_type="open_id",
                receive_id=user,
                msg_type="interactive",
                content=content,
                uuid=uuid,
            ),
        )
        return MessageRef(chat=str(data.get("chat_id") or ""), message_id=str(data["message_id"]))

    def find_sent(
        self,
        *,
        key: str,
        since: datetime,
        chat: str | None = None,
        user: str | None = None,
        thread_id: str | None = None,
    ) -> MessageRef | None:
        """Always None: Feishu keeps no metadata to search messages by. It needs none: a
        message sent again with the same key carries the same `uuid`, which Feishu dedupes
        for about an hour, and delivery sends again after a stale claim (10 minutes), well
        inside that hour. Past the hour (a row retried much later) it could repeat."""
        return None

    def ephemeral(
        self, *, chat: str, user: str, message: Message, thread_id: str | None = None
    ) -> None:
        """Show a card to one person: ephemeral in a normal group, else a direct message."""
        if thread_id is None and self._allows_ephemeral(chat):
            try:
                card = self._card(message)
                # Seen by one person, it is paced as a message to them, not to the group.
                self._paced(
                    f"user:{user}",
                    lambda: self.api.send_ephemeral(chat_id=chat, open_id=user, card=card),
                )
                return
            except FeishuError as exc:
                if exc.code not in _RETRY_AS_DM:
                    raise
                log.info("no ephemeral card in %s (%s); sending a direct message", chat, exc)
        self.dm(user=user, message=message)

    def answer(self, *, handle: str, message: Message) -> None:
        """Feishu gives a request no reply address to answer through later: the outbox
        answers in the chat or by direct message instead (scheduler.answers)."""
        raise DeliveryError(DeliveryCode.GONE, "Feishu requests carry no reply handle")

    def _allows_ephemeral(self, chat: str) -> bool:
        try:
            return self.directory.chat(chat).allows_ephemeral
        except FeishuError as exc:
            if exc.code not in _RETRY_AS_DM:
                raise
            return False

    def upload(
        self,
        *,
        chat: str,
        filename: str,
        content: bytes,
        title: str,
        comment: str | None = None,
        thread_id: str | None = None,
    ) -> None:
        """Share a picture (an image message) or a file (a file message) in a chat.

        Feishu shows no title on either: the comment, when given, goes first as a card.
        """
        if comment:
            note = Message(kind=MessageKind.NOTE, sections=[Section(body=[TextSpan(text=comment)])])
            self.post(chat=chat, message=note, thread_id=thread_id)
        kind, file_type = file_kind(filename)
        if kind == "image":
            body = {"image_key": self.api.upload_image(content)}
        else:
            key = self.api.upload_file(name=filename, file_type=file_type, data=content)
            body = {"file_key": key}
        self._send(
            chat=chat, content=json.dumps(body), msg_type=kind, thread_id=thread_id, key=None
        )

    def update_after_click(self, *, token: str, message: Message) -> None:
        """Replace the clicked card later than the 3-second answer (within 30 minutes)."""
        self.api.update_card(token=token, card=self._card(message))

    def permalink(self, *, ref: MessageRef) -> str | None:
        """A link that opens the message's chat (Feishu has no link to one message)."""
        return applink_chat(ref.chat, lark=self.lark)
