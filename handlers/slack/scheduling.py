"""Running the scheduler's tick next to the Slack server, once per server.

Every gunicorn worker tries an exclusive, non-blocking lock on one file;
the holder runs the tick until it exits, and the operating system releases
the lock with the process, so a surviving worker takes over.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from typing import Protocol

from bot.bootstrap import App

log = logging.getLogger(__name__)

ELECTION_INTERVAL = 5.0


class Running(Protocol):
    """What `scheduler.runner.start_in_background` returns."""

    def shutdown(self) -> None:
        """Stop the tick."""
        ...


def start_scheduler(app: App) -> Running:
    """Start the scheduler's background tick (imported here: the scheduler is optional)."""
    from scheduler.runner import start_in_background

    running: Running = start_in_background(app)
    return running


class SchedulerSlot:
    """An exclusive lock on a file: whoever holds it runs the tick."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the slot if it is free; True if this process now holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the slot up (closing the file releases the lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class ElectedScheduler:
    """Runs the tick in this process once it holds the slot; `stop` shuts it down."""

    def __init__(
        self,
        app: App,
        slot: SchedulerSlot,
        *,
        interval: float = ELECTION_INTERVAL,
        start: Callable[[App], Running] = start_scheduler,
    ) -> None:
        self.app = app
        self.slot = slot
        self.interval = interval
        self._start = start
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xdept-scheduler", daemon=True)
        self.running: Running | None = None

    def start(self) -> None:
        """Begin trying for the slot in a background thread."""
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the tick (if this process runs it) and give the slot up."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            if self.slot.try_acquire():
                break
            self._stopping.wait(self.interval)
        else:
            return
        try:
            self.running = self._start(self.app)
        except Exception:
            # The server still answers Slack; `xdept scheduler run-once` from cron can stand in.
            log.exception("the scheduler could not start in process %d", os.getpid())
            self.slot.release()
            return
        log.info("scheduler running in process %d", os.getpid())
        self._stopping.wait()
        try:
            self.running.shutdown()
        except Exception:
            log.exception("the scheduler did not shut down cleanly in process %d", os.getpid())
        finally:
            self.slot.release()
