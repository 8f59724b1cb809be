"""Inbox workers: threads that claim rows and run them, woken by a doorbell or by polling.

A listener that stored a row rings the doorbell so a worker starts at once;
rows stored by other processes or replicas (and rows whose claim lapsed) are
found by polling. Stopping finishes the rows in hand and claims no more:
whatever is not done stays in the inbox for the next process.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import socket
import threading
import time
from collections.abc import Callable

from handlers.runtime.inbox import Clock, Inbox, Runner, wall_clock

log = logging.getLogger(__name__)

# How often an idle worker looks for rows nobody rang for (other processes, lapsed claims).
POLL_SECONDS = 1.0
# After a database error, how long a worker waits before it tries again.
ERROR_PAUSE = 2.0
# While requests are arriving, the workers hold back their claims (InboxWorkers.hold_back)
# until the front door has been quiet this long; one claim goes through every MAX_HOLD.
QUIET = 0.02
MAX_HOLD = 1.0


class InboxWorkers:
    """A pool of threads working the inbox."""

    def __init__(
        self,
        inbox: Inbox,
        runner: Runner,
        *,
        threads: int,
        poll: float = POLL_SECONDS,
        clock: Clock = wall_clock,
        name: str = "xdept-inbox",
        front_door_busy: Callable[[float], bool] | None = None,
    ) -> None:
        self.inbox = inbox
        # Whether requests arrived on this host within the given seconds (Doorbell).
        self.front_door_busy = front_door_busy
        self.runner = runner
        self.threads = threads
        self.poll = poll
        self.clock = clock
        self.name = name
        self._cond = threading.Condition()
        self._rings = 0
        self._busy = 0
        self._let_through = 0.0  # when a claim last went through a hold (monotonic)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the threads (in the process that will run them: after any fork)."""
        for n in range(self.threads):
            thread = threading.Thread(target=self._loop, name=f"{self.name}-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """A row was stored: let one idle worker look now."""
        with self._cond:
            self._rings += 1
            self._cond.notify()

    def stop(self, timeout: float = 30.0) -> bool:
        """Claim no more rows, finish those in hand; False if some were still running."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        running = [t.name for t in self._threads if t.is_alive()]
        if running:
            log.error("inbox workers still running after %.0fs: %s", timeout, running)
        return not running

    @property
    def busy(self) -> int:
        """Rows being worked right now."""
        with self._cond:
            return self._busy

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no row is open and no worker busy (tests); fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Busy before and after: a row finished between the two looks closed while
            # its worker is still sending what it queued.
            if self.busy == 0 and self.inbox.open_count() == 0 and self.busy == 0:
                return
            self.wake()
            time.sleep(0.01)  # waiting on other threads' work
        raise AssertionError(f"inbox work still open after {timeout}s")

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self.hold_back()
            if self._stopping.is_set():
                return  # told to stop while holding back: claim nothing more
            try:
                task = self.inbox.claim(now=self.clock())
            except Exception:
                log.exception("could not claim inbox work; trying again in %.0fs", ERROR_PAUSE)
                self._stopping.wait(ERROR_PAUSE)
                continue
            if task is None:
                self._idle()
                continue
            with self._cond:
                self._busy += 1
                if self._rings:  # a burst: let another worker look too
                    self._cond.notify()
            try:
                self.runner.run(task)
            except Exception:  # the runner reports its own failures; this is the last net
                log.exception("inbox row %d: unexpected failure", task.id)
            finally:
                with self._cond:
                    self._busy -= 1

    def hold_back(self) -> None:
        """Let the acknowledgements go first while requests are arriving on this host.

        An acknowledgement has a deadline (the platform retries after 3 s) and work
        behind it has none that tight. The inbox process already runs at a lower CPU
        priority, but the database work it asks for does not: holding back claims and
        sending while the front door is busy gives it the CPU. Under a flood that does
        not stop, the pool still lets one of them through every MAX_HOLD.
        """
        if self.front_door_busy is None:
            return
        held_since = time.monotonic()
        while self.front_door_busy(QUIET):
            now = time.monotonic()
            with self._cond:
                if now - held_since >= MAX_HOLD and now - self._let_through >= MAX_HOLD:
                    self._let_through = now
                    return
            if self._stopping.wait(QUIET):
                return

    def _idle(self) -> None:
        with self._cond:
            if self._rings == 0 and not self._stopping.is_set():
                self._cond.wait(self.poll)
            self._rings = max(0, self._rings - 1)


class Doorbell:
    """Rings the inbox workers of another process on this host (a datagram, lossy by design).

    Made before the processes fork: the listeners' processes ring, the workers'
    process listens. A ring carries nothing; a lost one only means the workers
    find the row by polling a moment later.
    """

    def __init__(self) -> None:
        self._listen, self._ring = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._ring.setblocking(False)
        # When it last rang, shared by every process forked after this (a clock that is
        # the same in all of them); unlocked: any recent value will do.
        self._rang_at = multiprocessing.RawValue("d", 0.0)

    def rang_within(self, seconds: float) -> bool:
        """True if a listener stored a request in the last `seconds` (the front door is busy)."""
        return time.monotonic() - self._rang_at.value < seconds

    def ring(self) -> None:
        """Tell the workers a row is waiting; never blocks."""
        self._rang_at.value = time.monotonic()
        # Full (the workers are busy or gone): they find the row by polling.
        with contextlib.suppress(OSError):
            self._ring.send(b"\0")

    def listen(self, workers: InboxWorkers) -> threading.Thread:
        """Wake `workers` on every ring, from a thread of this process."""

        def loop() -> None:
            while True:
                try:
                    self._listen.recv(64)
                except OSError:
                    return
                workers.wake()

        thread = threading.Thread(target=loop, name="xdept-doorbell", daemon=True)
        thread.start()
        return thread


class LocalBell:
    """The doorbell of a process whose listeners and workers live together (Socket Mode,
    tests): a ring wakes this process's workers, once they are there."""

    def __init__(self) -> None:
        self.workers: InboxWorkers | None = None
        self._rang_at = 0.0

    def rang_within(self, seconds: float) -> bool:
        """True if a listener stored a request in the last `seconds`."""
        return time.monotonic() - self._rang_at < seconds

    def __call__(self) -> None:
        self._rang_at = time.monotonic()
        if self.workers is not None:
            self.workers.wake()
