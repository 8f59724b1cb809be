"""Requests that carry their case, progress notes, four-part status, edits, history and
languages, through Core.run_command on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import App
from bot.messages import MessageKind
from handlers.console.messenger import RecordingMessenger
from tests.bot.test_services import MON, item, run, setup_departments
from tests.conftest import CtxFactory


def _thread(messenger: RecordingMessenger, chat: str = "C0LOG") -> list[str]:
    return [
        s.message.plain() for s in messenger.sent if s.thread_id and s.message and s.chat == chat
    ]


def test_confirmation_says_what_is_missing_and_the_impact_hint_comes_once(
    app: App, ctx: CtxFactory
) -> None:
    setup_departments(app, ctx)
    first = run(app, ctx, "mei", "ask @logistics relabel the pallets").plain()
    assert "No due date was given" in first and "/xdept due XD-1 <when>" in first
    assert "No impact was given" in first and "/xdept edit XD-1 impact:" in first
    second = run(app, ctx, "mei", "ask @logistics count the returns").plain()
    assert "No due date was given" in second  # the due hint stays (SPEC: it suggests due)
    assert "No impact was given" not in second  # told once, not nagged
    other = run(app, ctx, "amy", "ask @logistics fix the dock door by Friday").plain()
    assert "No due date" not in other and "No impact was given" in other
    full = run(app, ctx, "bob", "ask @logistics fix the scale by Friday impact: 3 trucks wait")
    assert "No impact" not in full.plain() and "No due" not in full.plain()
    zh = run(app, ctx, "lin", "ask @物流 请补打标签", locale="zh").plain()
    assert "未设置截止时间" in zh and "未说明影响" in zh and "影响：" in zh


def test_impact_and_suggestion_are_read_out_of_the_text(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @物流 请停止线下拒单 周五前，影响：本周12起客诉；建议：先登记原因")
    stored = item(app, 1)
    assert stored.text == "请停止线下拒单 周五前"
    assert stored.impact == "本周12起客诉" and stored.suggestion == "先登记原因"
    assert stored.due_at is not None  # the due date is read from the request's own text


def test_update_posts_a_progress_note_and_is_a_first_response(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics relabel the pallets by Friday")
    refused = run(app, ctx, "lily", "update XD-1 looked at it")
    assert refused.kind is MessageKind.ERROR and "member of the department" in refused.plain()
    reply = run(app, ctx, "chen", "进展 XD-1 已找到原因，明天改完", MON + timedelta(hours=1))
    assert reply.kind is not MessageKind.ERROR and "XD-1" in reply.plain()
    assert any("已找到原因，明天改完" in line for line in _thread(messenger))
    stored = item(app, 1)
    assert stored.first_response_by == "chen" and stored.status == "acknowledged"


def test_status_without_parts_shows_a_prefilled_template_then_posts_four_parts(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics relabel the pallets by Friday impact: 12 complaints")
    template = run(app, ctx, "chen", "status XD-1").plain()
    assert "/xdept status XD-1" in template and "background: relabel the pallets" in template
    assert "impact: 12 complaints" in template
    line = "status XD-1 current: printer fixed, relabelling half done suggest: check Monday"
    reply = run(app, ctx, "chen", line, MON + timedelta(hours=2))
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    posted = [s for s in messenger.sent if s.thread_id and s.message and s.message.title]
    report = posted[-1].message
    assert report is not None
    headings = [s.heading for s in report.sections]
    assert headings == ["Background", "Current state", "Impact", "Suggestion"]
    assert "printer fixed" in report.plain() and "12 complaints" in report.plain()
    assert item(app, 1).suggestion == "check Monday"
    empty = run(app, ctx, "chen", "status XD-1 impact: more")
    assert empty.kind is MessageKind.ERROR and "current state" in empty.plain()


def test_edit_keeps_the_old_text_in_the_history_which_pages(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics relabel pallets by Friday")
    refused = run(app, ctx, "chen", "edit XD-1 something else")
    assert refused.kind is MessageKind.ERROR and "Only the person who filed" in refused.plain()
    run(app, ctx, "mei", "修改 XD-1 relabel the blue pallets by Friday", MON + timedelta(minutes=5))
    assert item(app, 1).text == "relabel the blue pallets by Friday"
    assert any("it was: “relabel pallets by Friday”" in line for line in _thread(messenger))
    run(app, ctx, "mei", "edit XD-1 impact: the Monday trucks", MON + timedelta(minutes=6))
    assert item(app, 1).text == "relabel the blue pallets by Friday"
    assert item(app, 1).impact == "the Monday trucks"
    same = run(app, ctx, "mei", "edit XD-1 impact: the Monday trucks")
    assert same.kind is MessageKind.ERROR and "nothing was changed" in same.plain()
    for n in range(25):
        run(app, ctx, "chen", f"update XD-1 step {n}", MON + timedelta(minutes=10 + n))
    page1 = run(app, ctx, "mei", "history XD-1").plain()
    assert "page 1 of 2" in page1 and "relabel pallets by Friday" in page1  # the old text
    assert "edited the text" in page1 and "history XD-1 page 2" in page1
    page2 = run(app, ctx, "mei", "历史 XD-1 第2页").plain()
    assert "page 2 of 2" in page2 and "step 24" in page2 and "step 0:" not in page2
    hidden = run(app, ctx, "stranger", "history XD-1", channel="C-other")
    assert "XD-1" in hidden.plain()  # public department channel: anyone may look back


def test_lang_is_a_persons_own_choice_over_the_platform_locale(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    assert "中文" in run(app, ctx, "mei", "lang zh").plain()
    reply = run(app, ctx, "mei", "ask @logistics relabel pallets by Friday", locale="en")
    assert "已提交 XD-1" in reply.plain()
    bad = run(app, ctx, "mei", "lang fr")
    assert bad.kind is MessageKind.ERROR and "zh" in bad.plain()
    run(app, ctx, "mei", "语言 英文")
    assert "Filed XD-2" in run(app, ctx, "mei", "ask @logistics b by Friday", locale="zh").plain()


def test_move_sends_a_request_to_another_department_with_fresh_clocks(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    from scheduler.runner import tick_and_deliver

    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics refund order 12345 by Friday")
    run(app, ctx, "chen", "ack XD-1", MON + timedelta(minutes=5))
    old_message = item(app, 1).message_id
    refused = run(app, ctx, "chen", "move XD-1 @customer-service")
    assert refused.kind is MessageKind.ERROR and "lead of either department" in refused.plain()
    same = run(app, ctx, "mei", "move XD-1 @物流")
    assert same.kind is MessageKind.ERROR and "nothing was changed" in same.plain()
    later = MON + timedelta(hours=1)
    reply = run(app, ctx, "lily", "转部门 XD-1 给 @customer-service", later)  # the new lead
    assert reply.kind is not MessageKind.ERROR and "客服部" in reply.plain(), reply.plain()
    moved = item(app, 1)
    assert moved.channel_id == "C0CS" and moved.status == "open" and moved.owner_id is None
    assert moved.first_response_at is None and moved.clock_started_at == later
    posts = [
        s for s in messenger.of("post") if s.message and s.message.kind is MessageKind.TRACKING
    ]
    assert [p.chat for p in posts] == ["C0LOG", "C0CS"] and moved.message_id == posts[-1].message_id
    edits = [s for s in messenger.of("update") if s.message_id == old_message]
    assert edits and "followed up in" in edits[-1].message.plain()  # type: ignore[union-attr]
    # The unanswered clock runs again from the move: 8 business hours later, one nudge to CS.
    tick_and_deliver(app, now=later + timedelta(hours=7))
    assert not [s for s in messenger.sent if s.message and s.message.kind.value == "unanswered"]
    tick_and_deliver(app, now=later + timedelta(days=1, hours=2))
    nudges = [s for s in messenger.sent if s.message and s.message.kind.value == "unanswered"]
    assert len(nudges) == 1 and nudges[0].chat == "C0CS"
    history = run(app, ctx, "mei", "history XD-1").plain()
    assert "moved it" in history
