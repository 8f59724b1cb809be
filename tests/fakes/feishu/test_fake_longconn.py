"""The fake long connection against the real SDK's `lark.ws.Client`, run as Feishu's
samples run it: in the main thread of a process of its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from tests.fakes.feishu import events
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, LOGISTICS

# Importing lark_oapi takes a long time on a loaded machine.
CONNECT_TIMEOUT = 120

CLIENT = textwrap.dedent(
    """
    import sys
    import lark_oapi as lark
    from lark_oapi.event.callback.model.p2_card_action_trigger import (
        P2CardActionTriggerResponse,
    )

    app_id, secret, domain = sys.argv[1:4]

    def on_message(data):
        print("message", data.header.event_id, data.event.message.chat_id, flush=True)

    def on_click(data):
        value = data.event.action.value
        return P2CardActionTriggerResponse(
            {"toast": {"type": "success", "content": "已确认 " + value["code"]}}
        )

    handler = (
        lark.EventDispatcherHandler.builder("", "")
        .register_p2_im_message_receive_v1(on_message)
        .register_p2_card_action_trigger(on_click)
        .build()
    )
    lark.ws.Client(
        app_id, secret, event_handler=handler, domain=domain, log_level=lark.LogLevel.ERROR
    ).start()
    """
)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeFeishu, subprocess.Popen[str]]]:
    """The fake with a long connection, and the SDK's client connected to it.

    One client for the module: each one imports the whole SDK.
    """
    with FakeFeishu(long_connection=True) as fake:
        fake.add_chat(LOGISTICS, "物流部")
        proc = subprocess.Popen(
            [sys.executable, "-c", CLIENT, fake.app_id, fake.app_secret, fake.url],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert fake.long_connection is not None
            assert fake.long_connection.wait_connected(timeout=CONNECT_TIMEOUT)
            yield fake, proc
        finally:
            proc.kill()
            proc.wait(timeout=10)


def test_sdk_client_receives_events_and_acknowledges(
    served: tuple[FakeFeishu, subprocess.Popen[str]],
) -> None:
    """An event pushed as one frame and one split in three both arrive and are acked."""
    fake, proc = served
    ws = fake.long_connection
    assert ws is not None and proc.stdout is not None
    assert fake.calls_to("ws.endpoint")[0].json == {
        "AppID": fake.app_id,
        "AppSecret": fake.app_secret,
    }
    first = fake.person_message(chat_id=LOGISTICS, sender=ALICE, text="你好")
    ack = ws.wait_for_ack(ws.push(first))
    assert ack is not None and ack.code == 200
    assert ack.frame.header("biz_rt") is not None
    assert proc.stdout.readline().split() == ["message", first["header"]["event_id"], LOGISTICS]
    second = fake.person_message(chat_id=LOGISTICS, sender=ALICE, text="分三段" * 50)
    assert (ack := ws.wait_for_ack(ws.push(second, parts=3))) is not None and ack.code == 200
    assert proc.stdout.readline().split()[1] == second["header"]["event_id"]


def test_card_callbacks_answer_in_the_ack(
    served: tuple[FakeFeishu, subprocess.Popen[str]],
) -> None:
    """A card.action.trigger's answer (the toast) travels back in the ack's data."""
    fake, _ = served
    ws = fake.long_connection
    assert ws is not None
    click = fake.event(
        events.CARD_ACTION,
        events.card_action_event(
            operator=ALICE,
            value={"action": "xdept_ack", "code": "XD-1"},
            message_id="om_x",
            chat_id=LOGISTICS,
            token="c-1",
        ),
    )
    ack = ws.wait_for_ack(ws.push(click))
    assert ack is not None and ack.answer == {
        "toast": {"type": "success", "content": "已确认 XD-1"}
    }


def test_client_reconnects_after_the_server_drops_it(
    served: tuple[FakeFeishu, subprocess.Popen[str]],
) -> None:
    """Dropped by the server, the SDK handshakes again and reconnects."""
    fake, _ = served
    ws = fake.long_connection
    assert ws is not None
    before = ws.handshakes
    ws.drop()
    assert ws.wait_disconnected(timeout=10)
    assert ws.wait_connected(timeout=30)
    assert ws.handshakes == before + 1
