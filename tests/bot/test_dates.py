"""Tests for bot.dates.parse_due: English and Chinese due dates."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dates import parse_due

ZONES = ("Asia/Shanghai", "America/New_York")

# Wednesday 25 November 2026, 10:00 local. This week runs Mon 23 - Sun 29 November;
# next week Mon 30 November - Sun 6 December.
NOW_WALL = datetime(2026, 11, 25, 10, 0)

# (phrase, expected local wall time "YYYY-MM-DD HH:MM")
ENGLISH: list[tuple[str, str]] = [
    ("by Friday", "2026-11-27 18:00"),
    ("by Fri 5pm", "2026-11-27 17:00"),
    ("Friday at 3pm", "2026-11-27 15:00"),
    ("at 3pm on Friday", "2026-11-27 15:00"),
    ("tomorrow", "2026-11-26 18:00"),
    ("in 3 days", "2026-11-28 18:00"),
    ("next Tuesday", "2026-12-01 18:00"),
    ("EOD", "2026-11-25 18:00"),
    ("end of day", "2026-11-25 18:00"),
    ("COB", "2026-11-25 18:00"),
    ("end of month", "2026-11-30 18:00"),
    ("2026-12-01", "2026-12-01 18:00"),
    ("2026/12/01", "2026-12-01 18:00"),
    ("2026-12-01 15:00", "2026-12-01 15:00"),
    ("Dec 1", "2026-12-01 18:00"),
    ("December 1st", "2026-12-01 18:00"),
    ("1 Dec", "2026-12-01 18:00"),
    ("1st of December 2026", "2026-12-01 18:00"),
    ("Dec 1 at 3pm", "2026-12-01 15:00"),
    ("Jan 15", "2027-01-15 18:00"),
    ("next week", "2026-12-04 18:00"),
    ("end of week", "2026-11-27 18:00"),
    ("this week", "2026-11-27 18:00"),
    ("end of next month", "2026-12-31 18:00"),
    ("end of year", "2026-12-31 18:00"),
    ("in 2 hours", "2026-11-25 12:00"),
    ("in 90 minutes", "2026-11-25 11:30"),
    ("in half an hour", "2026-11-25 10:30"),
    ("within 24 hours", "2026-11-26 10:00"),
    ("in 2 weeks", "2026-12-09 18:00"),
    ("2 days from now", "2026-11-27 18:00"),
    ("in 3 business days", "2026-11-30 18:00"),
    ("tonight", "2026-11-25 21:00"),
    ("tonight at 8", "2026-11-25 20:00"),
    ("noon", "2026-11-25 12:00"),
    ("midnight", "2026-11-25 23:59"),
    ("5pm", "2026-11-25 17:00"),
    ("9am", "2026-11-26 09:00"),
    ("17:00", "2026-11-25 17:00"),
    ("5:30 pm", "2026-11-25 17:30"),
    ("day after tomorrow", "2026-11-27 18:00"),
    ("today", "2026-11-25 18:00"),
    ("this Monday", "2026-11-23 18:00"),
    ("next Monday 10am", "2026-11-30 10:00"),
    ("Wednesday", "2026-11-25 18:00"),
    ("by Mon", "2026-11-30 18:00"),
    ("tomorrow morning", "2026-11-26 09:00"),
    ("tomorrow at 3pm", "2026-11-26 15:00"),
    ("this afternoon", "2026-11-25 17:00"),
    ("EOD Friday", "2026-11-27 18:00"),
    ("by the 15th", "2026-12-15 18:00"),
    ("by 12/1", "2026-12-01 18:00"),
    ("Friday next week", "2026-12-04 18:00"),
    ("by the weekend", "2026-11-27 18:00"),
    ("by december the 1st", "2026-12-01 18:00"),
    ("fix the pallet labels for order 12345, 3 pallets, by Fri 5pm", "2026-11-27 17:00"),
    ("was due Monday, now by Friday", "2026-11-27 18:00"),
    ("2 people needed in room 101 by tomorrow 4pm", "2026-11-26 16:00"),
    ("Fri, Dec 4", "2026-12-04 18:00"),
    ("tonight at 8:30", "2026-11-25 20:30"),
]

CHINESE: list[tuple[str, str]] = [
    ("明天下午3点", "2026-11-26 15:00"),
    ("周五前", "2026-11-27 18:00"),
    ("下周一", "2026-11-30 18:00"),
    ("12月1日", "2026-12-01 18:00"),
    ("月底", "2026-11-30 18:00"),
    ("3天后", "2026-11-28 18:00"),
    ("三天后", "2026-11-28 18:00"),
    ("3天内", "2026-11-28 18:00"),
    ("十天后", "2026-12-05 18:00"),
    ("明天", "2026-11-26 18:00"),
    ("明日", "2026-11-26 18:00"),
    ("后天", "2026-11-27 18:00"),
    ("大后天", "2026-11-28 18:00"),
    ("今天", "2026-11-25 18:00"),
    ("今天之内", "2026-11-25 18:00"),
    ("今天下班前", "2026-11-25 18:00"),
    ("下班前", "2026-11-25 18:00"),
    ("星期五之前", "2026-11-27 18:00"),
    ("礼拜五", "2026-11-27 18:00"),
    ("周三", "2026-11-25 18:00"),
    ("周日", "2026-11-29 18:00"),
    ("星期天", "2026-11-29 18:00"),
    ("本周五", "2026-11-27 18:00"),
    ("这周一", "2026-11-23 18:00"),
    ("下周五", "2026-12-04 18:00"),
    ("下星期三", "2026-12-02 18:00"),
    ("下个星期五", "2026-12-04 18:00"),
    ("下下周三", "2026-12-09 18:00"),
    ("下周", "2026-12-04 18:00"),
    ("本周内", "2026-11-27 18:00"),
    ("这周内", "2026-11-27 18:00"),
    ("周末前", "2026-11-27 18:00"),
    ("本月底", "2026-11-30 18:00"),
    ("下月底", "2026-12-31 18:00"),
    ("年底", "2026-12-31 18:00"),
    ("3月底", "2027-03-31 18:00"),
    ("2小时后", "2026-11-25 12:00"),
    ("3个小时后", "2026-11-25 13:00"),
    ("半小时后", "2026-11-25 10:30"),
    ("2周后", "2026-12-09 18:00"),
    ("两周后", "2026-12-09 18:00"),
    ("一周内", "2026-12-02 18:00"),
    ("1个月后", "2026-12-25 18:00"),
    ("3个工作日内", "2026-11-30 18:00"),
    ("今晚", "2026-11-25 21:00"),
    ("今晚8点", "2026-11-25 20:00"),
    ("明晚", "2026-11-26 21:00"),
    ("明早", "2026-11-26 09:00"),
    ("中午", "2026-11-25 12:00"),
    ("明天中午", "2026-11-26 12:00"),
    ("明天上午", "2026-11-26 12:00"),
    ("下午3点", "2026-11-25 15:00"),
    ("下午3点半", "2026-11-25 15:30"),
    ("下午3:30", "2026-11-25 15:30"),
    ("上午11点", "2026-11-25 11:00"),
    ("晚上8点", "2026-11-25 20:00"),
    ("早上9点", "2026-11-26 09:00"),
    ("15点", "2026-11-25 15:00"),
    ("3点", "2026-11-25 15:00"),
    ("后天上午10点", "2026-11-27 10:00"),
    ("下周一上午10点", "2026-11-30 10:00"),
    ("周五下班前", "2026-11-27 18:00"),
    ("12月1日下午3点", "2026-12-01 15:00"),
    ("12月1号", "2026-12-01 18:00"),
    ("十二月一日", "2026-12-01 18:00"),
    ("2026年12月1日", "2026-12-01 18:00"),
    ("１２月１日", "2026-12-01 18:00"),
    ("１２月１日下午３：３０", "2026-12-01 15:30"),
    ("15号前", "2026-12-15 18:00"),
    ("下月1号", "2026-12-01 18:00"),
    ("截止12/5", "2026-12-05 18:00"),
    ("物流部：订单12345有3托盘贴错标签，麻烦周五下午5点前处理，谢谢", "2026-11-27 17:00"),
    ("请在12月3号之前把3号仓库的10箱货发出", "2026-12-03 18:00"),
    ("原定周一，现在改到周五前", "2026-11-27 18:00"),
    ("明天3点开会", "2026-11-26 15:00"),
    ("12月4日周五", "2026-12-04 18:00"),
    ("下周五下午两点半", "2026-12-04 14:30"),
]

TABLE = ENGLISH + CHINESE


def _now(tz: str, wall: datetime = NOW_WALL) -> datetime:
    return wall.replace(tzinfo=ZoneInfo(tz))


def _wall(found: datetime | None) -> str | None:
    return None if found is None else found.strftime("%Y-%m-%d %H:%M")


def test_table_is_large_and_mostly_chinese() -> None:
    assert len(TABLE) >= 100
    assert len(CHINESE) * 2 >= len(TABLE)
    assert len({phrase for phrase, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(("phrase", "expected"), TABLE, ids=[p for p, _ in TABLE])
def test_phrase(phrase: str, expected: str, tz: str) -> None:
    found = parse_due(phrase, now=_now(tz), tz=tz)
    assert _wall(found) == expected
    assert found is not None and found.tzinfo == ZoneInfo(tz)


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
    assert _wall(parse_due(phrase, now=_now(tz, wall), tz=tz)) == expected


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
    assert _wall(parse_due(phrase, now=_now(tz, wall), tz=tz)) == expected


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
        "ratio 3/4 of pallets",
        "meet at 8",
        "2月30日",
        "in 99999 days",
        "by 3 pallets",
        "delayed due to 10 boxes",
        "下午有空吗",
        "3号线地铁",
    ],
)
@pytest.mark.parametrize("tz", ZONES)
def test_not_a_date(text: str, tz: str) -> None:
    assert parse_due(text, now=_now(tz), tz=tz) is None


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
    assert _wall(parse_due(text, now=_now("Asia/Shanghai"), tz="Asia/Shanghai")) == expected


# ---------------------------------------------------------------- zones and DST

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("wall", "expected_wall"),
    [
        (datetime(2026, 3, 8, 0, 30), "2026-03-08 04:30"),  # spring forward
        (datetime(2026, 11, 1, 0, 30), "2026-11-01 02:30"),  # fall back
    ],
)
def test_in_hours_is_elapsed_time_across_dst(wall: datetime, expected_wall: str) -> None:
    now = wall.replace(tzinfo=NEW_YORK)
    for phrase in ("in 3 hours", "3小时后"):
        found = parse_due(phrase, now=now, tz=NEW_YORK)
        assert found is not None
        assert found.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=3)
        assert _wall(found) == expected_wall


@pytest.mark.parametrize(
    ("wall", "expected_offset"),
    [
        (datetime(2026, 3, 7, 10, 0), timedelta(hours=-4)),
        (datetime(2026, 10, 31, 10, 0), timedelta(hours=-5)),
    ],
)
def test_tomorrow_across_dst_is_local_workday_end(
    wall: datetime, expected_offset: timedelta
) -> None:
    now = wall.replace(tzinfo=NEW_YORK)
    for phrase in ("tomorrow", "明天"):
        found = parse_due(phrase, now=now, tz="America/New_York")
        assert found is not None
        assert (found.hour, found.minute) == (18, 0)
        assert found.date() == wall.date() + timedelta(days=1)
        assert found.utcoffset() == expected_offset


def test_wall_time_in_gap_moves_to_first_valid_instant() -> None:
    now = datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK)
    found = parse_due("2026-03-08 02:30", now=now, tz="America/New_York")
    assert found is not None
    assert found.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert _wall(found) == "2026-03-08 03:00"


def test_ambiguous_wall_time_takes_first_occurrence() -> None:
    now = datetime(2026, 10, 31, 10, 0, tzinfo=NEW_YORK)
    found = parse_due("2026-11-01 01:30", now=now, tz="America/New_York")
    assert found is not None
    assert found.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_now_in_another_zone_is_read_in_tz() -> None:
    # 02:00 UTC on Friday is 10:00 Friday in Shanghai, but 21:00 Thursday in New York.
    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert _wall(parse_due("tomorrow", now=now, tz="Asia/Shanghai")) == "2026-11-28 18:00"
    assert _wall(parse_due("tomorrow", now=now, tz="America/New_York")) == "2026-11-27 18:00"


# ---------------------------------------------------------------- arguments


def test_naive_now_raises() -> None:
    with pytest.raises(ValueError):
        parse_due("tomorrow", now=NOW_WALL, tz="Asia/Shanghai")


def test_unknown_zone_raises() -> None:
    with pytest.raises(ValueError):
        parse_due("tomorrow", now=_now("Asia/Shanghai"), tz="Mars/Olympus_Mons")


def test_workday_end_and_workdays() -> None:
    now = _now("Asia/Shanghai")
    tz = "Asia/Shanghai"
    assert _wall(parse_due("明天", now=now, tz=tz, workday_end=time(17, 30))) == "2026-11-26 17:30"
    assert _wall(parse_due("EOD", now=now, tz=tz, workday_end=time(17, 30))) == "2026-11-25 17:30"
    six_days = (0, 1, 2, 3, 4, 5)
    assert _wall(parse_due("next week", now=now, tz=tz, workdays=six_days)) == "2026-12-05 18:00"
    assert _wall(parse_due("本周内", now=now, tz=tz, workdays=six_days)) == "2026-11-28 18:00"
    assert _wall(parse_due("3个工作日内", now=now, tz=tz, workdays=six_days)) == "2026-11-28 18:00"
    with pytest.raises(ValueError):
        parse_due("明天", now=now, tz=tz, workdays=())


# ---------------------------------------------------------------- property

_DATEY = list("0123456789月日号点半周星期礼拜下本这个天后前内小时年底末今明晚早上午 :/-,") + [
    "by ",
    "on ",
    "next ",
    "fri",
    "pm",
    "am",
    "in ",
    " days",
    " hours",
    "dec ",
    "the ",
    "th",
    "eod",
]


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=80), st.lists(st.sampled_from(_DATEY), max_size=20).map("".join)
    ),
    wall=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    tz=st.sampled_from(ZONES + ("UTC", "Australia/Lord_Howe")),
)
def test_never_raises_and_returns_aware_or_none(text: str, wall: datetime, tz: str) -> None:
    found = parse_due(text, now=wall.replace(tzinfo=ZoneInfo(tz)), tz=tz)
    assert found is None or (isinstance(found, datetime) and found.utcoffset() is not None)
    assert found is None or found.tzinfo == ZoneInfo(tz)
