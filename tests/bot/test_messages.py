"""Texts in both languages, message models and their plain rendering, time formatting."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import bot.escalation  # noqa: F401 - registers its texts
import scheduler.delivery  # noqa: F401 - registers its texts
from bot import compose
from bot.domain import ItemKind, PermissionDenied, Status
from bot.i18n import _T, has, t
from bot.messages import MessageKind, fill, mention, plain, text
from bot.timefmt import format_due, format_duration, format_relative
from bot.views import ItemView

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(
    r'"((?:err|reply|note|status|kind|label|value|button|update|list|scope|dept|esc|delivery)\.[a-z_.]+)"'
)


def test_every_text_has_english_and_chinese_with_the_same_placeholders() -> None:
    for key, (en, zh) in _T.items():
        assert en.strip() and zh.strip(), key
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), key
        words = re.sub(r"\{\w+\}|`[^`]*`", "", en)
        if re.search(r"[A-Za-z]{3,}", words):  # a sentence, not just placeholders and marks
            assert re.search(r"[\u4e00-\u9fff]", zh), key


def test_every_key_used_in_the_code_has_a_text() -> None:
    used: set[str] = set()
    for folder in ("bot", "scheduler", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(KEY.findall(path.read_text(encoding="utf-8")))
    dynamic = {k for k in used if k.endswith(".")}
    missing = sorted(k for k in used - dynamic if not has(k))
    assert not missing


def test_errors_render_statuses_and_actions_in_the_readers_words() -> None:
    error = PermissionDenied("err.change_who", code="XD-3", action="due")
    assert "change the due time of XD-3" in error.render("en")
    assert "修改截止时间" in error.render("zh")


def test_fill_keeps_user_text_as_text() -> None:
    spans = fill("{who} said {what}", who=mention("U1"), what="<@U2> & <!channel>")
    assert plain(spans) == "@U1 said <@U2> & <!channel>"
    assert [type(s).__name__ for s in spans] == ["MentionSpan", "TextSpan", "TextSpan"]


def _view(**over: object) -> ItemView:
    base: dict[str, object] = dict(
        id=1,
        code="XD-7",
        kind=ItemKind.REQUEST,
        status=Status.OPEN,
        text="修正托盘标签",
        requester_id="mei",
        department_key="logistics",
        department_name="物流部",
        created_at=datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC")),
        due_at=datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("UTC")),
    )
    base.update(over)
    return ItemView.model_validate(base)


def test_tracking_message_buttons_follow_the_status() -> None:
    now = datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC"))
    open_msg = compose.tracking_message(_view(), locale="en", now=now, tz="Asia/Shanghai")
    assert [b.action.value for b in open_msg.buttons] == [
        "xdept_ack",
        "xdept_done",
        "xdept_snooze",
        "xdept_decline",
    ]
    assert "Fri 27 Nov 18:00, in 4 days" in open_msg.plain()
    done = compose.tracking_message(
        _view(status=Status.DONE), locale="zh", now=now, tz="Asia/Shanghai"
    )
    assert done.buttons == [] and "已完成" in done.plain() and "修正托盘标签" in done.plain()
    assert open_msg.kind is MessageKind.TRACKING


def test_time_formatting_in_both_languages() -> None:
    now = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    due = now + timedelta(days=5, hours=8)
    assert (
        format_due(due, now=now, tz="Asia/Shanghai", locale="en") == "Fri 27 Nov 18:00, in 5 days"
    )
    assert format_due(due, now=now, tz="Asia/Shanghai", locale="zh") == "11月27日 周五 18:00，5天后"
    assert format_relative(now - timedelta(hours=3), now=now, locale="en") == "3 hours ago"
    assert format_relative(now - timedelta(hours=3), now=now, locale="zh") == "3小时前"
    assert format_duration(timedelta(days=2, hours=3), locale="en") == "2d 3h"
    assert format_duration(timedelta(minutes=5), locale="zh") == "5分钟"
    assert t("en", "no.such.key") == "no.such.key"
    assert plain([text("a"), text("b", bold=True)]) == "ab"
