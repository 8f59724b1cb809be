"""`xdept socket`: the same listeners over Slack's Socket Mode (no public URL needed).

Requests arrive over a websocket instead of HTTP; listeners store them in
the same inbox before acknowledging, and this process's inbox workers (and
the scheduler's tick) work them.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config import Settings
from handlers.runtime.service import DEFAULT_THREADS, WorkerService, wait_for_stop_signal
from handlers.runtime.workers import LocalBell
from handlers.slack.adapter import SlackAdapter, build_slack
from storage.migrate import upgrade_url

log = logging.getLogger(__name__)


class SocketMode:
    """The Socket Mode connection and the inbox workers beside it."""

    def __init__(
        self, settings: Settings, *, scheduler: bool, threads: int = DEFAULT_THREADS
    ) -> None:
        settings.require("slack_app_token")
        settings.require_slack()
        upgrade_url(settings.sqlalchemy_url)  # a database that is down stops us here, in one line
        self._ring = LocalBell()
        self.adapter: SlackAdapter = build_slack(settings, ring=self._ring, http=False)
        self.service = WorkerService(
            self.adapter.app, self.adapter.routes(), threads=threads, scheduler=scheduler
        )
        self._ring.workers = self.service.workers
        self.handler = SocketModeHandler(
            self.adapter.bolt, app_token=settings.secret("slack_app_token")
        )

    def start(self) -> None:
        """Start the workers, then connect."""
        self.service.start()
        self.handler.connect()
        log.info("connected to Slack over Socket Mode")

    def stop(self) -> None:
        """Close the connection first (no new requests), then finish the rows in hand."""
        self.handler.close()
        self.service.stop()
        self.adapter.app.store.dispose()


def run_socket(settings: Settings, *, scheduler: bool) -> int:
    """Connect to Slack and answer until SIGINT or SIGTERM; returns the exit status."""
    mode = SocketMode(settings, scheduler=scheduler)
    mode.start()
    try:
        signum = wait_for_stop_signal()
        log.info("signal %d: closing the Socket Mode connection", signum)
    finally:
        mode.stop()
    return 0
