"""Exactly once, whatever happens: racing replicas, crashes, downtime, rate limits, dead ends."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.bootstrap import bootstrap
from bot.config import Settings
from bot.messages import MessageKind
from bot.ports import DeliveryCode, DeliveryError, OneMessenger
from handlers.console.messenger import RecordingMessenger
from scheduler.delivery import STALE_CLAIM, Deliverer
from scheduler.tick import tick
from storage.db import Store
from storage.models import OutboxMessage
from tests.conftest import at
from tests.scheduler.conftest import World
from tests.scheduler.messengers import ScriptedMessenger

MON = at(2026, 11, 23, 8, 0)


def replica(store: Store) -> Store:
    """Another process's view of the same database: its own engine and connections."""
    return Store.from_url(store.engine.url.render_as_string(hide_password=False))


def sent_keys(messenger: RecordingMessenger) -> list[tuple[str, str, str | None, str]]:
    """What reached the chat platform, as (kind, channel, thread, text) for spotting repeats."""
    return [
        (s.message.kind.value, s.chat, s.thread_id, s.message.plain())
        for s in messenger.sent
        if s.message is not None and s.action != "update"
    ]


def file_requests(world: World) -> list[str]:
    """Four requests with different clocks, filed Monday morning."""
    return [
        world.ask("请停止线下拒单 by Tuesday", at(2026, 11, 23, 9, 0)),
        world.ask("补发华东仓的退货单 by Wednesday", at(2026, 11, 23, 9, 1)),
        world.ask("确认退货流程", at(2026, 11, 23, 9, 2)),
        world.ask("更新承运商名单 by next Friday", at(2026, 11, 23, 9, 3)),
    ]


# Instants where something is due: stand-ups, nudges, escalation offers, follow-ups, summary.
BUSY = [
    at(2026, 11, 23, 9, 30),
    at(2026, 11, 23, 17, 0),
    at(2026, 11, 23, 17, 3),
    at(2026, 11, 24, 9, 30),
    at(2026, 11, 24, 18, 0),
    at(2026, 11, 25, 15, 0),
    at(2026, 11, 25, 15, 3),
    at(2026, 11, 25, 18, 0),
    at(2026, 11, 26, 9, 30),
    at(2026, 11, 30, 9, 0),
    at(2026, 11, 30, 9, 30),
]


@pytest.mark.parametrize("use_lease", [True, False], ids=["lease", "dedupe-keys-alone"])
def test_two_schedulers_ticking_the_same_instant_send_each_message_once(
    world: World, store: Store, settings: Settings, use_lease: bool
) -> None:
    world.setup(MON)
    file_requests(world)
    stores = [store, replica(store)]
    deliverers = [
        Deliverer(s, OneMessenger(world.messenger), settings, sleep=lambda _s: None) for s in stores
    ]
    before = len(world.messenger.sent)
    try:
        for now in BUSY:
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def run(
                i: int,
                now: datetime = now,
                barrier: threading.Barrier = barrier,
                errors: list[BaseException] = errors,
            ) -> None:
                try:
                    barrier.wait()
                    tick(stores[i], settings, now=now, use_lease=use_lease)
                    deliverers[i].deliver_pending(now=now)
                except BaseException as exc:  # reported below, in the test's thread
                    errors.append(exc)

            threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert errors == []
    finally:
        stores[1].dispose()
    sent = sent_keys(world.messenger)[before:]
    repeated = [k for k, n in Counter(sent).items() if n > 1]
    assert repeated == []
    kinds = Counter(kind for kind, *_ in sent)
    assert kinds["standup"] == 4  # Mon, Tue, Wed, Thu: each once
    assert kinds["unanswered"] == 4
    assert kinds["escalation_suggestion"] == 4
    assert kinds["summary"] == 1
    assert kinds["overdue"] >= 2 and kinds["due_soon"] >= 1
    # The outbox agrees: one row per key, every one sent.
    with world.app.store.unit_of_work() as uow:
        states = Counter(uow.session.scalars(select(OutboxMessage.state)))
    assert set(states) <= {"sent", "skipped"}


def test_a_crash_between_writing_and_sending_sends_once_after_restart(
    world: World, store: Store, settings: Settings
) -> None:
    world.setup(MON)
    file_requests(world)
    now = at(2026, 11, 23, 17, 5)
    # The tick writes its rows, then the process dies before delivering anything.
    report = tick(store, settings, now=now)
    assert report.written["unanswered"] == 4
    assert world.said(MessageKind.UNANSWERED) == []
    # A new process starts: its own store and deliverer.
    restarted = replica(store)
    try:
        messenger = RecordingMessenger()
        deliverer = Deliverer(restarted, OneMessenger(messenger), settings, sleep=lambda _s: None)
        deliverer.deliver_pending(now=now + timedelta(minutes=1))
        deliverer.deliver_pending(now=now + timedelta(minutes=2))
        tick(restarted, settings, now=now + timedelta(minutes=2))
        deliverer.deliver_pending(now=now + timedelta(minutes=3))
    finally:
        restarted.dispose()
    kinds = Counter(s.message.kind for s in messenger.sent if s.message is not None)
    assert kinds[MessageKind.UNANSWERED] == 4


def test_a_send_interrupted_after_its_claim_is_retried_once_the_claim_is_stale(
    world: World, store: Store, settings: Settings
) -> None:
    world.setup(MON)
    world.ask("确认退货流程", at(2026, 11, 23, 9, 0))
    now = at(2026, 11, 23, 17, 0)
    tick(store, settings, now=now)
    with store.unit_of_work() as uow:
        # Claimed by a process that died while Slack was answering.
        uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "unanswered")
            .values(state="sending", next_attempt_at=now)
        )
    deliverer = Deliverer(store, OneMessenger(world.messenger), settings, sleep=lambda _s: None)
    deliverer.deliver_pending(now=now + timedelta(minutes=1))
    assert world.said(MessageKind.UNANSWERED) == []  # another sender may still be at it
    deliverer.deliver_pending(now=now + STALE_CLAIM + timedelta(minutes=1))
    deliverer.deliver_pending(now=now + STALE_CLAIM + timedelta(minutes=2))
    assert len(world.said(MessageKind.UNANSWERED)) == 1


def test_a_bot_down_three_days_catches_up_with_one_message_per_item(world: World) -> None:
    world.setup(MON)
    codes = file_requests(world)
    world.step(at(2026, 11, 23, 9, 15), at(2026, 11, 23, 10, 0), timedelta(minutes=15))
    assert len(world.said(MessageKind.STANDUP)) == 1
    before = len(world.messenger.sent)
    # Down from Monday 10:00 to Thursday 14:00.
    back = at(2026, 11, 26, 14, 0)
    report = world.tick(back)
    burst = [s for s in world.messenger.sent[before:] if s.action != "update"]
    assert report.tick.superseded > 0
    assert [s.message.kind for s in burst if s.message] == [
        MessageKind.ESCALATION_SUGGESTION
    ] * 4  # one per item, the most relevant
    per_item = world.updates
    for code in codes:
        suggested = per_item(code, "escalation_suggested")
        nudged = per_item(code, "nudged")
        assert len(suggested) == 1 and nudged == []
    # Thursday's stand-up was 4.5 hours late: skipped, as were Tuesday's and Wednesday's.
    assert world.keys("standup") == ["standup:dept:1:2026-11-23"]
    # The rest of the afternoon is quiet: nothing superseded comes back.
    world.step(back + timedelta(minutes=15), at(2026, 11, 26, 17, 45), timedelta(minutes=15))
    assert [s for s in world.messenger.sent[before:] if s.action != "update"] == burst
    # Friday the follow-ups resume at stand-up time.
    world.tick(at(2026, 11, 27, 9, 30))
    assert len(world.said(MessageKind.STANDUP)) == 2
    assert len(world.said(MessageKind.OVERDUE)) == 2  # the two items past due


FlakyMessenger = ScriptedMessenger


@pytest.fixture
def flaky(store: Store, settings: Settings) -> Iterator[tuple[World, FlakyMessenger, list[float]]]:
    """A world whose messenger fails on demand; sleeps are recorded, never slept."""
    messenger = FlakyMessenger()
    slept: list[float] = []
    app = bootstrap(settings, messenger=messenger, store=store, migrate=False, sleep=slept.append)
    yield World(app, messenger), messenger, slept


def test_rate_limited_then_accepted_delivers_once(
    flaky: tuple[World, FlakyMessenger, list[float]],
) -> None:
    world, messenger, slept = flaky
    world.setup(MON)
    messenger.failures.append(DeliveryError(DeliveryCode.RATE_LIMITED, retry_after=1))
    world.tick(at(2026, 11, 23, 9, 30))
    assert len(world.said(MessageKind.STANDUP)) == 1
    assert 1 in slept  # Retry-After waited out through the injected sleep
    (row,) = world.rows("standup")
    assert row.state == "sent" and row.attempts == 2


def test_a_long_retry_after_is_left_for_the_next_tick(
    flaky: tuple[World, FlakyMessenger, list[float]],
) -> None:
    world, messenger, slept = flaky
    world.setup(MON)
    messenger.failures.append(DeliveryError(DeliveryCode.RATE_LIMITED, retry_after=120))
    world.tick(at(2026, 11, 23, 9, 30))
    assert world.said(MessageKind.STANDUP) == [] and 120 not in slept
    world.tick(at(2026, 11, 23, 9, 31))  # Slack asked for two minutes
    assert world.said(MessageKind.STANDUP) == []
    world.tick(at(2026, 11, 23, 9, 33))
    assert len(world.said(MessageKind.STANDUP)) == 1


def test_permanent_errors_are_recorded_reported_once_and_not_retried(
    flaky: tuple[World, FlakyMessenger, list[float]],
) -> None:
    world, messenger, _slept = flaky
    world.setup(MON)
    messenger.broken_chats.add("C0LOG")  # the bot was removed from the channel
    world.ask("请停止线下拒单", at(2026, 11, 23, 9, 0))
    world.ask("确认退货流程", at(2026, 11, 23, 9, 1))
    world.step(at(2026, 11, 23, 9, 30), at(2026, 11, 24, 12, 0), timedelta(minutes=30))
    failed = [r for kind in ("tracking", "standup", "unanswered") for r in world.rows(kind)]
    assert failed and all(r.state == "failed" for r in failed)
    assert all(r.attempts == 1 and "not_in_chat" in (r.last_error or "") for r in failed)
    reports = world.said(MessageKind.DELIVERY_FAILURE)
    assert len(reports) == 1 and reports[0].user == "wang"
    assert "not_in_chat" in reports[0].message.plain()  # type: ignore[union-attr]


def test_the_fake_slack_answering_429_then_200_delivers_once(
    store: Store, settings: Settings
) -> None:
    pytest.importorskip("handlers.slack.messenger")
    from slack_sdk import WebClient

    from handlers.slack.messenger import SlackMessenger
    from tests.fakes.slack import FakeSlack

    with FakeSlack() as slack:
        slack.add_channel("C0LOG", "logistics")
        slack.add_channel("C0CS", "customer-service")
        slack.add_channel("C-general", "general")
        # No retry handler in the client: the 429 reaches the outbox, which honours Retry-After.
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        slept: list[float] = []
        app = bootstrap(
            settings,
            messenger=SlackMessenger(client),
            store=store,
            migrate=False,
            sleep=slept.append,
        )
        world = World(app, RecordingMessenger())
        world.setup(MON)
        slack.fail_next("chat.postMessage", status=429, retry_after=1)
        world.tick(at(2026, 11, 23, 9, 30))
        posts = slack.messages("C0LOG")
        assert len(posts) == 1 and "Stand-up" in posts[0].all_text
        assert len(slack.calls_to("chat.postMessage")) == 2
        assert 1 in slept
        world.tick(at(2026, 11, 23, 9, 45))
        assert len(slack.messages("C0LOG")) == 1
