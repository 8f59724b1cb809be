"""The background process of `xdept serve`: listeners' jobs and the scheduler's tick.

HTTP workers only acknowledge Slack and send jobs over a channel
(handlers.slack.channel); one background process per server runs them on a
thread pool, with its own database pool and Slack client, at a lower CPU
priority, so a burst of work never slows the acknowledgements Slack waits
for. The same process runs the scheduler's tick, so a server ticks once. A
small supervisor restarts it if it dies; the jobs it was running are lost
with it (what they had queued in the outbox is not), the jobs not yet read
wait in the channel for the next one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from bot.config import Settings
from handlers.slack.channel import STOP, ChannelJobs, JobChannel
from handlers.slack.jobs import Job, LocalJobs, run_job

log = logging.getLogger(__name__)

THREADS = 8
# Background work yields the CPU to the HTTP workers (nice value added).
NICENESS = 10
RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0
HEALTHY_RUN = 60.0
STOP_TIMEOUT = 30.0
POLL = 1.0


def run_background(
    settings: Settings, channel: JobChannel, *, scheduler: bool, threads: int
) -> None:
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
            job = channel.receive(POLL)
            if job == STOP:
                break
            if isinstance(job, Job):
                pool.submit(run_job, job, deps)
            elif os.getppid() != parent:  # the server died without telling us
                break
    finally:
        if running is not None:
            running.shutdown()
        pool.shutdown(wait=True)  # finish what was handed over before exiting
        app.store.dispose()


def _supervise(settings: Settings, channel: JobChannel, scheduler: bool) -> None:
    """Keep one background process alive until it exits cleanly (after STOP)."""
    _leave_stopping_to_the_server()
    server = os.getppid()
    ctx = multiprocessing.get_context("fork")
    delay = RESTART_DELAY
    while True:
        started = time.monotonic()
        child = ctx.Process(
            target=run_background,
            args=(settings, channel),
            kwargs={"scheduler": scheduler, "threads": THREADS},
            name="xdept-background",
        )
        child.start()
        while child.is_alive():
            child.join(POLL)
            if os.getppid() != server:  # the server died without stopping us
                channel.stop()
                child.join(STOP_TIMEOUT)
                return
        if child.exitcode == 0:
            return
        if time.monotonic() - started > HEALTHY_RUN:
            delay = RESTART_DELAY
        log.error(
            "the background process exited with %s; starting another in %.0fs",
            child.exitcode,
            delay,
        )
        time.sleep(delay)  # one that dies at start (database down) must not spin
        delay = min(delay * 2, MAX_RESTART_DELAY)


def _leave_stopping_to_the_server() -> None:
    """Ctrl+C and a service manager's SIGTERM reach the whole process group; the server
    stops its workers first and then sends the background process STOP, so the jobs
    already sent are finished rather than dropped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class Background:
    """The channel the HTTP workers fill, and the supervised process that empties it."""

    def __init__(self, settings: Settings, *, scheduler: bool) -> None:
        self.settings = settings
        self.scheduler = scheduler
        self.channel = JobChannel()
        self._owner = os.getpid()
        self._pid: int | None = None

    def jobs(self) -> ChannelJobs:
        """Where the HTTP workers hand their jobs (in processes forked after start)."""
        return ChannelJobs(self.channel)

    def start(self) -> None:
        """Fork the supervisor (before the HTTP workers are forked, while no thread runs).

        A bare fork, not multiprocessing.Process: gunicorn's workers are forked from
        this process too, and must not inherit a child they would try to join at exit.
        """
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _supervise(self.settings, self.channel, self.scheduler)
            except BaseException:
                log.exception("the background supervisor failed")
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        self._pid = pid

    def stop(self) -> None:
        """Let the background process finish its jobs, then end it (in the server only)."""
        if self._pid is None or os.getpid() != self._owner:
            return  # a gunicorn worker unwinding through serve(): not its to stop
        self.channel.stop()
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                done, _status = os.waitpid(self._pid, os.WNOHANG)
            except ChildProcessError:
                break  # already reaped
            if done:
                break
            time.sleep(0.1)  # waiting for another process to finish its jobs
        else:
            log.error("the background process did not stop within %.0fs", STOP_TIMEOUT)
            os.kill(self._pid, signal.SIGKILL)
        self._pid = None
