"""Delivery through the Feishu directory, against the fake Feishu with the real SDK.

The whole way out: a command queues the tracking card, the Deliverer asks
ByPlatform for the tenant's messenger, the messenger paces and sends, and what
Feishu answers (a moved card, a refusal, a rate limit) lands in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.bootstrap import App, bootstrap
from bot.context import Actor, Context
from bot.messages import Message, MessageField, MessageKind, Section, text
from bot.ports import ByPlatform, DeliveryCode, DeliveryError, WorkspaceAddress
from handlers.feishu import cards
from handlers.feishu.api import FeishuApi, make_client
from handlers.feishu.messenger import FeishuMessenger
from handlers.feishu.messengers import AskedTenant, FeishuMessengers
from handlers.feishu.pacing import Pacer
from storage.db import Store
from storage.models import Item, OutboxMessage
from tests.conftest import at
from tests.fakes.feishu import failures
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, WANG
from tests.fakes.feishu.world import EDIT_WINDOW, TOKEN_LIFETIME
from tests.handlers.feishu.conftest import feishu_settings

MON = at(2026, 11, 23, 10)


class Clock:
    """One fake monotonic clock for the pacer and the deliverer; sleeping moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@dataclass
class Tenant:
    """A Feishu tenant served by xdept: the fake, the app over it, and the clock."""

    feishu: FakeFeishu
    app: App
    messenger: FeishuMessenger
    clock: Clock

    def run(self, user: str, line: str, now: datetime = MON) -> Message:
        """Run a command typed by `user` in the tenant and deliver what it queued."""
        actor = Actor(
            user_id=user, name=user, timezone="Asia/Shanghai", locale="zh", is_admin=user == WANG
        )
        context = Context(
            platform="feishu",
            workspace=self.feishu.tenant_key,
            actor=actor,
            now=now,
            channel_id="oc_general",
        )
        return self.app.core.run_command(context, line)

    def item(self, number: int = 1) -> Item:
        with self.app.store.unit_of_work() as uow:
            found = uow.items.by_number(1, number)
            assert found is not None
            uow.session.expunge(found)
            return found

    def rows(self, state: str) -> list[OutboxMessage]:
        with self.app.store.unit_of_work() as uow:
            found = list(uow.session.query(OutboxMessage).filter_by(state=state))
            for row in found:
                uow.session.expunge(row)
            return found


@pytest.fixture
def tenant(feishu: FakeFeishu, store: Store) -> Iterator[Tenant]:
    """The core over a real database, delivering to the fake through FeishuMessengers."""
    clock = Clock()
    settings = feishu_settings(feishu)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    messenger = FeishuMessenger(FeishuApi(make_client(settings)), pacer=pacer)
    messengers = ByPlatform({"feishu": FeishuMessengers(messenger)})
    app = bootstrap(settings, messengers=messengers, store=store, migrate=False, sleep=clock.sleep)
    app.deliverer._monotonic = clock  # the deliverer's own per-chat pace on the same clock
    t = Tenant(feishu, app, messenger, clock)
    reply = t.run(
        WANG,
        f"dept add logistics #{LOGISTICS} lead:@{WANG} member:@{CHEN} escalate:@{WANG} "
        "name:物流部 alias:物流",
        MON - timedelta(hours=1),
    )
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    yield t


def _ask(tenant: Tenant, now: datetime = MON) -> Message:
    reply = tenant.run(ALICE, "ask @物流 请修好托盘标签 周五前", now)
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    return reply


# -- the directory


def test_the_app_speaks_for_its_own_tenant_only(api: FeishuApi, feishu: FakeFeishu) -> None:
    """Its own tenant gets the messenger; another tenant AUTH; the tenant is asked once."""
    messenger = FeishuMessenger(api)
    directory = FeishuMessengers(messenger)
    own = WorkspaceAddress(platform="feishu", external_id=feishu.tenant_key)
    assert directory.for_workspace(own) is messenger
    assert directory.for_workspace(own) is messenger
    with pytest.raises(DeliveryError) as caught:
        directory.for_workspace(WorkspaceAddress(platform="feishu", external_id="other-tenant"))
    assert caught.value.code is DeliveryCode.AUTH and caught.value.permanent
    assert "other-tenant" in caught.value.detail
    assert len(feishu.calls_to("tenant.query")) == 1


def test_the_tenant_is_asked_again_while_feishu_is_unreachable(
    api: FeishuApi, feishu: FakeFeishu
) -> None:
    """A failed tenant lookup is retried later, not remembered."""
    directory = FeishuMessengers(FeishuMessenger(api))
    feishu.fail_next("tenant.query", failures.dropped())
    own = WorkspaceAddress(platform="feishu", external_id=feishu.tenant_key)
    with pytest.raises(DeliveryError) as caught:
        directory.for_workspace(own)
    assert caught.value.code is DeliveryCode.UNREACHABLE and not caught.value.permanent
    assert directory.for_workspace(own) is directory.messenger


def test_settings_build_a_paced_messenger(api: FeishuApi, feishu: FakeFeishu) -> None:
    """From settings: the app's client, a pacer, Lark links when the API is Lark's."""
    directory = FeishuMessengers.from_settings(feishu_settings(feishu))
    assert directory.messenger.pacer is not None and not directory.messenger.lark
    assert directory.tenant.accepts(feishu.tenant_key)
    lark = feishu_settings(feishu, feishu_api_url="https://open.larksuite.com")
    assert FeishuMessengers.from_settings(lark, tenant=AskedTenant(api, key="t")).messenger.lark


def test_the_front_doors_tenant_check_decides(api: FeishuApi, feishu: FakeFeishu) -> None:
    """Given the check the event front door uses, the directory asks Feishu nothing."""

    class Learned:
        def accepts(self, tenant_key: str) -> bool:
            return tenant_key == "learned-tenant"

    directory = FeishuMessengers(FeishuMessenger(api), tenant=Learned())
    learned = WorkspaceAddress(platform="feishu", external_id="learned-tenant")
    assert directory.for_workspace(learned) is directory.messenger
    with pytest.raises(DeliveryError):
        directory.for_workspace(WorkspaceAddress(platform="feishu", external_id=feishu.tenant_key))
    assert feishu.calls_to("tenant.query") == []


# -- delivery


def test_a_card_past_the_edit_window_moves_and_the_item_follows(tenant: Tenant) -> None:
    """Fifteen days on, an edit re-posts the card; the item records it; edits then go there."""
    _ask(tenant)
    first = tenant.item().message_id
    assert first is not None and tenant.feishu.message(first).chat_id == LOGISTICS
    tenant.feishu.advance(EDIT_WINDOW + 24 * 3600)
    later = MON + timedelta(days=15)
    assert tenant.run(WANG, "ack XD-1", later).kind is not MessageKind.ERROR
    moved = tenant.item()
    assert moved.message_id not in (None, first) and moved.channel_id == LOGISTICS
    assert moved.message_id is not None
    under_old = [m for m in tenant.feishu.messages_in(LOGISTICS) if m.root_id == first]
    assert any("14 天" in m.content for m in under_old)  # the note that points to the new card
    assert tenant.feishu.message(first).edits == 0
    assert tenant.run(WANG, "done XD-1", later + timedelta(hours=1)).kind is not MessageKind.ERROR
    assert tenant.item().message_id == moved.message_id
    assert tenant.feishu.message(moved.message_id).edits >= 1
    assert tenant.rows("failed") == []


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (failures.bot_not_in_chat(230002), DeliveryCode.NOT_IN_CHAT),
        (failures.bot_not_in_chat(230017), DeliveryCode.NOT_IN_CHAT),
        (failures.Failure(230005, "chat disbanded"), DeliveryCode.GONE),
        (failures.too_long(), DeliveryCode.TOO_LONG),
    ],
)
def test_a_permanent_refusal_is_recorded_and_the_lead_told_once(
    tenant: Tenant, failure: failures.Failure, code: DeliveryCode
) -> None:
    """Not retried, kept on the row, and one direct message to the lead for two failures."""
    tenant.feishu.fail_next("messages.create", failure)
    _ask(tenant)
    tenant.feishu.fail_next("messages.create", failure)
    _ask(tenant, MON + timedelta(minutes=5))
    failed = tenant.rows("failed")
    assert len(failed) == 2 and all(r.last_error.startswith(code.value) for r in failed)
    assert all(r.attempts == 1 for r in failed)
    told = tenant.feishu.messages_in(tenant.feishu.dm_chat(WANG))
    assert len(told) == 1 and "无法向" in told[0].content
    if code is DeliveryCode.NOT_IN_CHAT:
        assert "群" in told[0].content  # the hint says to add the bot to the group
    tenant.app.deliver(MON + timedelta(hours=2))
    assert len(tenant.feishu.calls_to("messages.create")) == 3  # two refused, one to the lead


def test_a_429_is_waited_out_for_as_long_as_feishu_says(tenant: Tenant) -> None:
    """The reset in x-ogw-ratelimit-reset is slept (fake clock), then the card goes."""
    tenant.feishu.fail_next("messages.create", failures.rate_limited(reset=3))
    _ask(tenant)
    assert tenant.item().message_id is not None
    assert 3.0 in tenant.clock.slept
    calls = tenant.feishu.calls_to("messages.create")
    assert [c.status for c in calls] == [429, 200]


def test_a_chat_rate_limit_holds_that_chat_only(tenant: Tenant) -> None:
    """230020 quiets the one group for its reset; a direct message goes at once."""
    pacer = tenant.messenger.pacer
    assert pacer is not None
    tenant.feishu.fail_next("messages.create", failures.chat_rate_limited(reset=4))
    with pytest.raises(DeliveryError):
        tenant.messenger.post(chat=LOGISTICS, message=_note("第一条"))
    assert pacer.wait(f"user:{ALICE}") == 0.0
    assert pacer.wait(f"chat:{LOGISTICS}") == pytest.approx(4.0)


def test_an_app_rate_limit_holds_every_chat(tenant: Tenant) -> None:
    """99991400 is the app's limit: every chat waits for the reset."""
    pacer = tenant.messenger.pacer
    assert pacer is not None
    tenant.feishu.fail_next("messages.create", failures.rate_limited(reset=2))
    with pytest.raises(DeliveryError) as caught:
        tenant.messenger.post(chat=LOGISTICS, message=_note("第一条"))
    assert caught.value.retry_after == 2.0
    assert pacer.wait("chat:oc_other") == pytest.approx(2.0)


def test_an_expired_token_is_renewed_and_the_call_made_once_more(tenant: Tenant) -> None:
    """Past the token's two hours Feishu refuses it; the SDK's cache still has it."""
    _ask(tenant)
    tokens = len(tenant.feishu.calls_to("token"))
    tenant.feishu.advance(TOKEN_LIFETIME + 60)
    assert tenant.run(WANG, "ack XD-1", MON + timedelta(hours=3)).kind is not MessageKind.ERROR
    patches = tenant.feishu.calls_to("messages.patch")
    assert [c.response["code"] for c in patches if c.response] == [99991663, 0]
    assert len(tenant.feishu.calls_to("token")) == tokens + 1
    assert tenant.rows("failed") == []


def test_cards_keep_to_the_pace_of_one_group(tenant: Tenant) -> None:
    """Three requests at once: their cards reach the group at least 0.5 s apart."""
    for _ in range(3):
        _ask(tenant)
    cards_sent = [m for m in tenant.feishu.messages_in(LOGISTICS) if m.root_id is None]
    assert len(cards_sent) == 3
    assert sum(tenant.clock.slept) >= 1.0


def _note(body: str) -> Message:
    return Message(kind=MessageKind.NOTE, sections=[Section(body=[text(body)])])


def test_no_card_is_too_big_for_feishu(tenant: Tenant) -> None:
    """Hundreds of sections and fields, long text: the card fits, and Feishu takes it."""
    message = Message(
        kind=MessageKind.SUMMARY,
        title=[text("本周总结 " * 50)],
        sections=[
            Section(heading=f"第 {i} 项", body=[text("进展说明。" * 40)]) for i in range(300)
        ],
        fields=[MessageField(label=f"字段{i}", value=[text("值" * 30)]) for i in range(150)],
    )
    ref = tenant.messenger.post(chat=LOGISTICS, message=message)
    card = tenant.feishu.message(ref.message_id).card
    assert card is not None
    assert cards.wire_size(card) <= cards.CARD_LIMIT
    assert "第 0 项" in cards.content(card)
