"""`xdept worker`: more inbox workers, in a process of their own, on any host.

It claims rows from the same database as every `xdept serve`, with the same
leases, so any number of them can run beside the servers; it works the rows of
every platform this host is set up for (Slack, Feishu, or both). SIGTERM or SIGINT
stops it after the rows in hand; what is not done stays in the inbox.
"""

from __future__ import annotations

import logging
import os

from bot.config import Settings
from handlers.platforms import build, require_platform
from handlers.runtime.service import WorkerService, wait_for_stop_signal
from storage.migrate import upgrade_url

log = logging.getLogger(__name__)


def run_worker(settings: Settings, *, threads: int, scheduler: bool) -> int:
    """Work the inbox until SIGTERM or SIGINT; returns the exit status."""
    require_platform(settings)  # which platforms' rows, with which teams' tokens
    # Workers may start before any server: the schema must be current, and a database that
    # is down stops the worker here, in one line.
    upgrade_url(settings.sqlalchemy_url)
    platforms = build(settings, http=False)  # it answers no requests itself
    service = WorkerService(platforms.app, platforms.routes(), threads=threads, scheduler=scheduler)
    service.start()
    log.info(
        "worker %d works the inbox with %d threads; scheduler %s",
        os.getpid(),
        threads,
        "on" if scheduler else "off",
    )
    try:
        signum = wait_for_stop_signal()
        log.info("signal %d: finishing the rows in hand", signum)
    finally:
        finished = service.stop()
        platforms.app.store.dispose()
    return 0 if finished else 1
