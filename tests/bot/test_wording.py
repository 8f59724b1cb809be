"""The Chinese texts as a whole: no spaces around names, full-width brackets, no untranslated
words; the English ones: plurals chosen by count, never "item(s)"."""

from __future__ import annotations

import re

import bot.escalation
import bot.followup_text
import bot.items.moving
import bot.minutes_text
import handlers.slack.minutes_view
import handlers.slack.status_view
import handlers.slack.texts
import scheduler.nudges
import scheduler.standup
import scheduler.summary.chart
import scheduler.summary.compose
import scheduler.summary.progress
from bot.i18n import _T, t

# Every module that registers texts is imported above, so _T holds them all.
MODULES = (
    bot.escalation,
    bot.followup_text,
    bot.items.moving,
    bot.minutes_text,
    handlers.slack.minutes_view,
    handlers.slack.status_view,
    handlers.slack.texts,
    scheduler.nudges,
    scheduler.standup,
    scheduler.summary.chart,
    scheduler.summary.compose,
    scheduler.summary.progress,
)
NAMES = r"\{(?:requester|actor|who|owner|contact|target|people|old)\}"
CJK = "\u4e00-\u9fff"


def _without_code(value: str) -> str:
    return re.sub(r"`[^`]*`", "", value)


def test_no_space_between_a_name_and_chinese_text() -> None:
    bad = {
        key: zh
        for key, (_en, zh) in _T.items()
        if re.search(rf"[{CJK}][ ]{NAMES}|{NAMES}[ ][{CJK}]", zh)
    }
    assert not bad, bad


def test_chinese_brackets_are_full_width_and_words_translated() -> None:
    half = {key: zh for key, (_en, zh) in _T.items() if re.search(r"[()]", _without_code(zh))}
    assert not half, half
    words = {key: re.sub(r"\{[^}]*\}", "", zh) for key, (_en, zh) in _T.items()}
    assert not [key for key, zh in words.items() if "p90" in zh]


def test_lead_and_owner_are_kept_apart() -> None:
    # 部门负责人 is a department's lead; 负责人 alone is an item's owner. Texts about a
    # department's lead say so.
    for key in ("err.done_who", "err.decline_who", "err.dept_needs_lead", "err.dept_last_lead"):
        assert "部门负责人" in _T[key][1], key
    assert "lead:@部门负责人" in _T["dept.none"][1]


def test_english_plurals_follow_the_count() -> None:
    assert not [key for key, (en, _zh) in _T.items() if "(s)" in en or "(ies)" in en]
    assert t("en", "reply.export", rows=1, updates=2).startswith("Exported 1 item and their 2 ")
    assert "3 items and their 1 update;" in t("en", "reply.export", rows=3, updates=1)
    assert "2 items, page 1 of 1" in t("en", "list.title", scope="mine", total=2, page=1, pages=1)
