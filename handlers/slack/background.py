"""The background process of `xdept serve`: listeners' jobs and the scheduler's tick.

HTTP workers only acknowledge Slack and put jobs on a queue; one background
process (per server) runs them on a thread pool, with its own database pool
and Slack client, at a lower CPU priority, so a burst of work never slows
the acknowledgements Slack waits for. The same process runs the scheduler's
tick, so a server ticks exactly once. A small supervisor restarts it if it
dies; jobs it had not finished are lost with it (the outbox keeps whatever
they had queued to send).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.synchronize import Event
from queue import Empty
from typing import Any

from bot.config import Settings
from handlers.slack.jobs import Job, LocalJobs, QueueJobs, run_job

log = logging.getLogger(__name__)

THREADS = 8
# Background work yields the CPU to the HTTP workers (nice value added).
NICENESS = 10
RESTART_DELAY = 1.0
STOP_TIMEOUT = 30.0
POLL = 1.0
_STOP = None  # the sentinel that ends the job loop


def run_background(settings: Settings, queue: Any, *, scheduler: bool, threads: int) -> None:
    """The background process: build the app, start the tick, run jobs until told to stop."""
    from bot.bootstrap import bootstrap
    from handlers.slack.messenger import SlackMessenger, make_client
    from handlers.slack.resolver import Resolver
    from handlers.slack.runtime import Deps
    from handlers.slack.scheduling import start_scheduler

    _leave_stopping_to_the_server()
    parent = os.getppid()
    os.nice(NICENESS)
    client = make_client(settings)
    resolver = Resolver(client)
    app = bootstrap(
        settings,
        messenger=SlackMessenger(client),
        migrate=False,
        channel_private=resolver.channel_private,
    )
    app.core.set_channel_privacy(resolver.channel_private)
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="xdept-job")
    deps = Deps(app=app, resolver=resolver, client=client, jobs=LocalJobs(pool))
    running = None
    if scheduler:
        try:
            running = start_scheduler(app)
            log.info("the scheduler ticks in background process %d", os.getpid())
        except Exception:
            log.exception("the scheduler could not start; jobs still run")
    log.info("background process %d ready (%d threads)", os.getpid(), threads)
    try:
        while True:
            try:
                job = queue.get(timeout=POLL)
            except Empty:
                if os.getppid() != parent:  # the server died without telling us
                    break
                continue
            if job is _STOP:
                break
            if isinstance(job, Job):
                pool.submit(run_job, job, deps)
            else:
                log.error("ignored something that is not a job: %r", job)
    finally:
        if running is not None:
            running.shutdown()
        pool.shutdown(wait=True)  # finish what was handed over before exiting
        app.store.dispose()


def _supervise(settings: Settings, queue: Any, stopping: Event, scheduler: bool) -> None:
    """Keep one background process alive until the server stops."""
    _leave_stopping_to_the_server()
    server = os.getppid()
    ctx = multiprocessing.get_context("fork")
    while True:
        child = ctx.Process(
            target=run_background,
            args=(settings, queue),
            kwargs={"scheduler": scheduler, "threads": THREADS},
            name="xdept-background",
        )
        child.start()
        while child.is_alive():
            child.join(POLL)
            if os.getppid() != server:  # orphaned: the child notices too and ends
                child.join(STOP_TIMEOUT)
                return
        if stopping.is_set():
            return
        log.error("the background process exited with %s; starting another", child.exitcode)
        time.sleep(RESTART_DELAY)  # a process that dies at start must not spin


def _leave_stopping_to_the_server() -> None:
    """Ctrl+C and a service manager's SIGTERM reach the whole process group; the server
    stops its workers first and then sends the background process its sentinel, so the
    jobs already queued are finished rather than dropped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class Background:
    """The queue the HTTP workers fill, and the supervised process that empties it."""

    def __init__(self, settings: Settings, *, scheduler: bool) -> None:
        ctx = multiprocessing.get_context("fork")
        self.settings = settings
        self.scheduler = scheduler
        self.queue = ctx.Queue()
        self._stopping = ctx.Event()
        self._owner = os.getpid()
        self._pid: int | None = None

    def jobs(self) -> QueueJobs:
        """Where the HTTP workers hand their jobs (valid in processes forked after start)."""
        return QueueJobs(self.queue)

    def start(self) -> None:
        """Fork the supervisor (before the HTTP workers are forked, while no thread runs).

        A bare fork, not multiprocessing.Process: gunicorn's workers are forked from
        this process too, and must not inherit a child they would try to join at exit.
        """
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _supervise(self.settings, self.queue, self._stopping, self.scheduler)
            except BaseException:
                log.exception("the background supervisor failed")
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        self._pid = pid

    def stop(self) -> None:
        """Let the background process finish its queue, then end it (in the server only)."""
        if self._pid is None or os.getpid() != self._owner:
            return  # a gunicorn worker unwinding through serve(): not its to stop
        self._stopping.set()
        self.queue.put(_STOP)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                done, _status = os.waitpid(self._pid, os.WNOHANG)
            except ChildProcessError:
                break  # already reaped
            if done:
                break
            time.sleep(0.1)  # waiting for another process to finish its queue
        else:
            log.error("the background process did not stop within %.0fs", STOP_TIMEOUT)
            os.kill(self._pid, signal.SIGKILL)
        self._pid = None
