"""`xdept serve`: the Bolt app behind gunicorn (gthread workers), run from Python.

The master process only applies migrations, binds the port and supervises;
each worker builds its own app after the fork (database pool, Slack client,
Bolt), so nothing is shared across processes. With the scheduler on, exactly
one worker of the server runs the tick: the one holding an exclusive lock on
a file the master created. If that worker exits, the lock is released and
another worker takes over within `ELECTION_INTERVAL` seconds. Several
replicas each run one tick; the tick's database lease lets one work at a time.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Settings
from handlers.slack.scheduling import ElectedScheduler, SchedulerSlot
from handlers.slack.wsgi import SlackWsgi, create_wsgi_app
from storage.db import make_engine
from storage.migrate import upgrade

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30
KEEPALIVE = 5
BACKLOG = 2048


def gunicorn_options(*, host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings `xdept serve` uses (also the benchmark's)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": DEFAULT_TIMEOUT,
        "graceful_timeout": DEFAULT_TIMEOUT,
        "keepalive": KEEPALIVE,
        "backlog": BACKLOG,
        "proc_name": "xdept",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
    }


class XdeptServer(BaseApplication):
    """gunicorn configured in code; `load` runs in each worker, after the fork."""

    def __init__(
        self,
        settings: Settings,
        options: dict[str, Any],
        *,
        slot: SchedulerSlot | None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.slot = slot
        self.wsgi_app: SlackWsgi | None = None
        self.elected: ElectedScheduler | None = None
        super().__init__()

    def load_config(self) -> None:
        """Apply the options and install the hooks."""
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", self._post_worker_init)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self) -> SlackWsgi:
        """Build this worker's app."""
        self.wsgi_app = create_wsgi_app(self.settings)
        return self.wsgi_app

    def _post_worker_init(self, worker: Any) -> None:
        if self.slot is None or self.wsgi_app is None:
            return
        self.elected = ElectedScheduler(self.wsgi_app.app, self.slot)
        self.elected.start()

    def _worker_exit(self, server: Any, worker: Any) -> None:
        if self.elected is not None:
            self.elected.stop()


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    scheduler: bool,
) -> int:
    """Run the HTTP server until it is stopped (SIGTERM/SIGINT); returns the exit status."""
    settings.require("slack_bot_token", "slack_signing_secret")
    engine = make_engine(settings.sqlalchemy_url)
    try:
        upgrade(engine)  # once, here, not in every worker at the same time
    finally:
        engine.dispose()  # the workers must not inherit these connections
    lock_dir = tempfile.mkdtemp(prefix="xdept-serve-") if scheduler else None
    slot = SchedulerSlot(os.path.join(lock_dir, "scheduler.lock")) if lock_dir else None
    log.info(
        "serving Slack on %s:%d with %d workers x %d threads; scheduler %s",
        host,
        port,
        workers,
        threads,
        "on" if scheduler else "off",
    )
    try:
        XdeptServer(
            settings,
            gunicorn_options(host=host, port=port, workers=workers, threads=threads),
            slot=slot,
        ).run()
    finally:
        if lock_dir:
            shutil.rmtree(lock_dir, ignore_errors=True)
    return 0
