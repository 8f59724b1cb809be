"""`xdept serve`: the front door behind gunicorn, and one inbox process, run from Python.

Every process is a gunicorn worker, so gunicorn supervises them all: it
restarts one that dies (even by kill -9), stops them together on SIGTERM, and
each exits when the master is gone.

- HTTP workers (gthread) build their app after the fork. They check, store
  and acknowledge requests, and ring the inbox process's doorbell.
- The inbox process is a worker of its own kind that accepts no connections:
  it works the inbox and runs the scheduler's tick (one tick per server; the
  tick's database lock lets one replica work at a time). It runs at a lower
  CPU priority, so a burst of work never slows the acknowledgements Slack
  waits for, and shares no interpreter with them.

`xdept worker` runs more inbox workers, on this host or any other.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import time
from multiprocessing.connection import Connection
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker

from bot.config import ConfigError, Settings
from handlers.gunicorn_args import gunicorn_cmd_options
from handlers.runtime.frontdoor import FrontDoor
from handlers.runtime.gunicorn import apply_options, gunicorn_options
from handlers.runtime.multiproc import child_exit
from handlers.runtime.service import DEFAULT_THREADS, WorkerService
from handlers.runtime.workers import Doorbell

log = logging.getLogger(__name__)

# Inbox work yields the CPU to the HTTP workers (nice value added).
NICENESS = 10
HEARTBEAT = 1.0


def _choose_role(server: Any, worker: Any) -> None:
    """gunicorn's pre_fork hook, in the master: the one missing inbox process is this one."""
    live = server.WORKERS.values()
    worker.inbox_role = not any(getattr(w, "inbox_role", False) for w in live)


class XdeptWorker(ThreadWorker):
    """A gthread HTTP worker, or (one per server) the inbox process."""

    inbox_role = False
    service: WorkerService | None = None

    def init_process(self) -> None:
        """Set up as an HTTP worker, or skip the HTTP machinery for the inbox process."""
        if self.inbox_role:
            Worker.init_process(self)  # signals, then load_wsgi, then run
        else:
            super().init_process()

    def load_wsgi(self) -> None:
        """Build this process's app after the fork."""
        if not self.inbox_role:
            super().load_wsgi()
            return
        assert isinstance(self.app, XdeptServer)
        self.service = self.app.inbox_service()

    def run(self) -> None:
        """Serve HTTP, or work the inbox until told to stop."""
        if not self.inbox_role:
            super().run()
            return
        assert isinstance(self.app, XdeptServer) and self.service is not None
        for sock in self.sockets:
            sock.close()  # this process never accepts a connection
        os.nice(NICENESS)
        self.service.start()
        self.app.doorbell.listen(self.service.workers)
        log.info(
            "inbox process %d works the inbox with %d threads; scheduler %s",
            os.getpid(),
            self.service.workers.threads,
            "on" if self.service.scheduler else "off",
        )
        try:
            while self.alive:
                self.notify()  # gunicorn's liveness check
                if self.ppid != os.getppid():
                    log.warning("the server is gone; the inbox process stops")
                    break
                time.sleep(HEARTBEAT)
        finally:
            self.service.stop(timeout=max(1.0, self.cfg.graceful_timeout - 5))
            self.service.app.store.dispose()
            log.info("inbox process %d stopped", os.getpid())

    def handle_exit(self, sig: int, frame: Any) -> None:
        """SIGTERM: stop after the rows in hand."""
        if self.inbox_role:
            self.alive = False
        else:
            super().handle_exit(sig, frame)

    def handle_quit(self, sig: int, frame: Any) -> None:
        """SIGQUIT/SIGINT: stop now (rows in hand are reclaimed after their lease)."""
        if self.inbox_role:
            Worker.handle_quit(self, sig, frame)
        else:
            super().handle_quit(sig, frame)


class XdeptServer(BaseApplication):
    """gunicorn configured in code; `load` runs in each HTTP worker, after the fork."""

    def __init__(
        self,
        settings: Settings,
        options: dict[str, Any],
        *,
        doorbell: Doorbell,
        inbox_threads: int,
        scheduler: bool,
    ) -> None:
        self.settings = settings
        self.options = options
        self.doorbell = doorbell
        self.inbox_threads = inbox_threads
        self.scheduler = scheduler
        super().__init__()

    def load_config(self) -> None:
        """Apply the options (those this gunicorn version knows)."""
        apply_options(self.cfg, self.options)

    def load(self) -> FrontDoor:
        """Build an HTTP worker's front door; it rings the inbox process's doorbell."""
        from handlers.platforms import create_wsgi_app

        return create_wsgi_app(self.settings, ring=self.doorbell.ring)

    def inbox_service(self) -> WorkerService:
        """Build the inbox process's workers."""
        from handlers.platforms import build

        platforms = build(self.settings)
        return WorkerService(
            platforms.app,
            platforms.routes(),
            threads=self.inbox_threads,
            scheduler=self.scheduler,
            front_door_busy=self.doorbell.rang_within,
        )


def _upgrade(url: str, report: Connection) -> None:
    """In the child: migrate, and send back one line if the database is the trouble."""
    from storage.failures import describe_database_error
    from storage.migrate import upgrade_url

    try:
        upgrade_url(url)
    except Exception as exc:
        line = describe_database_error(exc, url)
        if line is None:
            raise  # a bug: its traceback helps
        report.send(line)
        os._exit(1)  # the line goes to the parent; no traceback of the child's
    report.send(None)


def _migrate(url: str) -> None:
    """Apply migrations in a short-lived child: the server never holds the migration tool."""
    from storage.failures import DatabaseFailure

    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_upgrade, args=(url, send))
    child.start()
    send.close()
    line = receive.recv() if receive.poll(None) else None
    child.join()
    if line:
        raise DatabaseFailure(line)
    if child.exitcode != 0:
        raise ConfigError("the database could not be migrated (see the log above)")


def _preload(settings: Settings) -> None:
    """Import what every process needs once, before the fork: the processes share it."""
    from sqlalchemy import make_url
    from sqlalchemy.orm import configure_mappers

    import handlers.platforms
    import handlers.slack.adapter  # noqa: F401
    import handlers.slack.wsgi  # noqa: F401
    from storage.migrate import head_revision

    # Not the scheduler (APScheduler, the tick, the summary): only the inbox process runs
    # it, so a copy here would be one more, not a shared one.
    head_revision()  # /readyz compares against it; read once (without Alembic), shared

    # lark-oapi when Feishu is configured (seconds to import), never otherwise.
    handlers.platforms.preload(settings)
    url = settings.sqlalchemy_url

    # The database driver is imported by the first engine; load it here instead.
    make_url(url).get_dialect().import_dbapi()
    # The ORM configures its mappers on first use, in each process; done here, once, the
    # processes share the result instead of each building its own.
    configure_mappers()
    # Keep the collector off these objects, so the pages stay shared after the fork.
    gc.freeze()


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    scheduler: bool,
    inbox_threads: int = DEFAULT_THREADS,
) -> int:
    """Run the server until it is stopped (SIGTERM/SIGINT); returns the exit status."""
    from handlers.platforms import require_platform, serves_feishu, serves_slack

    require_platform(settings)
    if serves_slack(settings):
        # One workspace (SLACK_BOT_TOKEN) or installs through OAuth: either way, signed.
        settings.require("slack_signing_secret")
    _migrate(settings.sqlalchemy_url)  # once, here, not in every worker at the same time
    served = [
        name for name, on in (("Slack", serves_slack), ("Feishu", serves_feishu)) if on(settings)
    ]
    log.info(
        "serving %s on %s:%d with %d workers x %d threads and an inbox process of %d "
        "threads; scheduler %s",
        " and ".join(served),
        host,
        port,
        workers,
        threads,
        inbox_threads,
        "on" if scheduler else "off",
    )
    _preload(settings)
    tuned = gunicorn_cmd_options(settings.gunicorn_cmd_args)  # GUNICORN_CMD_ARGS wins
    # Its worker count is the HTTP workers'; the inbox process comes on top, and it needs
    # xdept's own worker class whatever the variable says.
    http_workers = int(tuned.pop("workers", workers))
    tuned.pop("worker_class", None)
    options = gunicorn_options(host=host, port=port, workers=http_workers + 1, threads=threads)
    options.update(tuned)
    options.update(worker_class=XdeptWorker, pre_fork=_choose_role, child_exit=child_exit)
    server = XdeptServer(
        settings,
        options,
        doorbell=Doorbell(),
        inbox_threads=inbox_threads,
        scheduler=scheduler,
    )
    server.run()
    return 0
