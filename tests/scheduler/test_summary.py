"""The weekly summary: figures computed from known data, posted Monday 09:00 once, on demand."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.bootstrap import bootstrap
from bot.messages import MessageKind, plain
from handlers.console.messenger import RecordingMessenger
from scheduler import facts
from scheduler.summary import due_period, post_due_summaries, week_so_far
from scheduler.summary.chart import Bar, cjk_font, labels, response_chart
from scheduler.summary.metrics import median, p90, week_metrics
from storage.db import Store
from storage.models import OutboxFile
from tests.conftest import at, make_settings
from tests.scheduler.conftest import World

MON = at(2026, 11, 23, 8, 0)
NEXT_MON = at(2026, 11, 30, 0, 0)


def test_median_and_nearest_rank_p90() -> None:
    assert median([]) is None and p90([]) is None
    assert median([3.0]) == 3.0 and p90([3.0]) == 3.0
    assert median([1.0, 2.0, 10.0, 20.0]) == 6.0
    assert p90([float(n) for n in range(1, 11)]) == 9.0  # the 9th of 10
    assert p90([2.0, 6.0, 0.5]) == 6.0  # ceil(2.7) = 3rd of 3


def standup_reply(world: World, user: str, now: datetime, text: str) -> None:
    prompt = world.said(MessageKind.STANDUP)[-1]
    outcome = world.app.core.items.record_reply(
        ctx=world.ctx(user, now, channel=prompt.chat),
        channel_id=prompt.chat,
        thread_id=prompt.message_id or "",
        message_id=f"{now.timestamp():.6f}",
        text=text,
    )
    assert outcome.standup


def thread_reply(world: World, user: str, code: str, now: datetime, text: str) -> None:
    item = world.item(code)
    assert item.channel_id and item.message_id
    world.app.core.items.record_reply(
        ctx=world.ctx(user, now, channel=item.channel_id),
        channel_id=item.channel_id,
        thread_id=item.message_id,
        message_id=f"{now.timestamp():.6f}",
        text=text,
    )


def a_week(world: World) -> None:
    """A week with known timings (Asia/Shanghai, work hours 09:00-18:00)."""
    world.setup(MON)
    world.ask("请停止线下拒单", at(2026, 11, 23, 9, 0))  # XD-1
    world.ask("补发华东仓的退货单", at(2026, 11, 23, 10, 0))  # XD-2
    world.tick(at(2026, 11, 23, 9, 30))
    standup_reply(world, "chen", at(2026, 11, 23, 9, 45), "盘点华东仓")
    thread_reply(world, "chen", "XD-1", at(2026, 11, 23, 11, 0), "收到，今天处理")  # 2.0 h
    world.run("chen", "ask @cs 客户投诉汇总", at(2026, 11, 23, 14, 0))  # XD-3, to cs
    world.run("lily", "ack XD-3", at(2026, 11, 23, 14, 30), channel="C0CS")  # 0.5 h
    world.run("wang", "ack XD-2", at(2026, 11, 23, 16, 0), channel="C0LOG")  # 6.0 h
    world.ask("更新承运商名单", at(2026, 11, 24, 9, 0))  # XD-4
    world.run("chen", "ack XD-4", at(2026, 11, 24, 9, 30), channel="C0LOG")  # 0.5 h
    world.tick(at(2026, 11, 24, 9, 30))
    standup_reply(world, "wang", at(2026, 11, 24, 9, 50), "跟进承运商")
    world.run("wang", "done XD-1", at(2026, 11, 24, 10, 0), channel="C0LOG")  # 10 h to done
    world.run("wang", "decline XD-2 不归物流部", at(2026, 11, 25, 10, 0), channel="C0LOG")
    world.ask("核对扫码枪电池 by Thursday", at(2026, 11, 25, 9, 0))  # XD-5: unanswered, overdue
    world.run("mei", "cancel XD-4", at(2026, 11, 26, 12, 0))
    world.ask("确认退货流程", at(2026, 11, 27, 17, 0))  # XD-6: unanswered


def test_week_metrics_from_known_data(world: World) -> None:
    a_week(world)
    with world.app.store.unit_of_work() as uow:
        depts = {d.id: d for d in facts.departments(uow.session).values()}
        period = due_period(at(2026, 11, 30, 9, 0), "Asia/Shanghai")
        assert period is not None and period.label == "2026-W48"
        weeks = week_metrics(
            uow.session,
            1,
            depts,
            start=period.start,
            end=period.end,
            standup_dates=period.standup_dates(),
        )
    log = next(w for w in weeks.values() if w.key == "logistics")
    assert log.opened == 5
    assert log.closed == {"done": 1, "declined": 1, "cancelled": 1} and log.closed_total == 3
    assert log.overdue == 1  # XD-5, due Thursday 18:00, still open at the week's end
    assert sorted(log.first_response_hours) == [0.5, 2.0, 6.0]
    assert median(log.first_response_hours) == 2.0 and p90(log.first_response_hours) == 6.0
    assert log.done_hours == [10.0]
    assert log.oldest_unanswered is not None and log.oldest_unanswered.code == "XD-5"
    assert log.oldest_unanswered.waited_hours == 27.0  # Wed, Thu, Fri: 9 h each
    assert log.standup_replies == 2 and log.standup_people == {"chen", "wang"}
    assert log.fastest() == [("chen", 1.25, 2), ("wang", 6.0, 1)]
    cs = next(w for w in weeks.values() if w.key == "cs")
    assert cs.opened == 1 and cs.first_response_hours == [0.5] and cs.fastest()[0][0] == "lily"


def test_weekly_summary_goes_monday_0900_to_each_department_once(world: World) -> None:
    a_week(world)
    world.tick(at(2026, 11, 30, 8, 45))
    assert world.said(MessageKind.SUMMARY) == []
    world.tick(at(2026, 11, 30, 9, 0))
    world.tick(at(2026, 11, 30, 9, 15))
    world.tick(at(2026, 11, 30, 13, 0))
    summaries = world.said(MessageKind.SUMMARY)
    assert sorted(s.chat for s in summaries) == ["C0CS", "C0LOG"]
    log = next(s for s in summaries if s.chat == "C0LOG").message
    assert log is not None
    text = log.plain()
    assert "Mon 23 Nov – Sun 29 Nov" in text
    assert "Opened 5 · closed 3 (done 1, declined 1, cancelled 1) · overdue 1" in text
    assert "First response: median 2.0 h, p90 6.0 h (3 requests)" in text
    assert "Time to done: median 10 h, p90 10 h (1 item)" in text
    assert "Oldest unanswered: XD-5, waiting 27 business hours" in text
    assert "Stand-up replies: 2 from 2 people" in text
    assert "Thanks to @chen (1.2 h), @wang (6.0 h)" in text
    uploads = world.messenger.of("upload")
    assert len(uploads) == 2 and all((u.content or b"").startswith(b"\x89PNG") for u in uploads)
    # The progress table: each open item with its status, owner, due and last update.
    table = next(s for s in log.sections if s.heading == "Progress of 物流部: open items")
    rows = plain(table.body).splitlines()
    assert rows and all(" · due " in row and ("last update" in row or "no update" in row)
                        for row in rows), rows  # fmt: skip


@pytest.fixture
def channel_world(store: Store) -> Iterator[World]:
    """A world whose summaries go to one summary channel, in Chinese."""
    messenger = RecordingMessenger()
    settings = make_settings(xdept_summary_channel="C-mgmt", xdept_locale="zh")
    app = bootstrap(
        settings, messenger=messenger, store=store, migrate=False, sleep=lambda _s: None
    )
    yield World(app, messenger)


def test_a_summary_channel_gets_one_message_for_every_department(channel_world: World) -> None:
    world = channel_world
    a_week(world)
    world.tick(at(2026, 11, 30, 9, 0))
    world.tick(at(2026, 11, 30, 9, 30))
    (summary,) = world.said(MessageKind.SUMMARY)
    assert summary.chat == "C-mgmt"
    message = summary.message
    assert message is not None
    headings = [s.heading for s in message.sections if s.heading]
    assert headings == ["客服部（@cs）", "物流部（@logistics）", "进展：未完成事项"]
    text = message.plain()
    assert (
        "周报" in text and "响应最快的部门：客服部（0.5 工作小时）、物流部（2.0 工作小时）" in text
    )
    assert "关闭事项最多的部门：物流部（3）" in text
    table = plain(message.sections[-1].body).splitlines()
    assert table and all(row.startswith(("物流部 · XD-", "客服部 · XD-")) for row in table)
    assert all("截止" in row for row in table), table
    (upload,) = world.messenger.of("upload")
    assert upload.chat == "C-mgmt" and (upload.content or b"").startswith(b"\x89PNG")


def test_summary_command_posts_the_week_so_far(world: World) -> None:
    a_week(world)
    now = at(2026, 11, 26, 15, 0)
    reply = world.run("mei", "summary", now)
    assert "Posted the summary of Mon 23 Nov – Thu 26 Nov 15:00" in reply.plain()
    posted = world.said(MessageKind.SUMMARY)
    assert sorted(s.chat for s in posted) == ["C0CS", "C0LOG"]
    log = next(s for s in posted if s.chat == "C0LOG").message
    assert log is not None and "this week so far" in log.plain()
    # Typed again a minute later: posted again (a new request), never twice for one command.
    world.run("mei", "summary", now + timedelta(minutes=1))
    assert len(world.said(MessageKind.SUMMARY)) == 4


def test_periods_are_weeks_in_the_workspace_zone() -> None:
    assert due_period(at(2026, 11, 30, 8, 59), "Asia/Shanghai") is None
    period = due_period(at(2026, 11, 30, 9, 0), "Asia/Shanghai")
    assert period is not None
    assert (period.start, period.end) == (at(2026, 11, 23, 0, 0), NEXT_MON)
    assert due_period(at(2026, 12, 1, 9, 0), "Asia/Shanghai") is None  # a day late at most
    so_far = week_so_far(at(2026, 11, 26, 15, 0), "Asia/Shanghai")
    assert so_far.start == at(2026, 11, 23, 0, 0) and so_far.so_far


def test_the_chart_is_a_png_labelled_by_department_key() -> None:
    bars = [Bar("logistics", 2.0, 6.0, 3, name="物流部"), Bar("cs", 0.5, 0.5, 1, name="客服部")]
    png = response_chart(bars, period="2026-W48", locale="zh", font=None)
    assert png.startswith(b"\x89PNG") and len(png) > 2000


def test_the_chart_is_stored_once_and_every_department_row_names_it(world: World) -> None:
    a_week(world)
    monday = at(2026, 11, 30, 9, 0)
    world.tick(monday)
    with world.app.store.unit_of_work() as uow:
        stored = dict(uow.session.execute(select(OutboxFile.id, OutboxFile.content)).all())
    # One chart per language the departments read (the chart speaks it), never one per row.
    assert stored and all(png.startswith(b"\x89PNG") for png in stored.values())
    rows = [r for r in world.rows("summary") if r.state != "skipped"]
    assert len(rows) == 2 and len(stored) <= len(rows)
    for row in rows:
        assert row.payload["file"]["file_id"] in stored
        assert "content_b64" not in row.payload["file"]
        # Each row carries its message and a reference: a few kilobytes, not the PNG.
        assert len(json.dumps(row.payload)) < len(stored[row.payload["file"]["file_id"]])
    uploads = world.messenger.of("upload")
    assert sorted(u.content or b"" for u in uploads) == sorted(
        stored[r.payload["file"]["file_id"]] for r in rows
    )
    # Stored files are forgotten after two weeks by the tick.
    world.tick(monday + timedelta(days=15))
    with world.app.store.unit_of_work() as uow:
        assert uow.session.scalars(select(OutboxFile.id)).all() == []


def test_a_summary_whose_chart_was_forgotten_is_not_sent_and_says_why(world: World) -> None:
    a_week(world)
    monday = at(2026, 11, 30, 9, 0)
    with world.app.store.unit_of_work() as uow:
        post_due_summaries(uow, world.app.settings, now=monday)
    with world.app.store.unit_of_work() as uow:
        uow.session.execute(delete(OutboxFile))
    world.tick(monday + timedelta(minutes=1))
    assert world.said(MessageKind.SUMMARY) == []
    failed = [r for r in world.rows("summary") if r.state != "skipped"]
    assert failed and all("was deleted before it was sent" in (r.last_error or "") for r in failed)


def test_chart_labels_use_names_and_the_readers_language_only_with_a_cjk_font() -> None:
    bars = [Bar("logistics", 2.0, 6.0, 3, name="物流部")]
    assert labels(bars, locale="zh", font=None) == ("en", ["logistics\n(n=3)"])
    assert labels(bars, locale="zh", font="/fonts/NotoSansCJK.ttc") == ("zh", ["物流部\n(3 个)"])
    assert labels(bars, locale="en", font="/fonts/NotoSansCJK.ttc") == ("en", ["物流部\n(n=3)"])


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font installed (fonts-noto-cjk)")
def test_a_chinese_chart_draws_every_character_with_the_cjk_font() -> None:
    bars = [Bar("logistics", 3.5, 9.0, 12, "物流部"), Bar("it", 6.0, 15.5, 3, "信息技术部")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = response_chart(bars, period="11月23日–11月29日", locale="zh")
    assert png.startswith(b"\x89PNG")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing
