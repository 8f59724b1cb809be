"""Feishu's long connection: lark-oapi's `ws.Client` in a thread of its own.

lark-oapi 1.7 builds one event loop for its websocket module at import time,
runs every handler on it, blocks forever in `start()` and has no `stop()`.
So the runner gives the module a fresh loop in a thread of its own, hands
each event to the callback at once (the callback stores it and returns; a
card click's answer, the toast and the card, goes back in the
acknowledgement), and stops by closing the connection and cancelling the
loop's tasks from outside. One long connection runs per process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from bot.config import Settings
from handlers.feishu import sdk
from handlers.feishu.verify import Envelope, Ignored, Refused, envelope_of

log = logging.getLogger(__name__)

JSON = dict[str, Any]
# Stores the event (an inbox row) and returns; for a card click, the answer to show.
EventCallback = Callable[[Envelope], JSON | None]

_ONE_PER_PROCESS = threading.Lock()


def _handler(hand_over: Callable[[bytes], JSON | None]) -> Any:
    """An SDK event handler that passes every payload on untouched."""
    base: Any = sdk.load().EventDispatcherHandler

    class HandOver(base):
        # The websocket client calls this for each event frame; its result is the ack's data.
        def _do_without_validation(self, payload: bytes) -> JSON | None:
            return hand_over(payload)

    return HandOver()


class LongConnection:
    """Receives Feishu events over the long connection (see the module docstring)."""

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        domain: str,
        on_event: EventCallback,
        tenant_key: str | None = None,
    ) -> None:
        self.app_id = app_id
        self._secret = app_secret
        self.domain = domain
        self.on_event = on_event
        self.tenant_key = tenant_key
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Any = None
        self._stopping = threading.Event()
        self._owns_process_slot = False

    @classmethod
    def from_settings(
        cls, settings: Settings, on_event: EventCallback, *, tenant_key: str | None = None
    ) -> LongConnection:
        """A connection with FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_API_URL."""
        settings.require("feishu_app_id", "feishu_app_secret")
        return cls(
            app_id=str(settings.feishu_app_id),
            app_secret=settings.secret("feishu_app_secret"),
            domain=settings.feishu_api_url,
            on_event=on_event,
            tenant_key=tenant_key,
        )

    def _hand_over(self, raw: bytes) -> JSON | None:
        try:
            payload = json.loads(raw)
            opened = envelope_of(payload, app_id=self.app_id, tenant_key=self.tenant_key)
        except (ValueError, AttributeError, Refused) as exc:
            log.warning("ignoring an unreadable event from the long connection: %s", exc)
            return None
        if isinstance(opened, Ignored):
            log.info("ignoring %s", opened.reason)
            return None
        # An exception here makes the SDK acknowledge with 500, so Feishu sends it again.
        return self.on_event(opened)

    def start(self) -> None:
        """Connect in the background (returns at once; see `wait_connected`)."""
        if not _ONE_PER_PROCESS.acquire(blocking=False):
            raise RuntimeError("a Feishu long connection is already running in this process")
        self._owns_process_slot = True
        self._thread = threading.Thread(target=self._run, name="feishu-long-connection")
        self._thread.start()

    def _run(self) -> None:
        lark = sdk.load()
        ws_client = lark.ws.client

        loop = asyncio.new_event_loop()
        loop.set_exception_handler(self._on_loop_error)
        asyncio.set_event_loop(loop)
        # Everything in the SDK's websocket module schedules on this module-level loop.
        ws_client.loop = loop
        self._loop = loop
        try:
            self._client = ws_client.Client(
                self.app_id,
                self._secret,
                event_handler=_handler(self._hand_over),
                domain=self.domain,
                log_level=lark.LogLevel.INFO,
            )
            if not self._stopping.is_set():
                self._client.start()
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # noqa: BLE001 - reported through `error` and the log
            if not self._stopping.is_set():
                self.error = exc
                log.error("the Feishu long connection stopped: %s", exc)
        finally:
            self._drain(loop)

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # Closing the websocket on purpose ends the SDK's receive task with the close
        # itself, which nobody awaits: not an error worth a traceback in the log.
        if self._stopping.is_set():
            log.debug("the Feishu long connection closed: %s", context.get("exception"))
            return
        loop.default_exception_handler(context)

    @staticmethod
    def _drain(loop: asyncio.AbstractEventLoop) -> None:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        # Collect every task's end, so none is reported as "never retrieved".
        leftovers = asyncio.all_tasks(loop)
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)

    @property
    def connected(self) -> bool:
        """Whether the websocket is open now."""
        return self._client is not None and getattr(self._client, "_conn", None) is not None

    @property
    def alive(self) -> bool:
        """Whether the connection's thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def wait_connected(self, timeout: float = 30.0) -> bool:
        """Wait until the websocket is open (importing the SDK can take seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connected:
                return True
            if self._thread is not None and not self._thread.is_alive():
                return False
            time.sleep(0.05)
        return self.connected

    async def _shutdown(self) -> None:
        client = self._client
        if client is not None:
            client._auto_reconnect = False
            conn = client._conn
            if conn is not None:
                try:
                    await asyncio.wait_for(conn.close(), timeout=2)
                except Exception as exc:  # noqa: BLE001 - closing a broken socket may fail
                    log.debug("closing the Feishu websocket: %s", exc)
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    def stop(self, timeout: float = 10.0) -> None:
        """Close the connection and end its thread."""
        self._stopping.set()
        thread = self._thread
        if thread is None:
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            shutdown = self._shutdown()
            try:
                asyncio.run_coroutine_threadsafe(shutdown, loop)
            except RuntimeError:
                shutdown.close()  # the loop closed meanwhile: the thread is ending anyway
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the Feishu long connection did not stop within %.0f s", timeout)
            return
        if self._owns_process_slot:
            self._owns_process_slot = False
            _ONE_PER_PROCESS.release()

    def run_until_stopped(
        self, *, signals: Iterable[signal.Signals] = (signal.SIGTERM, signal.SIGINT)
    ) -> None:
        """Run in the foreground until SIGTERM or SIGINT (main thread only); then stop."""
        stop = threading.Event()
        previous = {s: signal.signal(s, lambda *_: stop.set()) for s in signals}
        try:
            self.start()
            while not stop.wait(0.2):
                if not self.alive:
                    break
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.error is not None:
            raise self.error
