"""`xdept serve`: the Bolt app behind gunicorn (gthread workers), run from Python.

Processes: the gunicorn master applies migrations, binds the port, starts
the background process (handlers.slack.background) and supervises the
workers. Each worker builds its own app after the fork (database pool, Slack
client, Bolt) and only acknowledges Slack, handing the rest to the
background process through a queue. The background process runs those jobs
and the scheduler's tick: one tick per server; several replicas each tick,
and the tick's database lock lets one work at a time.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Settings
from handlers.gunicorn_args import gunicorn_cmd_options
from handlers.slack.background import Background
from handlers.slack.jobs import JobSink
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
        # No gunicornc socket in $HOME: two servers on one host would fight over it.
        "control_socket_disable": True,
    }


def apply_options(cfg: Any, options: dict[str, Any]) -> None:
    """Set gunicorn options, skipping any an older gunicorn does not have."""
    for key, value in options.items():
        if key in cfg.settings:
            cfg.set(key, value)


class XdeptServer(BaseApplication):
    """gunicorn configured in code; `load` runs in each worker, after the fork."""

    def __init__(self, settings: Settings, options: dict[str, Any], *, jobs: JobSink) -> None:
        self.settings = settings
        self.options = options
        self.jobs = jobs
        super().__init__()

    def load_config(self) -> None:
        """Apply the options (those this gunicorn version knows)."""
        apply_options(self.cfg, self.options)

    def load(self) -> SlackWsgi:
        """Build this worker's app."""
        return create_wsgi_app(self.settings, jobs=self.jobs)


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
    tuned = gunicorn_cmd_options(settings.gunicorn_cmd_args)  # GUNICORN_CMD_ARGS wins
    engine = make_engine(settings.sqlalchemy_url)
    try:
        upgrade(engine)  # once, here, not in every worker at the same time
    finally:
        engine.dispose()  # the workers must not inherit these connections
    log.info(
        "serving Slack on %s:%d with %d workers x %d threads; scheduler %s",
        host,
        port,
        workers,
        threads,
        "on" if scheduler else "off",
    )
    background = Background(settings, scheduler=scheduler)
    background.start()
    try:
        options = gunicorn_options(host=host, port=port, workers=workers, threads=threads)
        options.update(tuned)
        XdeptServer(settings, options, jobs=background.jobs()).run()
    finally:
        background.stop()
    return 0
