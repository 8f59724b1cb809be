"""Rows a use case could not send yet because their chat must keep its pace: one thread
of the process sends them when the pace allows, so no request worker sleeps on a chat.

Nothing here is durable on its own: the rows stay pending in the outbox, so if the
process stops first, the tick's delivery sends them.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from scheduler.pacing import PaceClock

log = logging.getLogger(__name__)

Deliver = Callable[[Sequence[int], datetime], object]


class Pump:
    """Sends rows at the instants given, from one daemon thread started on first use (so it
    starts in the process that uses it, after any fork)."""

    def __init__(self, deliver: Deliver, clock: PaceClock) -> None:
        self._deliver = deliver
        self._clock = clock
        self._heap: list[tuple[datetime, int, list[int]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def later(self, ids: Sequence[int], at: datetime) -> None:
        """Send these rows once `at` (pace clock) has come."""
        if not ids:
            return
        with self._cond:
            if self._stopping:
                return  # the rows stay pending: the tick's delivery sends them
            heapq.heappush(self._heap, (at, next(self._order), list(ids)))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="xdept-pump", daemon=True)
                self._thread.start()
            self._cond.notify()

    def stop(self, timeout: float = 10.0) -> bool:
        """Send nothing more (what waits stays pending for the tick); end the thread after
        the send in hand. False if it was still sending at the timeout."""
        with self._cond:
            self._stopping = True
            self._heap.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def waiting(self) -> int:
        """Rows waiting for their instant."""
        with self._cond:
            return sum(len(ids) for _at, _n, ids in self._heap)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                now = self._clock.now()
                wait = (self._heap[0][0] - now).total_seconds()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                # Everything due goes in one delivery run: one round for many chats.
                ids = []
                while self._heap and self._heap[0][0] <= now:
                    ids.extend(heapq.heappop(self._heap)[2])
            try:
                self._deliver(ids, self._clock.now())
            except Exception:  # the rows stay pending; the tick's delivery retries them
                log.exception("sending %d paced outbox rows failed; they stay queued", len(ids))
