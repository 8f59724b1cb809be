"""A Messenger that records every message and prints the conversation (demo, tests)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.messages import Message
from bot.ports import DeliveryCode, DeliveryError, MessageRef


@dataclass
class Sent:
    """One recorded call."""

    action: str  # post | update | dm | ephemeral | answer | upload
    chat: str
    message: Message | None
    message_id: str | None = None
    thread_id: str | None = None
    user: str | None = None
    filename: str | None = None
    content: bytes | None = None
    key: str | None = None  # the idempotency key it was sent with


@dataclass
class RecordingMessenger:
    """Records what the bot says; `on_send` lets the demo print it as it happens."""

    on_send: Callable[[Sent], None] | None = None
    # No pace to keep: nothing is sent anywhere.
    chat_interval: float = 0.0
    sent: list[Sent] = field(default_factory=list)
    # Chats that answer like a chat the bot was removed from.
    broken_chats: set[str] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, sent: Sent) -> None:
        with self._lock:
            self.sent.append(sent)
        if self.on_send is not None:
            self.on_send(sent)

    def _id(self) -> str:
        return f"1700000000.{next(self._ids):06d}"

    def post(
        self,
        *,
        chat: str,
        message: Message,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MessageRef:
        """Record a post."""
        if chat in self.broken_chats:
            raise DeliveryError(DeliveryCode.NOT_IN_CHAT, chat)
        message_id = self._id()
        sent = Sent("post", chat, message, message_id=message_id, thread_id=thread_id)
        sent.key = idempotency_key
        self._record(sent)
        return MessageRef(chat=chat, message_id=message_id)

    def update(self, *, ref: MessageRef, message: Message) -> None:
        """Record an edit."""
        self._record(Sent("update", ref.chat, message, message_id=ref.message_id))

    def dm(self, *, user: str, message: Message, idempotency_key: str | None = None) -> MessageRef:
        """Record a direct message."""
        message_id = self._id()
        sent = Sent("dm", f"D-{user}", message, message_id=message_id, user=user)
        sent.key = idempotency_key
        self._record(sent)
        return MessageRef(chat=f"D-{user}", message_id=message_id)

    def find_sent(
        self,
        *,
        key: str,
        since: datetime,
        chat: str | None = None,
        user: str | None = None,
        thread_id: str | None = None,
    ) -> MessageRef | None:
        """The recorded post or direct message with that key (everything is kept, so
        `since` narrows nothing)."""
        where = chat if chat is not None else f"D-{user}"
        with self._lock:
            for sent in self.sent:
                if sent.key == key and sent.chat == where and sent.thread_id == thread_id:
                    assert sent.message_id is not None
                    return MessageRef(chat=sent.chat, message_id=sent.message_id)
        return None

    def ephemeral(self, *, chat: str, user: str, message: Message) -> None:
        """Record a message only one person sees."""
        self._record(Sent("ephemeral", chat, message, user=user))

    def answer(self, *, handle: str, message: Message) -> None:
        """Record a private answer through a request's reply handle (kept in `chat`)."""
        self._record(Sent("answer", handle, message))

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
        """Record a file."""
        self._record(
            Sent("upload", chat, None, thread_id=thread_id, filename=filename, content=content)
        )

    def permalink(self, *, ref: MessageRef) -> str | None:
        """A stable fake link."""
        return f"https://chat.example/{ref.chat}/p{ref.message_id.replace('.', '')}"

    def of(self, action: str) -> list[Sent]:
        """Recorded calls of one action."""
        return [s for s in self.sent if s.action == action]
