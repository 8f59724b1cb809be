"""Tests for bot.dates with the business calendar, across zones and daylight-saving changes.

Work days in due dates are the target department's: its work days,
holidays and make-up days (China's 调休 as the holidays library has them).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import build_calendar
from bot.dates import DueStatus, parse_due, read_due
from tests.bot.dates_support import NOW_WALL, ZONES, local_now, wall_of

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
        assert wall_of(found) == expected_wall


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


def test_wall_time_in_gap_moves_to_the_end_of_the_gap() -> None:
    now = datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK)
    found = parse_due("2026-03-08 02:30", now=now, tz="America/New_York")
    assert found is not None
    assert found.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert wall_of(found) == "2026-03-08 03:00"


def test_ambiguous_wall_time_takes_first_occurrence() -> None:
    now = datetime(2026, 10, 31, 10, 0, tzinfo=NEW_YORK)
    found = parse_due("2026-11-01 01:30", now=now, tz="America/New_York")
    assert found is not None
    assert found.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_now_in_another_zone_is_read_in_tz() -> None:
    # 02:00 UTC on Friday is 10:00 Friday in Shanghai, but 21:00 Thursday in New York.
    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert wall_of(parse_due("tomorrow", now=now, tz="Asia/Shanghai")) == "2026-11-28 18:00"
    assert wall_of(parse_due("tomorrow", now=now, tz="America/New_York")) == "2026-11-27 18:00"


# ---------------------------------------------------------------- arguments


def test_naive_now_raises() -> None:
    with pytest.raises(ValueError):
        parse_due("tomorrow", now=NOW_WALL, tz="Asia/Shanghai")


def test_unknown_zone_raises() -> None:
    with pytest.raises(ValueError):
        parse_due("tomorrow", now=local_now("Asia/Shanghai"), tz="Mars/Olympus_Mons")


def test_workday_end_and_the_work_week_come_from_the_arguments() -> None:
    now = local_now("Asia/Shanghai")
    tz = "Asia/Shanghai"
    assert (
        wall_of(parse_due("明天", now=now, tz=tz, workday_end=time(17, 30))) == "2026-11-26 17:30"
    )
    assert wall_of(parse_due("EOD", now=now, tz=tz, workday_end=time(17, 30))) == "2026-11-25 17:30"
    six_days = build_calendar(tz=tz, workdays="mon-sat")
    assert wall_of(parse_due("next week", now=now, tz=tz, calendar=six_days)) == "2026-12-05 18:00"
    assert wall_of(parse_due("本周内", now=now, tz=tz, calendar=six_days)) == "2026-11-28 18:00"
    assert (
        wall_of(parse_due("3个工作日内", now=now, tz=tz, calendar=six_days)) == "2026-11-28 18:00"
    )
    sun_thu = build_calendar(tz=tz, workdays="sun-thu")
    assert wall_of(parse_due("end of week", now=now, tz=tz, calendar=sun_thu)) == "2026-11-29 18:00"
    assert wall_of(parse_due("in 2 business days", now=now, tz=tz, calendar=sun_thu)) == (
        "2026-11-29 18:00"
    )


def test_a_calendar_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_due("明天", now=local_now("Asia/Shanghai"), tz="Asia/Shanghai", calendar="CN")  # type: ignore[arg-type]


# ---------------------------------------------------------------- holidays and make-up days

# Around National Day 2026: 1-7 October off, Saturday 10 October worked (调休).
# Around Spring Festival 2026: 15-23 February off, Saturdays 14 and 28 February worked.
# Spring Festival 2027: 5-10 February off; the make-up days were not yet published.
NATIONAL_DAY = datetime(2026, 9, 30, 10, 0)  # Wednesday
NEW_YEAR_EVE = datetime(2026, 2, 13, 10, 0)  # Friday
SPRING_2027 = datetime(2027, 2, 4, 10, 0)  # Thursday


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("phrase", "wall", "on_cn", "on_plain"),
    [
        ("next week", NATIONAL_DAY, "2026-10-10 18:00", "2026-10-09 18:00"),
        ("下周", NATIONAL_DAY, "2026-10-10 18:00", "2026-10-09 18:00"),
        ("end of week", NATIONAL_DAY, "2026-09-30 18:00", "2026-10-02 18:00"),
        ("本周内", NATIONAL_DAY, "2026-09-30 18:00", "2026-10-02 18:00"),
        ("in 2 business days", NATIONAL_DAY, "2026-10-09 18:00", "2026-10-02 18:00"),
        ("1个工作日内", NATIONAL_DAY, "2026-10-08 18:00", "2026-10-01 18:00"),
        ("3个工作日内", NATIONAL_DAY, "2026-10-10 18:00", "2026-10-05 18:00"),
        # Calendar days and weekdays are not work days: holidays do not move them.
        ("in 2 days", NATIONAL_DAY, "2026-10-02 18:00", "2026-10-02 18:00"),
        ("by Friday", NATIONAL_DAY, "2026-10-02 18:00", "2026-10-02 18:00"),
        ("end of week", NEW_YEAR_EVE, "2026-02-14 18:00", "2026-02-13 18:00"),
        ("本周内", NEW_YEAR_EVE, "2026-02-14 18:00", "2026-02-13 18:00"),
        # A week without a work day gives the first work day after it.
        ("next week", NEW_YEAR_EVE, "2026-02-24 18:00", "2026-02-20 18:00"),
        ("下周", NEW_YEAR_EVE, "2026-02-24 18:00", "2026-02-20 18:00"),
        ("in 1 business day", NEW_YEAR_EVE, "2026-02-14 18:00", "2026-02-16 18:00"),
        ("2个工作日内", NEW_YEAR_EVE, "2026-02-24 18:00", "2026-02-17 18:00"),
        ("in 2 business days", SPRING_2027, "2027-02-12 18:00", "2027-02-08 18:00"),
        ("下周", SPRING_2027, "2027-02-12 18:00", "2027-02-12 18:00"),
    ],
)
def test_work_days_follow_the_departments_holidays(
    phrase: str, wall: datetime, on_cn: str, on_plain: str, tz: str
) -> None:
    now = local_now(tz, wall)
    china = build_calendar(tz="Asia/Shanghai", holidays="CN")
    assert wall_of(parse_due(phrase, now=now, tz=tz, calendar=china)) == on_cn
    assert wall_of(parse_due(phrase, now=now, tz=tz)) == on_plain


def test_hand_listed_holidays_count_too() -> None:
    tz = "Europe/Berlin"
    now = local_now(tz)  # Wednesday 25 November 2026
    cal = build_calendar(tz=tz, holidays="DE, 2026-11-27, 2026-12-04")
    assert wall_of(parse_due("end of week", now=now, tz=tz, calendar=cal)) == "2026-11-26 18:00"
    assert wall_of(parse_due("next week", now=now, tz=tz, calendar=cal)) == "2026-12-03 18:00"
    assert wall_of(parse_due("in 2 business days", now=now, tz=tz, calendar=cal)) == (
        "2026-11-30 18:00"
    )


@pytest.mark.parametrize(
    ("tz", "wall", "phrase", "expected"),
    [
        # Spring forward: 02:30 does not exist and moves to the end of the gap.
        ("America/New_York", datetime(2026, 3, 7, 10, 0), "tomorrow 2:30am", "2026-03-08 03:00"),
        ("America/New_York", datetime(2026, 3, 7, 10, 0), "明天凌晨2点半", "2026-03-08 03:00"),
        ("Europe/Berlin", datetime(2026, 3, 28, 10, 0), "2026-03-29T02:30", "2026-03-29 03:00"),
        ("Europe/Berlin", datetime(2026, 3, 28, 10, 0), "in 2 business days", "2026-03-31 18:00"),
        # Fall back: 01:30 in New York and 02:30 in Berlin happen twice; the first counts.
        ("America/New_York", datetime(2026, 10, 31, 10, 0), "tomorrow 1:30am", "2026-11-01 01:30"),
        ("Europe/Berlin", datetime(2026, 10, 24, 10, 0), "明天凌晨2点半", "2026-10-25 02:30"),
    ],
)
def test_wall_times_around_dst_changes(tz: str, wall: datetime, phrase: str, expected: str) -> None:
    found = parse_due(phrase, now=local_now(tz, wall), tz=tz)
    assert wall_of(found) == expected
    assert found is not None and found.fold == 0
    if wall.month == 10:  # of the two 01:30s (02:30s) the first is still summer time
        assert found.dst() != timedelta(0)


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


CHINA = build_calendar(tz="Asia/Shanghai", holidays="CN")


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=80), st.lists(st.sampled_from(_DATEY), max_size=20).map("".join)
    ),
    wall=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    tz=st.sampled_from(ZONES + ("UTC", "Australia/Lord_Howe", "Pacific/Apia")),
)
def test_never_raises_and_returns_aware_or_none(text: str, wall: datetime, tz: str) -> None:
    now = wall.replace(tzinfo=ZoneInfo(tz))
    found = parse_due(text, now=now, tz=tz)
    assert found is None or (isinstance(found, datetime) and found.utcoffset() is not None)
    assert found is None or found.tzinfo == ZoneInfo(tz)
    reading = read_due(text, now=now, tz=tz, calendar=CHINA)
    assert (reading.at is not None) == (reading.status is DueStatus.FOUND)
    assert (len(reading.readings) == 2) == (reading.status is DueStatus.CONFLICT)
    assert reading.phrase in text
