"""Meeting minutes into items: preview, unreadable lines shown, filing all at once."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.bootstrap import App
from bot.messages import MessageKind
from handlers.console.messenger import RecordingMessenger
from storage.models import Item
from tests.bot.test_services import item, run, setup_departments
from tests.conftest import CtxFactory

NOTES = """周会纪要 11/23
1. @chen 周三前整理客户投诉清单
2. @logistics relabel the blue pallets by Friday
- @wang 跟进退货 尽快
* @finance send the price list by Friday
随便聊了聊
"""


def _count(app: App) -> int:
    with app.store.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Item)) or 0)


def test_preview_proposes_items_and_shows_the_lines_it_cannot_read(
    app: App, ctx: CtxFactory
) -> None:
    setup_departments(app, ctx)
    preview = run(app, ctx, "mei", "minutes " + NOTES, channel="C0CS")
    text = preview.plain()
    assert "2 items to file" in text, text
    assert "整理客户投诉清单" in text and "request to 物流部: relabel the blue pallets" in text
    # Nothing dropped silently: every other line is shown with its reason.
    assert "“周会纪要 11/23”: names no @person or @department" in text
    assert "“- @wang 跟进退货 尽快”: has no due date" in text
    assert "@finance is neither a department nor anyone" in text and "“随便聊了聊”" in text
    assert "/xdept minutes confirm" in text
    assert _count(app) == 0  # a preview files nothing


def test_confirm_files_all_in_one_go_and_posts_one_summary(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    reply = run(app, ctx, "mei", "纪要 确认 " + NOTES, channel="C0CS", locale="zh")
    text = reply.plain()
    assert "已根据纪要提交 2 项" in text and "以下 4 行未能识别为事项" in text, text
    todo, ask = item(app, 1), item(app, 2)
    assert (
        todo.kind == "action" and todo.owner_id == "chen" and todo.text == "周三前整理客户投诉清单"
    )
    assert ask.kind == "request" and ask.channel_id == "C0LOG" and ask.due_at is not None
    summaries = [s for s in messenger.of("post") if s.chat == "C0CS" and s.message
                 and s.message.kind is MessageKind.NOTE]  # fmt: skip
    assert len(summaries) == 1
    summary = summaries[0].message.plain()  # type: ignore[union-attr]
    assert "XD-1" in summary and "XD-2" in summary and "物流部" in summary


def test_nothing_is_filed_when_one_line_fails_at_filing(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    notes = "@chen 周三前整理清单\n@mei " + "x" * 4100 + " by Friday"
    reply = run(app, ctx, "mei", "minutes confirm " + notes, channel="C0CS")
    assert reply.kind is MessageKind.ERROR and "4,000" in reply.plain()
    assert _count(app) == 0  # all or none


def test_minutes_alone_says_how_and_notes_with_no_item_are_refused(
    app: App, ctx: CtxFactory
) -> None:
    setup_departments(app, ctx)
    assert "one action item a line" in run(app, ctx, "mei", "minutes").plain()
    refused = run(app, ctx, "mei", "minutes confirm just talk\nmore talk", channel="C0CS")
    assert refused.kind is MessageKind.ERROR and "nothing was filed" in refused.plain()
