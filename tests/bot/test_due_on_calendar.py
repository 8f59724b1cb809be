"""Due dates and snoozes through the commands, on the target department's calendar.

Filing reads `N business days`, `next week` and the like on the department's
work days, holidays and make-up days; a date phrase naming no real day or a
weekday that disagrees with its date is refused, quoting the phrase, and
nothing is filed. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.bootstrap import App
from bot.messages import MessageKind
from storage.models import Item, OutboxMessage
from tests.conftest import CtxFactory, at

# Wednesday 30 September 2026, Shanghai: 1-7 October are off, Saturday 10 October is worked.
EVE = at(2026, 9, 30, 10, 0)


def setup(app: App, ctx: CtxFactory) -> None:
    """Logistics keeps China's holidays; customer service keeps none."""
    for line in (
        "dept add logistics #C0LOG lead:@wang escalate:@zhao name:物流部 holidays:CN",
        "dept add customer-service #C0CS lead:@lily escalate:@zhao name:客服部",
    ):
        reply = app.core.run_command(ctx("admin", EVE - timedelta(hours=1)), line)
        assert reply.kind is not MessageKind.ERROR, reply.plain()


def due_of(app: App, number: int) -> Item:
    with app.store.unit_of_work() as uow:
        found = uow.items.by_number(1, number)
        assert found is not None
        uow.session.expunge(found)
        return found


def count(app: App, model: type) -> int:
    with app.store.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_filing_counts_the_target_departments_work_days(app: App, ctx: CtxFactory) -> None:
    setup(app, ctx)
    run = app.core.run_command
    run(ctx("mei", EVE), "ask @logistics 盘点退货 2个工作日内")
    run(ctx("mei", EVE), "ask @customer-service 回访客户 2个工作日内")
    run(ctx("mei", EVE), "ask @logistics relabel pallets by next week")
    assert due_of(app, 1).due_at == at(2026, 10, 9, 18, 0)  # over the National Day holiday
    assert due_of(app, 2).due_at == at(2026, 10, 2, 18, 0)  # no holidays there
    assert due_of(app, 3).due_at == at(2026, 10, 10, 18, 0)  # the make-up Saturday
    # Changing the due date reads on the item's department calendar too.
    run(ctx("mei", EVE), "due XD-2 in 3 business days")
    assert due_of(app, 2).due_at == at(2026, 10, 5, 18, 0)
    run(ctx("mei", EVE), "due XD-1 in 3 business days")
    assert due_of(app, 1).due_at == at(2026, 10, 10, 18, 0)


def test_snooze_one_day_is_the_next_work_day_of_the_department(app: App, ctx: CtxFactory) -> None:
    setup(app, ctx)
    run = app.core.run_command
    run(ctx("mei", EVE), "ask @logistics 盘点退货 下周五")
    run(ctx("mei", EVE, channel="C0CS"), "commit 发周报 by Friday")
    late = EVE.replace(hour=15)
    run(ctx("wang", late), "snooze XD-1 1 day")
    assert due_of(app, 1).snoozed_until == at(2026, 10, 8, 15, 0)
    run(ctx("wang", late), "snooze XD-1 3个工作日")
    assert due_of(app, 1).snoozed_until == at(2026, 10, 10, 15, 0)
    # Without a department, the work week is Monday to Friday: Friday -> Monday.
    friday = at(2026, 10, 2, 11, 0)
    run(ctx("mei", friday, channel="C0CS"), "snooze XD-2 1 day")
    assert due_of(app, 2).snoozed_until == at(2026, 10, 5, 11, 0)


def test_a_date_phrase_naming_no_real_day_is_refused_quoting_it(app: App, ctx: CtxFactory) -> None:
    setup(app, ctx)
    run = app.core.run_command
    reply = run(ctx("mei", EVE), "ask @logistics 把3号仓库的10箱货发出，原定10月8日，改到2月30日")
    assert reply.kind is MessageKind.ERROR
    assert "2月30日" in reply.plain() and "10月8日" not in reply.plain(), reply.plain()
    reply = run(ctx("mei", EVE, locale="zh"), "ask @customer-service 回访 in 1.5 days")
    assert reply.kind is MessageKind.ERROR and "「in 1.5 days」" in reply.plain(), reply.plain()
    assert count(app, Item) == 0 and count(app, OutboxMessage) == 0
    run(ctx("mei", EVE), "ask @logistics 盘点 明天")
    reply = run(ctx("mei", EVE), "due XD-1 Feb 30")
    assert reply.kind is MessageKind.ERROR and "Feb 30" in reply.plain()
    assert due_of(app, 1).due_at == at(2026, 10, 1, 18, 0)


def test_a_weekday_that_disagrees_with_its_date_is_refused_with_both_readings(
    app: App, ctx: CtxFactory
) -> None:
    setup(app, ctx)
    run = app.core.run_command
    reply = run(ctx("mei", EVE), "ask @logistics ship the samples by Thu 10/16")
    text = reply.plain()
    assert reply.kind is MessageKind.ERROR, text
    assert "Thu 10/16" in text and "2026-10-16 18:00" in text and "2026-10-15 18:00" in text
    reply = run(ctx("mei", EVE, locale="zh"), "ask @logistics 寄样品 10月16号（周四）")
    assert "10月16号（周四）" in reply.plain() and "2026-10-15 18:00" in reply.plain()
    assert count(app, Item) == 0
    run(ctx("mei", EVE), "ask @logistics ship the samples by Fri 10/16")
    assert due_of(app, 1).due_at == at(2026, 10, 16, 18, 0)


def test_asap_is_filed_without_a_due_date_and_says_how_to_add_one(
    app: App, ctx: CtxFactory
) -> None:
    setup(app, ctx)
    reply = app.core.run_command(ctx("mei", EVE), "ask @logistics 尽快处理拒收的订单 ASAP")
    assert reply.kind is not MessageKind.ERROR
    assert "/xdept due XD-1" in reply.plain()
    assert due_of(app, 1).due_at is None


def test_a_past_phrase_in_a_whole_text_is_quoted_alone(app: App, ctx: CtxFactory) -> None:
    setup(app, ctx)
    reply = app.core.run_command(ctx("mei", EVE), "ask @logistics 盘点退货，截止2026年9月1日")
    assert reply.kind is MessageKind.ERROR
    assert "2026年9月1日" in reply.plain() and "盘点退货" not in reply.plain(), reply.plain()
