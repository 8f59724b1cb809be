"""`xdept feishu connect`: Feishu's long connection, and the inbox workers beside it.

No public URL is needed (the easy way for a first try, like Slack's Socket
Mode). Events arrive over lark-oapi's websocket, in a thread of its own
(handlers.feishu.connect); each is handed to the same intake as
`/feishu/events` at once, which stores it as an inbox row, and a card click
is answered through the acknowledgement. This process's inbox workers (and
the scheduler's tick, unless told otherwise) work the rows, of every
configured platform. SIGTERM or SIGINT closes the connection first, then
finishes the rows in hand.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from bot.config import Settings
from handlers.feishu.connect import LongConnection
from handlers.feishu.verify import Envelope
from handlers.platforms import FEISHU_SETTINGS, Platforms, build
from handlers.runtime.service import DEFAULT_THREADS, WorkerService
from handlers.runtime.workers import LocalBell
from storage.migrate import upgrade_url

log = logging.getLogger(__name__)

JSON = dict[str, Any]
CONNECT_TIMEOUT = 60.0


class FeishuConnect:
    """The long connection and the inbox workers of one process."""

    def __init__(
        self, settings: Settings, *, scheduler: bool, threads: int = DEFAULT_THREADS
    ) -> None:
        settings.require(*FEISHU_SETTINGS)
        upgrade_url(settings.sqlalchemy_url)  # a database that is down stops us here, in one line
        self._ring = LocalBell()
        self.platforms: Platforms = build(settings, ring=self._ring, http=False)
        assert self.platforms.feishu is not None
        self.intake = self.platforms.feishu.intake
        self.service = WorkerService(
            self.platforms.app, self.platforms.routes(), threads=threads, scheduler=scheduler
        )
        self._ring.workers = self.service.workers
        self.connection = LongConnection.from_settings(settings, self._hand_over)

    def _hand_over(self, envelope: Envelope) -> JSON | None:
        # Raising here makes the SDK acknowledge with 500, so Feishu sends the event again.
        return self.intake.receive(envelope)

    def start(self) -> None:
        """Start the workers, then connect."""
        self.service.start()
        self.connection.start()
        if self.connection.wait_connected(CONNECT_TIMEOUT):
            log.info("connected to Feishu over the long connection")
        else:
            log.warning("the Feishu long connection is not up yet; the SDK keeps trying")

    def stop(self) -> None:
        """Close the connection first (no new events), then finish the rows in hand."""
        self.connection.stop()
        self.service.stop()
        self.platforms.app.store.dispose()


def run_connect(settings: Settings, *, scheduler: bool) -> int:
    """Receive Feishu events until SIGTERM or SIGINT; returns the exit status."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    connect = FeishuConnect(settings, scheduler=scheduler)
    try:
        connect.start()
        while not stop.wait(0.5):
            if not connect.connection.alive:
                log.error("the Feishu long connection ended: %s", connect.connection.error)
                break
        else:
            log.info("signal received: closing the Feishu long connection")
    finally:
        connect.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if connect.connection.error is None else 1
