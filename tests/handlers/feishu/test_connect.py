"""The long connection runner against the fake's websocket endpoint and the real SDK."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from handlers.feishu.connect import LongConnection
from handlers.feishu.verify import Envelope
from tests.fakes.feishu import events
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, LOGISTICS, WANG

# Importing lark_oapi takes seconds, more on a loaded machine.
CONNECT_TIMEOUT = 120


@pytest.fixture
def fake() -> Iterator[FakeFeishu]:
    """A fake Feishu with the long connection enabled."""
    with FakeFeishu(long_connection=True) as feishu:
        feishu.add_chat(LOGISTICS, "物流部")
        yield feishu


def _runner_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "feishu-long-connection"]


def _connection(fake: FakeFeishu, on_event: Any, **kw: Any) -> LongConnection:
    return LongConnection(
        app_id=fake.app_id,
        app_secret=fake.app_secret,
        domain=fake.url,
        on_event=on_event,
        **kw,
    )


@contextmanager
def _running(connection: LongConnection, fake: FakeFeishu) -> Iterator[LongConnection]:
    """Started and connected (as both ends see it) for the block, stopped after it."""
    connection.start()
    try:
        assert connection.wait_connected(CONNECT_TIMEOUT)
        assert fake.long_connection is not None and fake.long_connection.wait_connected()
        yield connection
    finally:
        connection.stop()


def test_events_reach_the_callback_and_stop_leaves_nothing(fake: FakeFeishu) -> None:
    """Connect, receive an event and a card click, stop: no thread, no connection left."""
    received: list[Envelope] = []

    def on_event(envelope: Envelope) -> dict[str, Any] | None:
        received.append(envelope)
        if envelope.event_type == events.CARD_ACTION:
            return {"toast": {"type": "success", "content": "已确认"}}
        return None

    with _running(_connection(fake, on_event), fake) as connection:
        ws = fake.long_connection
        assert ws is not None
        message = fake.person_message(chat_id=LOGISTICS, sender=ALICE, text="你好")
        ack = ws.wait_for_ack(ws.push(message))
        assert ack is not None and ack.code == 200 and ack.answer is None
        assert received[0].event_id == message["header"]["event_id"]
        assert received[0].event["message"]["chat_id"] == LOGISTICS
        click = fake.event(
            events.CARD_ACTION,
            events.card_action_event(
                operator=WANG,
                value={"action": "xdept_ack"},
                message_id="om_1",
                chat_id=LOGISTICS,
                token="c-1",
            ),
        )
        ack = ws.wait_for_ack(ws.push(click))
        assert ack is not None and ack.answer == {"toast": {"type": "success", "content": "已确认"}}
    assert not connection.alive and _runner_threads() == []
    assert fake.long_connection is not None and fake.long_connection.wait_disconnected()
    assert connection.error is None


def test_other_apps_events_are_acknowledged_not_handed_over(fake: FakeFeishu) -> None:
    """An event of another app or tenant is acked (200) and not given to the callback."""
    received: list[Envelope] = []
    with _running(_connection(fake, received.append, tenant_key=fake.tenant_key), fake):
        ws = fake.long_connection
        assert ws is not None
        other = events.envelope(
            events.MESSAGE_RECEIVE, {}, app_id="cli_other", tenant_key="t", token="x"
        )
        other_tenant = events.envelope(
            events.MESSAGE_RECEIVE, {}, app_id=fake.app_id, tenant_key="elsewhere", token="x"
        )
        for payload in (other, other_tenant):
            ack = ws.wait_for_ack(ws.push(payload))
            assert ack is not None and ack.code == 200
        assert received == []


def test_a_failing_callback_makes_feishu_send_again(fake: FakeFeishu) -> None:
    """If the event cannot be stored, the ack says 500 so Feishu redelivers it."""

    def on_event(envelope: Envelope) -> None:
        raise RuntimeError("database is down")

    with _running(_connection(fake, on_event), fake):
        ws = fake.long_connection
        assert ws is not None
        ack = ws.wait_for_ack(
            ws.push(fake.person_message(chat_id=LOGISTICS, sender=ALICE, text="x"))
        )
        assert ack is not None and ack.code == 500


def test_one_connection_per_process_and_a_restart(fake: FakeFeishu) -> None:
    """A second runner is refused while one runs; after a stop a new one connects."""
    first = _connection(fake, lambda e: None)
    first.start()
    try:
        with pytest.raises(RuntimeError):
            _connection(fake, lambda e: None).start()
        assert first.wait_connected(CONNECT_TIMEOUT)
    finally:
        first.stop()
    with _running(_connection(fake, lambda e: None), fake) as second:
        assert second.connected
    assert _runner_threads() == []


def test_stop_before_feishu_answers(fake: FakeFeishu) -> None:
    """Stopping while the endpoint is unreachable (reconnecting) still ends the thread."""
    connection = LongConnection(
        app_id=fake.app_id,
        app_secret=fake.app_secret,
        domain="http://127.0.0.1:9",
        on_event=lambda e: None,
    )
    connection.start()
    assert not connection.wait_connected(2)
    connection.stop(timeout=CONNECT_TIMEOUT)
    assert not connection.alive and _runner_threads() == []


def test_wrong_credentials_end_the_runner_with_the_error(fake: FakeFeishu) -> None:
    """Feishu refusing the app id or secret is an error the runner reports, not a hang."""
    connection = LongConnection(
        app_id=fake.app_id, app_secret="wrong", domain=fake.url, on_event=lambda e: None
    )
    connection.start()
    assert not connection.wait_connected(CONNECT_TIMEOUT)
    connection.stop()
    assert connection.error is not None and "invalid" in str(connection.error)


SCRIPT = textwrap.dedent(
    """
    import sys
    from handlers.feishu.connect import LongConnection

    def on_event(envelope):
        print("event", envelope.event_id, flush=True)

    LongConnection(
        app_id=sys.argv[1], app_secret=sys.argv[2], domain=sys.argv[3], on_event=on_event
    ).run_until_stopped()
    print("stopped", flush=True)
    """
)


def test_sigterm_stops_the_process_cleanly(fake: FakeFeishu) -> None:
    """`run_until_stopped` in a process: receives events, and SIGTERM ends it with status 0."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, fake.app_id, fake.app_secret, fake.url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    try:
        ws = fake.long_connection
        assert ws is not None and ws.wait_connected(timeout=CONNECT_TIMEOUT)
        message = fake.person_message(chat_id=LOGISTICS, sender=ALICE, text="你好")
        assert (ack := ws.wait_for_ack(ws.push(message))) is not None and ack.code == 200
        assert proc.stdout is not None
        # Only the script's lines: the SDK's log lines no longer go to stdout.
        assert proc.stdout.readline().split() == ["event", message["header"]["event_id"]]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert proc.stdout.read().split() == ["stopped"]
        assert ws.wait_disconnected(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
