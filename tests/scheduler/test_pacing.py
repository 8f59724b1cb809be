"""Each chat at its own pace: one chat's pause never holds up another, and no chat ever
gets two messages closer than the interval, whichever threads send them."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.messages import Message, MessageKind, Section, text
from bot.outbox import channel_message
from bot.ports import DeliveryCode, DeliveryError, OneMessenger
from handlers.console.messenger import RecordingMessenger
from scheduler.delivery import Deliverer
from scheduler.pacing import LogicalClock
from storage.db import Store
from storage.models import ChatPace, OutboxMessage
from tests.conftest import at
from tests.scheduler.messengers import ScriptedMessenger

NOW = at(2026, 11, 23, 9, 0)


def ClockedMessenger(chat_interval: float) -> ScriptedMessenger:  # noqa: N802 - a factory
    """A messenger that keeps the pace clock's time of every post, per chat."""
    return ScriptedMessenger(chat_interval=chat_interval, clock=LogicalClock(start=NOW))


def queue(store: Store, chats: list[str], per_chat: int, *, now: datetime = NOW) -> None:
    """`per_chat` messages for each chat, queued round-robin (as a busy tick would)."""
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("slack", "T1", now=now, timezone="UTC")
        for n in range(per_chat):
            for chat in chats:
                body = Message(kind=MessageKind.NOTE, sections=[Section(body=[text(f"{n}")])])
                channel_message(
                    uow,
                    workspace_id=ws.id,
                    channel_id=chat,
                    message=body,
                    key=f"{chat}:{n}",
                    now=now,
                )


def gaps(times: list[datetime]) -> list[float]:
    """Seconds between consecutive posts."""
    return [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]


def deliverer(store: Store, settings: Settings, messenger: ScriptedMessenger) -> Deliverer:
    """A deliverer on the messenger's clock that may wait up to ten minutes."""
    return Deliverer(store, OneMessenger(messenger), settings, clock=messenger.clock, max_wait=600)


def test_five_chats_of_six_messages_take_five_intervals_not_twenty_five(
    store: Store, settings: Settings
) -> None:
    messenger = ClockedMessenger(chat_interval=1.0)
    chats = [f"C{n}" for n in range(5)]
    queue(store, chats, 6)
    start = messenger.clock.now()
    report = deliverer(store, settings, messenger).deliver_pending(now=NOW)
    assert report.sent == 30
    for chat in chats:
        assert len(messenger.times[chat]) == 6
        assert min(gaps(messenger.times[chat])) >= 1.0
        # In the order queued.
        assert [s.message.plain() for s in messenger.sent if s.chat == chat] == [  # type: ignore[union-attr]
            str(n) for n in range(6)
        ]
    elapsed = (max(max(t) for t in messenger.times.values()) - start).total_seconds()
    assert 5.0 <= elapsed < 6.0  # the chats wait side by side
    assert report.paced == pytest.approx(elapsed, abs=0.5)


def test_a_retry_after_holds_back_its_chat_alone(store: Store, settings: Settings) -> None:
    messenger = ClockedMessenger(chat_interval=1.0)
    messenger.failures_in["C0"] = [DeliveryError(DeliveryCode.RATE_LIMITED, retry_after=4)]
    queue(store, ["C0", "C1", "C2"], 3)
    start = messenger.clock.now()
    report = deliverer(store, settings, messenger).deliver_pending(now=NOW)
    assert report.sent == 9 and report.retried == 1
    for chat in ("C1", "C2"):
        offsets = [(t - start).total_seconds() for t in messenger.times[chat]]
        assert offsets[-1] < 3.0  # done before C0's Retry-After was over
    held = [(t - start).total_seconds() for t in messenger.times["C0"]]
    assert held[0] >= 4.0 and min(gaps(messenger.times["C0"])) >= 1.0
    with store.unit_of_work() as uow:
        states = set(uow.session.scalars(select(OutboxMessage.state)))
    assert states == {"sent"}


def test_a_chat_paced_by_an_earlier_run_waits_only_for_the_rest_of_its_interval(
    store: Store, settings: Settings
) -> None:
    messenger = ClockedMessenger(chat_interval=1.0)
    queue(store, ["C0"], 1)
    d = deliverer(store, settings, messenger)
    d.deliver_pending(now=NOW)
    queue(store, ["C0"], 1, now=NOW)  # the same key: nothing new
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get("slack", "T1")
        assert ws is not None
        body = Message(kind=MessageKind.NOTE, sections=[Section(body=[text("again")])])
        channel_message(uow, workspace_id=ws.id, channel_id="C0", message=body, key="x", now=NOW)
        pace = uow.session.scalars(select(ChatPace)).one()
        assert pace.chat == "C0" and not pace.sending
    report = d.deliver_pending(now=NOW)
    assert report.sent == 1 and report.paced == pytest.approx(1.0, abs=0.01)
    assert gaps(messenger.times["C0"]) == [pytest.approx(1.0, abs=0.01)]


def test_threads_delivering_together_keep_every_chats_pace(
    store: Store, settings: Settings
) -> None:
    messenger = ClockedMessenger(chat_interval=1.0)
    chats = [f"C{n}" for n in range(4)]
    queue(store, chats, 5)
    url = store.engine.url.render_as_string(hide_password=False)
    stores = [store] + [Store.from_url(url) for _ in range(2)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def run(s: Store) -> None:
        try:
            barrier.wait()
            deliverer(s, settings, messenger).deliver_pending(now=NOW)
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for s in stores[1:]:
            s.dispose()
    assert errors == []
    keys = [s.key for s in messenger.sent]
    assert sorted(keys) == sorted(f"{c}:{n}" for c in chats for n in range(5))  # each once
    for chat in chats:
        assert min(gaps(messenger.times[chat])) >= 1.0, messenger.times[chat]


def test_without_a_pace_nothing_is_written_to_the_pace_table(
    store: Store, settings: Settings
) -> None:
    messenger = ClockedMessenger(chat_interval=0.0)
    queue(store, ["C0", "C1"], 3)
    report = deliverer(store, settings, messenger).deliver_pending(now=NOW)
    assert report.sent == 6 and report.paced == 0
    with store.unit_of_work() as uow:
        assert list(uow.session.scalars(select(ChatPace))) == []


def test_a_use_case_waits_a_little_for_its_chat_then_leaves_the_rest_to_the_tick(
    store: Store, settings: Settings
) -> None:
    messenger = ClockedMessenger(chat_interval=1.0)
    queue(store, ["C0"], 8)
    d = Deliverer(store, OneMessenger(messenger), settings, clock=messenger.clock, rows_wait=3)
    with store.unit_of_work() as uow:
        ids = list(uow.session.scalars(select(OutboxMessage.id)))
    report = d.deliver_rows(ids, now=NOW)
    assert report.sent == 4  # at 0, 1, 2 and 3 seconds
    later = d.deliver_pending(now=NOW + timedelta(minutes=1))
    assert later.sent == 4
    assert min(gaps(messenger.times["C0"])) >= 1.0


def test_what_must_wait_for_its_chat_is_named_with_the_instant_it_may_go(
    store: Store, settings: Settings
) -> None:
    messenger = ClockedMessenger(chat_interval=1.0)
    queue(store, ["C0", "C1"], 2)
    d = Deliverer(store, OneMessenger(messenger), settings, clock=messenger.clock, rows_wait=0)
    with store.unit_of_work() as uow:
        ids = sorted(uow.session.scalars(select(OutboxMessage.id)))
    report = d.deliver_rows(ids, now=NOW)
    assert report.sent == 2 and report.paced == 0  # one a chat; nobody waited
    assert report.waiting == ids[2:]
    assert report.ready_at == messenger.clock.now() + timedelta(seconds=1)


@pytest.mark.slow
def test_a_pump_sends_what_waits_for_its_chat_without_holding_the_caller(
    store: Store, settings: Settings
) -> None:
    """Real time (a 0.1 s pace): the caller returns at once, the pump's thread sends the
    rest at the chat's pace."""
    import time

    from scheduler.pacing import WallClock

    clock = WallClock()
    messenger = RecordingMessenger(chat_interval=0.1)
    queue(store, ["C0"], 4)
    d = Deliverer(store, OneMessenger(messenger), settings, clock=clock, pump=True)
    with store.unit_of_work() as uow:
        ids = sorted(uow.session.scalars(select(OutboxMessage.id)))
    begin = time.monotonic()
    report = d.deliver_rows(ids, now=clock.now())
    assert time.monotonic() - begin < 0.1 and report.sent == 1
    deadline = time.monotonic() + 5
    while len(messenger.sent) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)  # waiting on the pump's thread
    assert [s.key for s in messenger.sent] == [f"C0:{n}" for n in range(4)]
    assert d.stop() and d.deliver_rows(ids, now=clock.now()).sent == 0  # stopped, all sent
    with store.unit_of_work() as uow:
        assert set(uow.session.scalars(select(OutboxMessage.state))) == {"sent"}
