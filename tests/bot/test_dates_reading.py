"""Tests for bot.dates.read_due and the rules of SPEC.md "Dates and times" around the table.

Next occurrences, dates with and without a year, counts that are not dates,
the last phrase counting, and what read_due says about phrases it cannot
turn into one day: unreadable ones and weekdays that disagree with a date.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.dates import DueReading, DueStatus, parse_due, read_due
from tests.bot.dates_support import NOW_WALL, ZONES, local_now, wall_of

# ---------------------------------------------------------------- next occurrence


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("phrase", "wall", "expected"),
    [
        ("by Friday", datetime(2026, 11, 27, 17, 0), "2026-11-27 18:00"),
        ("by Friday", datetime(2026, 11, 27, 18, 0), "2026-11-27 18:00"),
        ("by Friday", datetime(2026, 11, 27, 18, 30), "2026-12-04 18:00"),
        ("周五前", datetime(2026, 11, 27, 17, 0), "2026-11-27 18:00"),
        ("周五前", datetime(2026, 11, 27, 18, 30), "2026-12-04 18:00"),
        ("Friday 9am", datetime(2026, 11, 27, 10, 0), "2026-12-04 09:00"),
        ("EOD", datetime(2026, 11, 27, 18, 30), "2026-11-28 18:00"),
        ("下班前", datetime(2026, 11, 27, 18, 30), "2026-11-28 18:00"),
        ("5pm", datetime(2026, 11, 25, 18, 0), "2026-11-26 17:00"),
        ("下午3点", datetime(2026, 11, 25, 16, 0), "2026-11-26 15:00"),
        ("noon", datetime(2026, 11, 25, 13, 0), "2026-11-26 12:00"),
        ("end of month", datetime(2026, 11, 30, 19, 0), "2026-12-31 18:00"),
        # Explicit days are taken as written, even when already past.
        ("today 5pm", datetime(2026, 11, 25, 18, 0), "2026-11-25 17:00"),
        ("今天下班前", datetime(2026, 11, 25, 19, 0), "2026-11-25 18:00"),
        ("本周一", datetime(2026, 11, 25, 10, 0), "2026-11-23 18:00"),
    ],
)
def test_next_occurrence(phrase: str, wall: datetime, expected: str, tz: str) -> None:
    assert wall_of(parse_due(phrase, now=local_now(tz, wall), tz=tz)) == expected


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("phrase", "wall", "expected"),
    [
        ("3月1日", NOW_WALL, "2027-03-01 18:00"),
        ("Mar 1", NOW_WALL, "2027-03-01 18:00"),
        ("11月25日", datetime(2026, 11, 25, 10, 0), "2026-11-25 18:00"),
        ("11月25日", datetime(2026, 11, 25, 19, 0), "2027-11-25 18:00"),
        ("Nov 24", NOW_WALL, "2027-11-24 18:00"),
        # The day has not ended, so the time stays today even though it passed.
        ("11月25日上午9点", NOW_WALL, "2026-11-25 09:00"),
        ("2月29日", NOW_WALL, "2028-02-29 18:00"),
        ("2025-01-01", NOW_WALL, "2025-01-01 18:00"),
        ("2026年1月5日", NOW_WALL, "2026-01-05 18:00"),
        ("by 1/5/2026", NOW_WALL, "2026-01-05 18:00"),
    ],
)
def test_month_day_and_year(phrase: str, wall: datetime, expected: str, tz: str) -> None:
    assert wall_of(parse_due(phrase, now=local_now(tz, wall), tz=tz)) == expected


# ---------------------------------------------------------------- not dates


@pytest.mark.parametrize(
    "text",
    [
        "3 pallets",
        "order 12345",
        "10箱",
        "3号仓库",
        "2 people",
        "room 101",
        "50%",
        "hello world",
        "",
        "请尽快处理",
        "以下3点建议",
        "快一点",
        "每周一开会",
        "on the 3rd floor",
        "2 may be late",
        "I sat down",
        "good morning team",
        "早上好",
        "下午开会讨论一下",
        "ratio 3/4 of pallets",
        "at 5 Main Street",
        "3号会议室见",
        "2号线地铁站",
        "在这三个月中完成",
        "3月中国市场",
        "这个月中我们都很忙",
        "ASAP",
        "as soon as possible",
        "尽快",
        "越快越好",
        "请尽早处理",
        "by 3 pallets",
        "delayed due to 10 boxes",
        "下午有空吗",
        "3号线地铁",
    ],
)
@pytest.mark.parametrize("tz", ZONES)
def test_not_a_date(text: str, tz: str) -> None:
    assert parse_due(text, now=local_now(tz), tz=tz) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("was due Monday, now by Friday", "2026-11-27 18:00"),
        ("原定12月1日，改为12月3日下午2点", "2026-12-03 14:00"),
        ("tomorrow won't work, let's say Dec 4", "2026-12-04 18:00"),
        ("3号仓库 10箱 order 12345 2 people 50%, by tomorrow", "2026-11-26 18:00"),
    ],
)
def test_last_phrase_wins(text: str, expected: str) -> None:
    assert wall_of(parse_due(text, now=local_now("Asia/Shanghai"), tz="Asia/Shanghai")) == expected


# ---------------------------------------------------------------- what read_due says


def _read(text: str, tz: str = "Asia/Shanghai", wall: datetime | None = None) -> DueReading:
    return read_due(text, now=local_now(tz) if wall is None else local_now(tz, wall), tz=tz)


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("2月30日", "2月30日"),
        ("Feb 30", "Feb 30"),
        ("by 2/30", "2/30"),
        ("2026-02-30", "2026-02-30"),
        ("二〇二六年二月三十日", "二〇二六年二月三十日"),
        ("in 99999 days", "in 99999 days"),
        ("in 1.5 days", "in 1.5 days"),
        ("半天内", "半天内"),
        ("半个月后", "半个月后"),
        ("下月31号", "下月31号"),  # December 2026 has 31 days; typed in November it is fine
        ("2026-12-15 25:00", "2026-12-15 25:00"),
        # The last date phrase counts even when it is the unreadable one.
        ("原定12月1日，改为2月30日下午3点", "2月30日下午3点"),
        ("was Dec 1, now Feb 30", "Feb 30"),
    ],
)
def test_a_date_phrase_naming_no_real_day_is_unreadable(text: str, phrase: str, tz: str) -> None:
    reading = _read(text, tz)
    if text == "下月31号":
        assert reading.status is DueStatus.FOUND and wall_of(reading.at) == "2026-12-31 18:00"
        reading = _read(text, tz, datetime(2026, 10, 25, 10, 0))  # November has 30
    assert reading.status is DueStatus.UNREADABLE, reading
    assert reading.at is None and reading.phrase == phrase
    assert parse_due(text, now=local_now(tz), tz=tz) is None or text == "下月31号"


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("text", "phrase", "written", "weekday"),
    [
        ("Thu 12/18", "Thu 12/18", "2026-12-18 18:00", "2026-12-17 18:00"),
        ("12月18号（周四）", "12月18号（周四）", "2026-12-18 18:00", "2026-12-17 18:00"),
        ("周一 12月18日 下午3点", "周一 12月18日 下午3点", "2026-12-18 15:00", "2026-12-21 15:00"),
        ("Saturday, Dec 18", "Saturday, Dec 18", "2026-12-18 18:00", "2026-12-19 18:00"),
        ("明天周五", "明天周五", "2026-11-26 18:00", "2026-11-27 18:00"),
        # A weekday of an explicit week must be that very day.
        ("下周五 12月18日", "下周五 12月18日", "2026-12-18 18:00", "2026-12-04 18:00"),
        ("next Friday, Dec 11", "next Friday, Dec 11", "2026-12-11 18:00", "2026-12-04 18:00"),
    ],
)
def test_a_weekday_that_disagrees_with_its_date_is_a_conflict(
    text: str, phrase: str, written: str, weekday: str, tz: str
) -> None:
    reading = _read(text, tz)
    assert reading.status is DueStatus.CONFLICT, reading
    assert reading.at is None and reading.phrase == phrase
    assert [wall_of(at) for at in reading.readings] == [written, weekday]
    assert parse_due(text, now=local_now(tz), tz=tz) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri 12/18", "2026-12-18 18:00"),
        ("12月4日周五", "2026-12-04 18:00"),
        ("周五 12/4 下午3点", "2026-12-04 15:00"),
        ("this Friday, Nov 27", "2026-11-27 18:00"),
        ("today, Wednesday", "2026-11-25 18:00"),
    ],
)
def test_a_weekday_that_agrees_qualifies_its_date(text: str, expected: str) -> None:
    reading = _read(text)
    assert reading.status is DueStatus.FOUND and wall_of(reading.at) == expected
    assert reading.phrase == text


@pytest.mark.parametrize(
    "text", ["ASAP", "尽快", "越快越好", "3 pallets", "请尽快处理3号仓库的10箱货"]
)
def test_no_date_phrase_is_none_with_nothing_to_quote(text: str) -> None:
    assert _read(text) == DueReading(DueStatus.NONE)


def test_the_phrase_is_quoted_as_typed_from_a_whole_text() -> None:
    reading = _read("请把３号仓库的１０箱货在１２月３号之前发出，谢谢")
    assert reading.status is DueStatus.FOUND and wall_of(reading.at) == "2026-12-03 18:00"
    assert reading.phrase == "１２月３号"
    # A character whose normalised form is longer keeps the quote aligned.
    reading = _read("㎏ labels ﬁx by Fri 5pm")
    assert reading.phrase == "Fri 5pm" and wall_of(reading.at) == "2026-11-27 17:00"
    # The dateparser fallback quotes what it read.
    reading = _read("please reship by december the 1st")
    assert reading.status is DueStatus.FOUND and reading.phrase == "december the 1st"
