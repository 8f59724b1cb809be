"""A Messenger that records every message and prints the conversation (demo, tests)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.messages import Message
from bot.ports import DeliveryError, MessageRef


@dataclass
class Sent:
    """One recorded call."""

    action: str  # post | update | dm | ephemeral | upload
    channel: str
    message: Message | None
    ts: str | None = None
    thread_ts: str | None = None
    user: str | None = None
    filename: str | None = None
    content: bytes | None = None


@dataclass
class RecordingMessenger:
    """Records what the bot says; `on_send` lets the demo print it as it happens."""

    on_send: Callable[[Sent], None] | None = None
    sent: list[Sent] = field(default_factory=list)
    # Channels that answer like a channel the bot was removed from.
    broken_channels: set[str] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, sent: Sent) -> None:
        with self._lock:
            self.sent.append(sent)
        if self.on_send is not None:
            self.on_send(sent)

    def _ts(self) -> str:
        return f"1700000000.{next(self._ids):06d}"

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> MessageRef:
        """Record a post."""
        if channel in self.broken_channels:
            raise DeliveryError("not_in_channel", permanent=True)
        ts = self._ts()
        self._record(Sent("post", channel, message, ts=ts, thread_ts=thread_ts))
        return MessageRef(channel=channel, ts=ts)

    def update(self, *, ref: MessageRef, message: Message) -> None:
        """Record an edit."""
        self._record(Sent("update", ref.channel, message, ts=ref.ts))

    def dm(self, *, user: str, message: Message) -> MessageRef:
        """Record a direct message."""
        ts = self._ts()
        self._record(Sent("dm", f"D-{user}", message, ts=ts, user=user))
        return MessageRef(channel=f"D-{user}", ts=ts)

    def ephemeral(self, *, channel: str, user: str, message: Message) -> None:
        """Record a message only one person sees."""
        self._record(Sent("ephemeral", channel, message, user=user))

    def upload(
        self,
        *,
        channel: str,
        filename: str,
        content: bytes,
        title: str,
        comment: str | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Record a file."""
        self._record(
            Sent("upload", channel, None, thread_ts=thread_ts, filename=filename, content=content)
        )

    def permalink(self, *, ref: MessageRef) -> str | None:
        """A stable fake link."""
        return f"https://chat.example/{ref.channel}/p{ref.ts.replace('.', '')}"

    def of(self, action: str) -> list[Sent]:
        """Recorded calls of one action."""
        return [s for s in self.sent if s.action == action]
