"""Keeping within Feishu's rate limits before Feishu has to say so.

Feishu allows an app 50 messages a second and 1,000 a minute, and each group
chat (shared by every bot in it), each person and each message (for edits)
5 a second. One `Pacer` is shared by every thread of a process that sends for
the app: each send reserves the earliest moment all its limits allow, then
waits for it outside the lock, so two threads never take the same slot. When
Feishu answers 429 anyway (another process, another bot in the group), `hold`
keeps the app, or just that chat, quiet until `x-ogw-ratelimit-reset` has
passed.

Time is a parameter: tests give a clock and a sleep of their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Feishu's limits for an app (open.feishu.cn, "频率控制").
APP_PER_SECOND = 50
APP_PER_MINUTE = 1000
# One chat, one person, one message: 5 a second. Half that for chats, which other bots share.
KEY_INTERVAL = 0.2
CHAT_INTERVAL = 0.5
# Per-key slots older than this are forgotten (bounded memory on busy tenants).
_KEY_MEMORY = 60.0


class Pacer:
    """Rate limits of one app: per second and minute, per chat, person or message."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        per_second: int = APP_PER_SECOND,
        per_minute: int = APP_PER_MINUTE,
        chat_interval: float = CHAT_INTERVAL,
        key_interval: float = KEY_INTERVAL,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._windows = ((1.0, per_second), (60.0, per_minute))
        self.chat_interval = chat_interval
        self.key_interval = key_interval
        self._lock = threading.Lock()
        self._slots: list[float] = []  # moments reserved for app-counted sends, in order
        self._next: dict[str, float] = {}  # per chat, person or message: its next free moment
        self._held_until = 0.0  # the whole app, after a 429

    def wait(self, key: str | None = None, *, counted: bool = True) -> float:
        """Wait for a slot for one call about `key` ("chat:oc_..", "user:ou_..",
        "message:om_.."); `counted` calls count towards the app's per-second and
        per-minute limits (messages sent; edits count per message only). The seconds
        waited."""
        with self._lock:
            now = self._clock()
            at = max(now, self._held_until)
            if key is not None:
                at = max(at, self._next.get(key, now))
            if counted:
                at = self._app_slot(at)
                self._slots.append(at)
                self._slots.sort()
            if key is not None:
                interval = self.chat_interval if key.startswith("chat:") else self.key_interval
                self._next[key] = at + interval
            self._forget(now)
        waited = at - now
        if waited > 0:
            self._sleep(waited)
        return waited

    def hold(self, seconds: float, key: str | None = None) -> None:
        """Feishu said to slow down: nothing for the app (or for `key`) for `seconds`."""
        with self._lock:
            until = self._clock() + max(seconds, 0.0)
            if key is None:
                self._held_until = max(self._held_until, until)
            else:
                self._next[key] = max(self._next.get(key, 0.0), until)

    def _app_slot(self, at: float) -> float:
        """The earliest moment from `at` on with room in every app window before it."""
        moved = True
        while moved:
            moved = False
            for window, limit in self._windows:
                before = [s for s in self._slots if at - window < s <= at]
                if len(before) >= limit and before[-limit] + window > at:
                    at, moved = before[-limit] + window, True
        return at

    def _forget(self, now: float) -> None:
        longest = max(window for window, _ in self._windows)
        cut = 0
        while cut < len(self._slots) and self._slots[cut] <= now - longest:
            cut += 1
        del self._slots[:cut]
        if len(self._next) > 4096:
            self._next = {k: v for k, v in self._next.items() if v > now - _KEY_MEMORY}
