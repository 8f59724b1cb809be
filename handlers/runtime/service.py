"""The inbox workers of one process and, where this process runs it, the scheduler's tick.

`xdept serve` runs one of these in its inbox process, `xdept worker` in its
own process, `xdept socket` beside the Socket Mode connection. Stopping
finishes the rows in hand; what is not done stays in the inbox.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import FrameType
from typing import Protocol

from bot.bootstrap import App
from handlers.runtime.inbox import Inbox, Route, Runner
from handlers.runtime.workers import POLL_SECONDS, InboxWorkers

log = logging.getLogger(__name__)

DEFAULT_THREADS = 8
STOP_TIMEOUT = 25.0


class Running(Protocol):
    """What `scheduler.runner.start_in_background` returns."""

    def shutdown(self) -> None:
        """Stop the tick."""
        ...


def start_scheduler(app: App) -> Running:
    """Start the scheduler's background tick (imported here: only these modes need it)."""
    from scheduler.runner import start_in_background

    running: Running = start_in_background(app)
    return running


class WorkerService:
    """Inbox workers over an app, plus the tick when asked."""

    def __init__(
        self,
        app: App,
        routes: Mapping[str, Route],
        *,
        threads: int = DEFAULT_THREADS,
        scheduler: bool = False,
        poll: float = POLL_SECONDS,
        front_door_busy: Callable[[float], bool] | None = None,
    ) -> None:
        self.app = app
        self.inbox = Inbox(app.store)
        self.runner = Runner(self.inbox, routes, send=self._send)
        self.workers = InboxWorkers(
            self.inbox, self.runner, threads=threads, poll=poll, front_door_busy=front_door_busy
        )
        self.scheduler = scheduler
        self._tick: Running | None = None

    def _send(self, ids: Sequence[int], now: datetime) -> None:
        # Sending (rendering, the platform's API) is most of a row's work: it waits for
        # the front door too. The rows are committed already; waiting loses nothing.
        self.workers.hold_back()
        self.app.core.send(ids, now=now)

    def start(self) -> None:
        """Start the workers, and the tick if this process runs it."""
        self.workers.start()
        if self.scheduler:
            try:
                self._tick = start_scheduler(self.app)
            except Exception:
                log.exception("the scheduler could not start; the inbox is still worked")

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Stop the tick and the workers; False if work was still running at the timeout."""
        if self._tick is not None:
            self._tick.shutdown()
            self._tick = None
        stopped = self.workers.stop(timeout)
        # What waited for a chat's pace stays pending in the outbox for the tick.
        return self.app.deliverer.stop() and stopped


def wait_for_stop_signal() -> int:
    """Block until SIGTERM or SIGINT (in the main thread); returns the signal's number."""
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return received[0]
