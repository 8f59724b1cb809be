"""Keeping each chat's pace: which chat a row speaks in, the clock pacing runs on, and
what one delivery run knows about when each chat (and each row) may go next.

The pace itself lives in the database (storage: `chat_pace`), so threads and
processes share it; this module holds the local picture a run keeps between
its transactions, so it can send to the chats that are free and wait only
when none is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.outbox import OutboxAction

# How long a chat stays taken by a sender that never gives it back (it died mid-send):
# longer than a send can take, so a live sender is never overtaken.
LEASE = timedelta(seconds=60)

Chat = tuple[int, str]  # (workspace id, chat; "@<user>" for a direct chat)


class PaceClock(Protocol):
    """The clock pacing runs on: the real one in production, one tests move."""

    def now(self) -> datetime:
        """Now, aware UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...

    def observe(self, instant: datetime) -> None:
        """A delivery run starts as of `instant` (a clock that follows the caller's time
        catches up with it; the wall clock ignores it)."""
        ...


class WallClock:
    """Real time: every process's pacing compares the same instants (NTP keeps hosts close)."""

    def now(self) -> datetime:
        """The wall clock."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Really wait."""
        time.sleep(seconds)

    def observe(self, instant: datetime) -> None:
        """Real time does not follow anyone."""


class LogicalClock:
    """Time that moves only when told: forward to each run's `now`, and by each wait the
    deliverer sleeps (the injected `sleep` is called, then the clock moves on). Tests and
    the demo drive delivery with it and never really wait."""

    def __init__(
        self, sleep: Callable[[float], None] = lambda _s: None, start: datetime | None = None
    ) -> None:
        self._sleep = sleep
        self._now = start or datetime(2000, 1, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The instant the clock stands at."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Move on by `seconds` (after telling the injected sleep)."""
        self._sleep(seconds)
        with self._lock:
            self._now += timedelta(seconds=seconds)

    def observe(self, instant: datetime) -> None:
        """Catch up with a run's `now`; never go back."""
        with self._lock:
            self._now = max(self._now, instant)


def chat_of(action: str, channel_id: str | None, user_id: str | None) -> str | None:
    """The chat a row's message lands in, for pacing; None for what no chat counts as a
    message: edits of a message in place, and private answers (response URLs, ephemerals)."""
    kind = OutboxAction(action)
    if kind in (OutboxAction.UPDATE_TRACKING, OutboxAction.EDIT, OutboxAction.ANSWER):
        return None
    if kind in (OutboxAction.DM, OutboxAction.UPLOAD) and user_id:
        return f"@{user_id}"
    return channel_id


@dataclass
class Readiness:
    """When each chat, and each row held back by a Retry-After, may go next (pace clock)."""

    chats: dict[Chat, datetime] = field(default_factory=dict)
    rows: dict[int, datetime] = field(default_factory=dict)

    def chat_free(self, chat: Chat, now: datetime) -> bool:
        """Whether the chat may be free at `now`, as far as this run knows."""
        at = self.chats.get(chat)
        return at is None or at <= now

    def row_free(self, row_id: int, now: datetime) -> bool:
        """Whether a row held back by a Retry-After may go again at `now`."""
        at = self.rows.get(row_id)
        return at is None or at <= now

    def learn(
        self,
        states: dict[Chat, tuple[datetime, bool]],
        missed: Iterable[Chat],
        *,
        now: datetime,
        interval: Callable[[Chat], float],
    ) -> None:
        """What the database said about chats this run could not take at `now`."""
        for chat in missed:
            at, sending = states.get(chat, (now, False))
            if sending:
                # Another sender holds it and gives it back one interval after its send
                # ends, which has not happened yet: look again then, not at its lease's end.
                at = min(at, now + timedelta(seconds=interval(chat)))
            self.chats[chat] = max(at, now + timedelta(milliseconds=1))

    def earliest(
        self, chats: Iterable[Chat | None], rows: Iterable[int], *, after: datetime | None = None
    ) -> datetime | None:
        """The first instant (later than `after`, if given) one of these chats or rows may go."""
        instants = [self.chats[c] for c in chats if c is not None and c in self.chats]
        instants += [self.rows[r] for r in rows if r in self.rows]
        return min((i for i in instants if after is None or i > after), default=None)
