"""The tick against a real database: who gets which message, when, recorded once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain import UpdateKind
from bot.messages import ButtonAction, MentionSpan, MessageKind, plain
from scheduler.tick import tick
from storage.inbox import request_row
from storage.models import Item, OutboxMessage, Standup, StandupReply
from tests.conftest import at
from tests.scheduler.conftest import World

MON = at(2026, 11, 23, 8, 0)  # Monday, Asia/Shanghai


def mentions(sent: object) -> list[str]:
    message = sent.message  # type: ignore[attr-defined]
    spans = [s for sec in message.sections for s in sec.body]
    return [s.user_id for s in spans if isinstance(s, MentionSpan)]


def test_stand_up_lists_what_waits_on_the_department_and_keeps_replies(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    world.ask("确认退货流程", at(2026, 11, 23, 9, 5))
    world.tick(at(2026, 11, 23, 9, 15))
    assert world.said(MessageKind.STANDUP) == []
    world.tick(at(2026, 11, 23, 9, 30))
    prompts = world.said(MessageKind.STANDUP)
    assert len(prompts) == 1 and prompts[0].chat == "C0LOG"  # customer service: standup:off
    text = prompts[0].message.plain()  # type: ignore[union-attr]
    assert code in text and "XD-2" in text and "Waiting for a first response" in text
    assert "wang" in mentions(prompts[0])
    with world.app.store.unit_of_work() as uow:
        standup = uow.session.scalar(select(Standup))
        assert standup is not None and standup.local_date == "2026-11-23"
        assert standup.message_id == prompts[0].message_id  # delivery recorded where it landed
    # A reply in its thread is stored as a stand-up answer.
    outcome = world.app.core.items.record_reply(
        ctx=world.ctx("chen", at(2026, 11, 23, 9, 40), channel="C0LOG"),
        channel_id="C0LOG",
        thread_id=prompts[0].message_id or "",
        message_id="1790000000.000100",
        text="今天先处理华东仓的盘点",
    )
    assert outcome.standup
    with world.app.store.unit_of_work() as uow:
        assert uow.session.scalar(select(StandupReply.text)) == "今天先处理华东仓的盘点"
    world.tick(at(2026, 11, 23, 9, 45))
    assert len(world.said(MessageKind.STANDUP)) == 1


def test_no_stand_up_on_weekends_and_none_more_than_two_hours_late(world: World) -> None:
    world.setup(MON - timedelta(days=3))
    world.tick(at(2026, 11, 21, 9, 30))  # Saturday
    world.tick(at(2026, 11, 22, 9, 30))  # Sunday
    assert world.said(MessageKind.STANDUP) == []
    world.tick(at(2026, 11, 23, 11, 31))  # two hours and a minute late: skipped
    assert world.said(MessageKind.STANDUP) == []
    world.tick(at(2026, 11, 24, 11, 30))  # exactly two hours late: still goes
    assert len(world.said(MessageKind.STANDUP)) == 1


def test_reminders_go_to_the_right_people_and_are_recorded(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    world.step(at(2026, 11, 23, 9, 0), at(2026, 11, 27, 18, 0), timedelta(minutes=30))

    unanswered = world.said(MessageKind.UNANSWERED)
    assert len(unanswered) == 1 and unanswered[0].chat == "C0LOG"
    item = world.item(code)
    assert unanswered[0].thread_id == item.message_id  # in the item's thread
    assert mentions(unanswered[0]) == ["wang", "mei"]  # the leads, then the requester named

    suggestion = world.said(MessageKind.ESCALATION_SUGGESTION)
    assert len(suggestion) == 1 and suggestion[0].user == "mei"
    button = suggestion[0].message.buttons[0]  # type: ignore[union-attr]
    assert button.action is ButtonAction.ESCALATE and button.value == code

    assert len(world.said(MessageKind.DUE_SOON)) == 1
    assert len(world.said(MessageKind.OVERDUE)) == 1

    nudged = world.updates(code, UpdateKind.NUDGED.value)
    assert [u.data["reminder"] for u in nudged] == ["unanswered", "due_soon", "overdue"]
    suggested = world.updates(code, UpdateKind.ESCALATION_SUGGESTED.value)
    assert len(suggested) == 1 and suggested[0].data["to"] == "mei"


def test_ticking_twice_at_one_instant_writes_nothing_more(world: World) -> None:
    world.setup(MON)
    world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    first = tick(world.app.store, world.app.settings, now=at(2026, 11, 23, 18, 0))
    again = tick(world.app.store, world.app.settings, now=at(2026, 11, 23, 18, 0))
    assert first.written["unanswered"] == 1 and again.messages == 0
    assert len(world.keys("unanswered")) == 1


def test_an_away_owner_is_skipped_for_the_leads(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Wednesday", at(2026, 11, 23, 9, 0))
    world.run("chen", f"ack {code}", at(2026, 11, 23, 9, 10), channel="C0LOG")
    world.run("chen", "away next Monday", at(2026, 11, 23, 9, 20))
    world.step(at(2026, 11, 24, 17, 0), at(2026, 11, 25, 18, 0), timedelta(minutes=30))
    due_soon = world.said(MessageKind.DUE_SOON)
    overdue = world.said(MessageKind.OVERDUE)
    assert len(due_soon) == 1 and mentions(due_soon[0])[0] == "wang"
    assert len(overdue) == 1 and mentions(overdue[0])[0] == "wang"


def test_away_leads_are_skipped_while_another_lead_is_in(world: World) -> None:
    world.setup(MON)
    world.run("admin", "dept set logistics lead:@li", MON)
    world.run("wang", "away next Monday", MON)
    world.ask("请停止线下拒单", at(2026, 11, 23, 9, 0))
    world.tick(at(2026, 11, 23, 9, 30))
    world.tick(at(2026, 11, 23, 18, 0))
    assert mentions(world.said(MessageKind.UNANSWERED)[0])[0] == "li"
    assert "wang" not in mentions(world.said(MessageKind.STANDUP)[0])


def test_closed_items_are_never_nudged(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    world.run("mei", f"cancel {code}", at(2026, 11, 23, 9, 30))
    world.step(at(2026, 11, 23, 10, 0), at(2026, 12, 4, 18, 0), timedelta(hours=1))
    for kind in (
        MessageKind.UNANSWERED,
        MessageKind.DUE_SOON,
        MessageKind.OVERDUE,
        MessageKind.ESCALATION_SUGGESTION,
    ):
        assert world.said(kind) == []
    assert world.item(code).next_check_at is None


def test_snoozed_item_is_quiet_then_sends_what_fell_due_once(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Tuesday", at(2026, 11, 23, 9, 0))
    world.run("chen", f"snooze {code} 3 days", at(2026, 11, 23, 9, 10), channel="C0LOG")
    # Snoozed until Thursday 09:10; Monday's nudge, Tuesday's due time and more fall inside.
    world.step(at(2026, 11, 23, 9, 30), at(2026, 11, 26, 9, 0), timedelta(minutes=30))
    reminders = [
        s
        for s in world.messenger.sent
        if s.message is not None
        and s.message.kind
        in (MessageKind.UNANSWERED, MessageKind.OVERDUE, MessageKind.ESCALATION_SUGGESTION)
    ]
    assert reminders == []
    world.step(at(2026, 11, 26, 9, 30), at(2026, 11, 26, 12, 0), timedelta(minutes=30))
    after = [
        s.message.kind
        for s in world.messenger.sent
        if s.message is not None
        and s.message.kind
        in (MessageKind.UNANSWERED, MessageKind.OVERDUE, MessageKind.ESCALATION_SUGGESTION)
    ]
    assert after == [MessageKind.ESCALATION_SUGGESTION]


def test_items_without_due_date_still_get_unanswered_and_escalation(world: World) -> None:
    world.setup(MON)
    world.ask("确认退货流程", at(2026, 11, 23, 9, 0))
    world.step(at(2026, 11, 23, 9, 0), at(2026, 12, 4, 18, 0), timedelta(hours=1))
    assert len(world.said(MessageKind.UNANSWERED)) == 1
    assert len(world.said(MessageKind.ESCALATION_SUGGESTION)) == 1
    assert world.said(MessageKind.DUE_SOON) == world.said(MessageKind.OVERDUE) == []


def test_a_commitment_reminds_its_owner_in_its_own_thread(world: World) -> None:
    world.setup(MON)
    world.run("chen", "commit 整理退货台账 by Wednesday", at(2026, 11, 23, 9, 0), channel="C-team")
    world.step(at(2026, 11, 24, 17, 0), at(2026, 11, 25, 18, 0), timedelta(minutes=30))
    due_soon = world.said(MessageKind.DUE_SOON)
    assert len(due_soon) == 1 and due_soon[0].chat == "C-team"
    assert mentions(due_soon[0])[0] == "chen"
    assert world.said(MessageKind.UNANSWERED) == []


def test_a_new_threshold_applies_to_items_already_filed(world: World) -> None:
    world.setup(MON)
    world.ask("请停止线下拒单", at(2026, 11, 23, 9, 0))
    world.tick(at(2026, 11, 23, 9, 5))  # the item's reminders are worked out: 18:00 today
    world.run("admin", "dept set logistics first_response:2h", at(2026, 11, 23, 9, 10))
    world.tick(at(2026, 11, 23, 11, 0))
    assert len(world.said(MessageKind.UNANSWERED)) == 1


def test_the_next_check_waits_for_the_next_reminder(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    world.tick(at(2026, 11, 23, 9, 1))
    # The unanswered nudge, eight business hours after filing.
    assert world.item(code).next_check_at == at(2026, 11, 23, 17, 0)
    with world.app.store.unit_of_work() as uow:
        due = uow.session.scalars(
            select(Item.id).where(Item.next_check_at <= at(2026, 11, 23, 16, 59))
        ).all()
    assert due == []


def test_outbox_rows_carry_item_kind_and_slot_keys(world: World) -> None:
    world.setup(MON)
    world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    world.step(at(2026, 11, 23, 9, 0), at(2026, 12, 1, 10, 0), timedelta(hours=1))
    with world.app.store.unit_of_work() as uow:
        keys = list(uow.session.scalars(select(OutboxMessage.dedupe_key)))
    assert "unanswered:item:1" in keys
    assert "escalation_suggestion:item:1" in keys
    assert "due_soon:item:1:20261127T1000Z" in keys
    assert "overdue:item:1:20261127T1000Z:n1" in keys
    assert "standup:dept:1:2026-11-23" in keys
    assert "summary:dept:1:2026-W48" in keys
    assert plain(world.said(MessageKind.SUMMARY)[0].message.title)  # type: ignore[union-attr]


def test_a_reminder_queued_before_the_item_closed_is_not_sent(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单", at(2026, 11, 23, 9, 0))
    tick(world.app.store, world.app.settings, now=at(2026, 11, 23, 17, 0))  # queued, not sent
    world.run("wang", f"done {code}", at(2026, 11, 23, 17, 0), channel="C0LOG")
    world.tick(at(2026, 11, 23, 17, 1))
    assert world.said(MessageKind.UNANSWERED) == []
    assert [r.state for r in world.rows("unanswered")] == ["skipped"]


def test_the_tick_forgets_finished_inbox_rows_after_a_week(world: World) -> None:
    world.setup(MON)
    with world.app.store.unit_of_work() as uow:
        for key, age in (("Ev-old", 8), ("Ev-recent", 1)):
            received = MON - timedelta(days=age)
            uow.inbox.add(
                request_row(
                    platform="slack",
                    workspace="T1",
                    key=key,
                    kind="test",
                    payload={},
                    now=received,
                    claim="c",
                    lease_until=received,
                )
            )
            row = uow.inbox.by_key("slack", key)
            assert row is not None
            uow.inbox.finish(row.id, "c", now=received)
    world.tick(MON + timedelta(minutes=5))
    with world.app.store.unit_of_work() as uow:
        assert uow.inbox.by_key("slack", "Ev-recent") is not None
        assert uow.inbox.by_key("slack", "Ev-old") is None


def test_a_deactivated_owner_is_away_for_good_and_dept_show_lists_them(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Wednesday", at(2026, 11, 23, 9, 0))
    world.run("chen", f"ack {code}", at(2026, 11, 23, 9, 10), channel="C0LOG")
    core = world.app.core
    core.departments.person_left(
        ctx=world.ctx("chen", at(2026, 11, 23, 9, 20)), user_id="chen", left=True
    )
    world.step(at(2026, 11, 24, 17, 0), at(2026, 11, 25, 18, 0), timedelta(minutes=30))
    overdue = world.said(MessageKind.OVERDUE)
    assert len(overdue) == 1 and mentions(overdue[0])[0] == "wang"
    shown = world.run("admin", "dept show logistics", at(2026, 11, 25, 18, 5)).plain()
    assert "Left the workspace" in shown and "-member:@x" in shown


def test_the_next_stand_up_quotes_the_replies_to_the_last_one(world: World) -> None:
    world.setup(MON)
    world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    world.tick(at(2026, 11, 23, 9, 30))
    (first,) = world.said(MessageKind.STANDUP)
    assert "Last stand-up" not in first.message.plain()  # type: ignore[union-attr]
    long_reply = "今天先处理华东仓的盘点，" + "然后核对退货单据" * 20
    for n, (who, said) in enumerate((("chen", long_reply), ("wang", "XD-1 周三前给方案"))):
        world.app.core.items.record_reply(
            ctx=world.ctx(who, at(2026, 11, 23, 9, 40 + n), channel="C0LOG"),
            channel_id="C0LOG",
            thread_id=first.message_id or "",
            message_id=f"1790000000.00010{n}",
            text=said,
        )
    world.tick(at(2026, 11, 24, 9, 30))
    second = world.said(MessageKind.STANDUP)[-1].message
    assert second is not None
    quoted = next(s for s in second.sections if s.heading and "Last stand-up" in s.heading)
    assert quoted.heading == "💬 Last stand-up (2026-11-23)"
    body = second.plain()
    assert "XD-1 周三前给方案" in body and "今天先处理华东仓的盘点" in body
    assert long_reply not in body and "…" in body  # quoted in brief
    # Nobody answered Tuesday's: Wednesday's prompt quotes nothing (Monday's is old news).
    world.tick(at(2026, 11, 25, 9, 30))
    third = world.said(MessageKind.STANDUP)[-1].message
    assert third is not None and "Last stand-up" not in third.plain()
