"""`xdept feishu connect`'s pieces in this process: the real SDK's long connection to the
fake, the intake, and the inbox workers beside it.

Events pushed over the websocket are stored at once and worked by the same
handlers as over HTTP; a card click is answered through the acknowledgement;
the same message pushed again under a new event id (a reconnect) counts once;
stopping closes the connection and leaves no thread behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.context import Actor, CommandStyle, Context
from bot.domain import Status
from handlers.feishu.longconn import FeishuConnect
from storage.db import Store
from storage.models import InboxTask
from tests.fakes.feishu import events
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.server import FakeFeishu, wait_until
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, seed
from tests.handlers.feishu.conftest import feishu_settings
from tests.handlers.feishu.inbound_support import dept_add_event, tracking_cards

# Importing lark_oapi takes seconds, more on a loaded machine.
CONNECT_TIMEOUT = 120


@pytest.fixture
def fake() -> Iterator[FakeFeishu]:
    """A fake tenant with the long connection enabled."""
    with FakeFeishu(long_connection=True) as feishu:
        yield seed(feishu)
        assert feishu.errors == []


@pytest.fixture
def connected(fake: FakeFeishu, database_url: str, store: Store) -> Iterator[FeishuConnect]:
    """`xdept feishu connect`'s pieces, connected to the fake (stopped after the test)."""
    # `store` empties the database first; the connection opens its own store on it.
    connect = FeishuConnect(
        feishu_settings(fake, database_url=database_url), scheduler=False, threads=2
    )
    ws = fake.long_connection
    assert ws is not None
    connect.start()
    try:
        assert connect.connection.wait_connected(CONNECT_TIMEOUT) and ws.wait_connected()
        yield connect
    finally:
        connect.stop()
    assert not connect.connection.alive
    assert [t for t in threading.enumerate() if t.name == "feishu-long-connection"] == []
    assert ws.wait_disconnected()


def test_events_over_the_long_connection_are_worked_once(
    fake: FakeFeishu, connected: FeishuConnect
) -> None:
    """dept add and ask over the websocket; the same ask again; an Acknowledge click."""
    connect, ws = connected, fake.long_connection
    assert ws is not None
    bot = Mention(fake.bot_open_id, fake.bot_name)
    add = dept_add_event(fake)
    ack = ws.wait_for_ack(ws.push(add))
    assert ack is not None and ack.code == 200
    connect.service.workers.wait_idle(timeout=30)
    ask = fake.person_message(
        chat_id=LOGISTICS,
        sender=ALICE,
        text="@_user_1 ask @物流 明天前把 3 托盘退回仓库",
        mentions=[bot],
    )
    for event_id in ("first-delivery", "after-a-reconnect"):
        ask["header"]["event_id"] = event_id
        ack = ws.wait_for_ack(ws.push(ask))
        assert ack is not None and ack.code == 200
    connect.service.workers.wait_idle(timeout=30)
    assert wait_until(lambda: len(tracking_cards(fake, LOGISTICS)) == 1, timeout=15)
    card = tracking_cards(fake, LOGISTICS)[0]
    click = fake.click(
        operator=CHEN, message_id=card, value={"action": "xdept_ack", "value": "XD-1"}
    )
    ack = ws.wait_for_ack(ws.push(click))
    assert ack is not None and ack.code == 200
    assert ack.answer["toast"]["type"] == "success" and "card" in ack.answer
    connect.service.workers.wait_idle(timeout=30)
    item = connect.platforms.app.core.items.show(ctx=_ctx(fake, ALICE), code="XD-1")
    assert item.status is Status.ACKNOWLEDGED


def _ctx(fake: FakeFeishu, user: str) -> Context:
    return Context(
        platform="feishu",
        workspace=fake.tenant_key,
        actor=Actor(user_id=user, locale="zh"),
        now=datetime.now(UTC),
        command_style=CommandStyle.MENTION,
    )


def test_another_tenants_event_over_the_long_connection_is_dropped(
    fake: FakeFeishu, connected: FeishuConnect
) -> None:
    """Acknowledged (Feishu would resend otherwise) and not stored."""
    connect, ws = connected, fake.long_connection
    assert ws is not None
    other = events.envelope(
        events.MESSAGE_RECEIVE,
        events.message_event(chat_id=LOGISTICS, sender=ALICE, text="hi", chat_type="p2p"),
        app_id=fake.app_id,
        tenant_key="another-company",
        token=str(fake.verification_token),
    )
    ack = ws.wait_for_ack(ws.push(other))
    assert ack is not None and ack.code == 200
    with connect.platforms.app.store.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(InboxTask)) == 0
