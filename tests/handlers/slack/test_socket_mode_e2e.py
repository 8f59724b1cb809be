"""`xdept socket` end to end: the real Socket Mode client over a websocket on 127.0.0.1.

`run_socket` runs as `xdept socket` runs it, in a thread (its SIGTERM handler is
captured and called to stop it). Slack is a FakeSlack for the Web API plus a
FakeSocketMode for the websocket that `apps.connections.open` points to.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import select

from bot.domain import Status
from handlers.runtime import service as service_module
from handlers.slack import socket as socket_command
from storage.db import Store
from storage.models import Item
from tests.conftest import make_settings
from tests.fakes.slack import (
    FakeSlack,
    FakeSocketMode,
    event_payload,
    reaction_added_event,
    slash_command_body,
)
from tests.handlers.slack.conftest import (
    ACK_BUDGET,
    ADMIN,
    ALICE,
    CHEN,
    LOGISTICS,
    LOGISTICS_GROUP,
    SERVICE,
    TOKEN,
    WANG,
    ZHAO,
)

APP_TOKEN = "xapp-1-test"
# FakeSlack answers each HTTP request in a short-lived thread of its own.
FAKE_REQUEST_SUFFIX = "(process_request_thread)"


@pytest.fixture
def socket_mode(slack: FakeSlack) -> Iterator[FakeSocketMode]:
    """The websocket side of Slack, attached to the fake Web API."""
    with FakeSocketMode(slack) as ws:
        yield ws
    assert ws.errors == []


def _command(ws: FakeSocketMode, slack: FakeSlack, text: str, *, user: str, name: str) -> str:
    """Type `/xdept <text>` in #customer-service; checks the ack; returns the reply's text."""
    payload = dict(
        parse_qsl(
            slash_command_body(
                text, user_id=user, channel_id=SERVICE, response_url=slack.response_url(name)
            )
        )
    )
    started = time.monotonic()
    envelope_id = ws.send("slash_commands", payload)
    ack = ws.wait_for_ack(envelope_id)
    assert time.monotonic() - started < ACK_BUDGET
    assert ack["envelope_id"] == envelope_id
    return slack.wait_for_response_posts(name)[0].all_text


@dataclass
class Running:
    """`run_socket` in a thread: its signal handlers, Socket Mode handler and exit status."""

    thread: threading.Thread
    signal_handlers: dict[int, Callable[..., None]] = field(default_factory=dict)
    handlers: list[SocketModeHandler] = field(default_factory=list)
    status: list[int] = field(default_factory=list)

    def terminate(self) -> None:
        """What SIGTERM does to `xdept socket`; waits for `run_socket` to return."""
        if signal.SIGTERM in self.signal_handlers:
            self.signal_handlers[signal.SIGTERM](signal.SIGTERM, None)
        self.thread.join(timeout=10)


def _run_in_thread(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Running:
    """Start `run_socket` in a thread, as `xdept socket` runs it."""

    def run() -> None:
        running.status.append(socket_command.run_socket(settings, scheduler=False))

    running = Running(threading.Thread(target=run, name="xdept-socket-under-test", daemon=True))
    handlers = running.signal_handlers
    # signal.signal works only in the main thread: keep the handlers to call them ourselves.
    fake_signal = SimpleNamespace(
        SIGTERM=signal.SIGTERM,
        SIGINT=signal.SIGINT,
        signal=lambda signum, handler: handlers.__setitem__(signum, handler),
    )
    monkeypatch.setattr(service_module, "signal", fake_signal)

    class Kept(socket_command.SocketMode):
        def start(self) -> None:
            running.handlers.append(self.handler)
            super().start()

    monkeypatch.setattr(socket_command, "SocketMode", Kept)
    running.thread.start()
    return running


def _item_count(database_url: str) -> int:
    store = Store.from_url(database_url)
    try:
        with store.unit_of_work() as uow:
            return len(uow.session.scalars(select(Item.id)).all())
    finally:
        store.dispose()


def _item_status(database_url: str, number: int) -> Status:
    store = Store.from_url(database_url)
    try:
        with store.unit_of_work() as uow:
            status = uow.session.scalar(select(Item.status).where(Item.number == number))
        assert status is not None, f"no item number {number}"
        return Status(status)
    finally:
        store.dispose()


def test_xdept_socket_answers_commands_and_events_over_a_websocket(
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
    slack: FakeSlack,
    socket_mode: FakeSocketMode,
) -> None:
    # The websocket goes straight to 127.0.0.1, never through a proxy from the environment.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings = make_settings(
        database_url=sqlite_url,
        slack_bot_token=TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack.api_url,
    )
    before = set(threading.enumerate())
    running = _run_in_thread(settings, monkeypatch)
    try:
        socket_mode.wait_connected()
        # The client asked for the URL with the app-level token, not the bot token.
        (opened,) = slack.calls_to("apps.connections.open")
        assert opened.token == APP_TOKEN

        reply = _command(
            socket_mode,
            slack,
            f"dept add logistics <#{LOGISTICS}|logistics> lead:<@{WANG}|wang> "
            f"member:<@{CHEN}|chen> escalate:<@{ZHAO}|zhao> "
            f"usergroup:<!subteam^{LOGISTICS_GROUP}|@logistics-team> tz:Asia/Shanghai",
            user=ADMIN,
            name="dept-add",
        )
        assert "logistics" in reply, reply

        reply = _command(
            socket_mode,
            slack,
            "ask @logistics Please confirm the 3 pallets by Friday 5pm",
            user=ALICE,
            name="ask",
        )
        assert "XD-1" in reply, reply
        (tracking,) = slack.wait_for_messages(LOGISTICS, 1)
        assert "Please confirm the 3 pallets" in tracking.all_text
        assert slack.permalink(LOGISTICS, tracking.ts) in reply
        assert _item_status(sqlite_url, 1) is Status.OPEN

        event = reaction_added_event(WANG, "white_check_mark", LOGISTICS, tracking.ts)
        envelope_id = socket_mode.send("events_api", event_payload(event))
        assert socket_mode.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
        slack.wait_until(lambda: bool(tracking.edits), what="the tracking message to be edited")
        assert slack.calls_to("chat.update")[-1].params["ts"] == tracking.ts
        assert _item_status(sqlite_url, 1) is Status.DONE

        # Another team's command over the same connection: refused in the acknowledgement,
        # nothing stored, nothing posted with this workspace's token.
        calls = len(slack.calls)
        other = dict(
            parse_qsl(
                slash_command_body(
                    "ask @logistics boxes",
                    user_id=ALICE,
                    channel_id=SERVICE,
                    team_id="T2",
                    response_url=slack.response_url("other-team"),
                )
            )
        )
        envelope_id = socket_mode.send("slash_commands", other)
        refused = socket_mode.wait_for_ack(envelope_id)
        assert "serves another Slack workspace only" in str(refused.get("payload")), refused
        assert len(slack.calls) == calls and slack.response_posts("other-team") == []
        assert _item_count(sqlite_url) == 1

        # Every envelope was acknowledged once, with its own envelope_id.
        assert set(socket_mode.acks) == {e["envelope_id"] for e in socket_mode.sent}
        assert len(socket_mode.sent) == 4
    finally:
        running.terminate()
    assert not running.thread.is_alive(), "run_socket did not return after SIGTERM"
    assert running.status == [0]
    socket_mode.wait_disconnected()
    assert socket_mode.connections == 1  # no reconnection along the way
    assert slack.errors == []
    (handler,) = running.handlers
    client = handler.client
    assert client.closed and not client.is_connected()
    for runner in (
        client.current_session_runner,
        client.current_app_monitor,
        client.message_processor,
    ):
        assert not runner.is_alive()
    left = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.endswith(FAKE_REQUEST_SUFFIX)
    ]
    assert left == [], left
