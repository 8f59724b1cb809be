"""Tests for the business calendar in bot.calendar: work days, wall times, misuse."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkCalendar, build_calendar, calendar_for, localize
from tests.bot.calendar_support import (
    BERLIN,
    CN,
    DE,
    NEW_YORK,
    PLAIN,
    SHANGHAI,
    US,
    H,
    local,
    wall,
)

# --------------------------------------------------------------------------- work days


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        (date(2026, 9, 30), True),  # Wednesday before the national holiday
        *((date(2026, 10, d), False) for d in range(1, 8)),  # National Day week
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday make-up work day
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 1, 4), True),  # Sunday make-up work day
        (date(2026, 2, 14), True),  # Saturday make-up work day
        (date(2026, 2, 17), False),  # Spring Festival
        (date(2026, 9, 25), False),  # Mid-Autumn Festival, a Friday
        (date(2026, 6, 19), False),  # Dragon Boat Festival
        (date(2026, 6, 18), True),
    ],
)
def test_china_2026_holidays_and_make_up_days(day: date, worked: bool) -> None:
    assert CN.is_workday(day) is worked


def test_us_thanksgiving_is_off() -> None:
    assert not US.is_workday(date(2026, 11, 26))
    assert US.is_workday(date(2026, 11, 27))
    assert not US.is_workday(date(2026, 7, 3))  # Independence Day observed on the Friday
    # Weekends are never worked in the US calendar: no make-up days there.
    assert not US.is_workday(date(2026, 11, 28))


def test_country_region_adds_regional_holidays() -> None:
    bavaria = build_calendar(tz="Europe/Berlin", holidays=["DE-BY"])
    assert not bavaria.is_workday(date(2026, 1, 6))  # Epiphany, Bavaria only
    assert DE.is_workday(date(2026, 1, 6))
    assert not DE.is_workday(date(2026, 12, 25))


def test_plain_calendar_is_monday_to_friday() -> None:
    week = [date(2026, 10, d) for d in range(5, 12)]
    assert [PLAIN.is_workday(d) for d in week] == [True] * 5 + [False] * 2
    # No country: China's National Day is an ordinary Monday-to-Friday week.
    assert PLAIN.is_workday(date(2026, 10, 1))


def test_hand_listed_dates_and_ranges() -> None:
    cal = build_calendar(tz="UTC", holidays=["2026-12-24", "2026-12-28..2026-12-31"])
    assert not cal.is_workday(date(2026, 12, 24))
    assert cal.is_workday(date(2026, 12, 25))  # no country listed: Christmas is worked
    assert [cal.is_workday(date(2026, 12, d)) for d in range(28, 32)] == [False] * 4
    assert cal.is_workday(date(2027, 1, 1))
    assert cal.holidays == frozenset(
        {date(2026, 12, 24)} | {date(2026, 12, d) for d in range(28, 32)}
    )


def test_holidays_in_one_string_mix_countries_and_dates() -> None:
    cal = build_calendar(tz="Asia/Shanghai", holidays="cn, 2026-12-24 2026-1-2")
    assert cal.holiday_countries == ("CN",)
    assert cal.holidays == frozenset({date(2026, 12, 24), date(2026, 1, 2)})
    assert not cal.is_workday(date(2026, 10, 1))


def test_hand_listed_holiday_overrides_a_make_up_day() -> None:
    cal = build_calendar(tz="Asia/Shanghai", holidays=["CN", "2026-10-10"])
    assert not cal.is_workday(date(2026, 10, 10))


def test_extra_workdays_override_weekends_and_public_holidays() -> None:
    cal = WorkCalendar(
        tz=SHANGHAI,
        holiday_countries=("CN",),
        extra_workdays=frozenset({date(2026, 10, 3), date(2026, 10, 5)}),
    )
    assert cal.is_workday(date(2026, 10, 3))  # Saturday inside the national holiday
    assert cal.is_workday(date(2026, 10, 5))
    assert not cal.is_workday(date(2026, 10, 6))


def test_custom_work_week() -> None:
    cal = build_calendar(tz="Asia/Dubai", workdays="sun-thu")
    assert cal.workdays == frozenset({6, 0, 1, 2, 3})
    assert cal.is_workday(date(2026, 6, 7))  # Sunday
    assert not cal.is_workday(date(2026, 6, 5))  # Friday


def test_next_and_previous_workday() -> None:
    assert CN.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CN.next_workday(date(2026, 10, 9)) == date(2026, 10, 10)
    assert CN.next_workday(date(2026, 9, 30), include_today=True) == date(2026, 9, 30)
    assert CN.next_workday(date(2026, 10, 1), include_today=True) == date(2026, 10, 8)
    assert CN.previous_workday(date(2026, 10, 8)) == date(2026, 9, 30)
    assert CN.previous_workday(date(2026, 10, 12)) == date(2026, 10, 10)
    assert CN.previous_workday(date(2026, 10, 10), include_today=True) == date(2026, 10, 10)
    assert US.next_workday(date(2026, 11, 25)) == date(2026, 11, 27)


def test_last_workday_of_week() -> None:
    assert PLAIN.last_workday_of_week(date(2026, 6, 10)) == date(2026, 6, 12)
    assert PLAIN.last_workday_of_week(date(2026, 6, 14)) == date(2026, 6, 12)  # Sunday
    # Next week ends with the Dragon Boat Festival on Friday.
    assert CN.last_workday_of_week(date(2026, 6, 10), weeks_ahead=1) == date(2026, 6, 18)
    # The week after National Day ends with a Saturday make-up day.
    assert CN.last_workday_of_week(date(2026, 10, 5)) == date(2026, 10, 10)
    assert CN.last_workday_of_week(date(2026, 9, 28)) == date(2026, 9, 30)


def test_last_workday_of_a_week_without_work_is_the_next_work_day() -> None:
    cal = build_calendar(tz="UTC", holidays=["2026-12-21..2026-12-27"])
    assert cal.last_workday_of_week(date(2026, 12, 23)) == date(2026, 12, 28)


# --------------------------------------------------------------------------- local instants


@pytest.mark.parametrize(
    ("tz", "days"),
    [
        (NEW_YORK, [date(2026, 3, d) for d in (7, 8, 9)] + [date(2026, 11, d) for d in (1, 2)]),
        (NEW_YORK, [date(2026, 10, 31)]),
        (BERLIN, [date(2026, 3, d) for d in (28, 29, 30)]),
        (BERLIN, [date(2026, 10, d) for d in (24, 25, 26)]),
        (SHANGHAI, [date(2026, 3, 8), date(2026, 10, 25)]),
    ],
)
def test_local_instant_keeps_the_wall_time_around_dst(tz: ZoneInfo, days: list[date]) -> None:
    cal = WorkCalendar(tz=tz)
    for day in days:
        instant = cal.local_instant(day, time(9, 30))
        assert instant.tzinfo is UTC
        assert wall(instant, tz) == datetime.combine(day, time(9, 30))


def test_local_instant_offsets_change_with_dst() -> None:
    ny = WorkCalendar(tz=NEW_YORK)
    assert ny.local_instant(date(2026, 3, 6), time(9, 30)) == datetime(
        2026, 3, 6, 14, 30, tzinfo=UTC
    )
    assert ny.local_instant(date(2026, 3, 9), time(9, 30)) == datetime(
        2026, 3, 9, 13, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc", "expected_wall"),
    [
        (NEW_YORK, date(2026, 3, 8), datetime(2026, 3, 8, 7, 0), time(3, 0)),
        (BERLIN, date(2026, 3, 29), datetime(2026, 3, 29, 1, 0), time(3, 0)),
    ],
)
def test_nonexistent_wall_time_moves_to_the_end_of_the_gap(
    tz: ZoneInfo, day: date, expected_utc: datetime, expected_wall: time
) -> None:
    instant = WorkCalendar(tz=tz).local_instant(day, time(2, 30))
    assert instant == expected_utc.replace(tzinfo=UTC)
    assert wall(instant, tz).time() == expected_wall


@pytest.mark.parametrize(
    ("tz", "day", "t", "expected_utc"),
    [
        (NEW_YORK, date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),  # EDT
        (BERLIN, date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),  # CEST
    ],
)
def test_ambiguous_wall_time_takes_the_first(
    tz: ZoneInfo, day: date, t: time, expected_utc: datetime
) -> None:
    cal = WorkCalendar(tz=tz)
    assert cal.local_instant(day, t) == expected_utc.replace(tzinfo=UTC)
    # A fold=1 wall time is still read as the first occurrence.
    assert cal.local_instant(day, t.replace(fold=1)) == expected_utc.replace(tzinfo=UTC)


def test_local_date_uses_the_calendar_zone() -> None:
    late_utc = datetime(2026, 6, 5, 17, 0, tzinfo=UTC)  # already Saturday in Shanghai
    assert CN.local_date(late_utc) == date(2026, 6, 6)
    assert US.local_date(late_utc) == date(2026, 6, 5)


def test_work_hours_and_is_work_time() -> None:
    assert CN.work_hours(date(2026, 10, 1)) is None
    assert CN.work_hours(date(2026, 10, 10)) == (
        local(SHANGHAI, 2026, 10, 10, 9),
        local(SHANGHAI, 2026, 10, 10, 18),
    )
    assert CN.is_work_time(local(SHANGHAI, 2026, 10, 10, 9))
    assert not CN.is_work_time(local(SHANGHAI, 2026, 10, 10, 18))
    assert not CN.is_work_time(local(SHANGHAI, 2026, 10, 11, 12))
    assert CN.is_work_time(datetime(2026, 10, 10, 2, tzinfo=UTC))  # 10:00 in Shanghai


# --------------------------------------------------------------------------- misuse


NAIVE = datetime(2026, 6, 8, 10, 0)
AWARE = local(SHANGHAI, 2026, 6, 8, 10)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CN.local_date(NAIVE),
        lambda: CN.is_work_time(NAIVE),
        lambda: CN.add_business_time(NAIVE, H),
        lambda: CN.business_time_between(NAIVE, AWARE),
        lambda: CN.business_time_between(AWARE, NAIVE),
        lambda: CN.workdays_before(NAIVE),
        lambda: CN.add_workdays(NAIVE, 1),
        lambda: CN.occurrences(NAIVE, AWARE, time(9, 30)),
        lambda: CN.occurrences(AWARE, NAIVE, time(9, 30)),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    with pytest.raises(ValueError, match="must be timezone-aware"):
        call()  # type: ignore[operator]


def test_wall_times_with_a_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="wall time without a zone"):
        CN.local_instant(date(2026, 6, 8), time(9, tzinfo=UTC))
    with pytest.raises(ValueError, match="wall time without a zone"):
        CN.occurrences(AWARE, AWARE + H, time(9, tzinfo=UTC))


def test_datetimes_are_refused_where_a_date_is_meant() -> None:
    with pytest.raises(TypeError, match="use local_date"):
        CN.is_workday(AWARE)
    with pytest.raises(TypeError, match="use local_date"):
        CN.next_workday(AWARE)


def test_calendar_without_reachable_work_days_fails_instead_of_looping() -> None:
    only_once = WorkCalendar(
        tz=SHANGHAI, workdays=frozenset(), extra_workdays=frozenset({date(2026, 6, 6)})
    )
    assert only_once.next_workday(date(2026, 6, 1)) == date(2026, 6, 6)
    with pytest.raises(ValueError, match="no work day within"):
        only_once.next_workday(date(2026, 6, 6))


# --------------------------------------------------------------------------- one calendar for all


@pytest.mark.parametrize(
    ("tz", "wall_time", "expected_utc"),
    [
        (NEW_YORK, datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 7, 0)),  # gap: its end
        (BERLIN, datetime(2026, 3, 29, 2, 59, 59), datetime(2026, 3, 29, 1, 0)),
        (NEW_YORK, datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 5, 30)),  # fold: first
        (NEW_YORK, datetime(2026, 11, 1, 1, 30, fold=1), datetime(2026, 11, 1, 5, 30)),
        (SHANGHAI, datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 7, 18, 30)),  # no change
        (ZoneInfo("Pacific/Apia"), datetime(2011, 12, 30, 9, 30), datetime(2011, 12, 30, 10, 0)),
    ],
)
def test_localize_is_the_one_wall_time_rule(
    tz: ZoneInfo, wall_time: datetime, expected_utc: datetime
) -> None:
    found = localize(wall_time, tz)
    assert found.astimezone(UTC) == expected_utc.replace(tzinfo=UTC)
    assert found.tzinfo is tz and found.fold == 0


def test_within_work_time_keeps_work_hours_and_moves_the_rest_to_the_next_opening() -> None:
    assert CN.within_work_time(local(SHANGHAI, 2026, 9, 29, 18)) == local(SHANGHAI, 2026, 9, 29, 18)
    assert CN.within_work_time(local(SHANGHAI, 2026, 9, 29, 7)) == local(SHANGHAI, 2026, 9, 29, 9)
    # After hours on the eve of National Day: the next opening is 8 October.
    assert CN.within_work_time(local(SHANGHAI, 2026, 9, 30, 19)) == local(SHANGHAI, 2026, 10, 8, 9)
    # The make-up Saturday opens like any work day.
    assert CN.within_work_time(local(SHANGHAI, 2026, 10, 9, 20)) == local(SHANGHAI, 2026, 10, 10, 9)


class _Settings:
    """A department's stored calendar settings, as a row or the tick's copy holds them."""

    timezone = "Asia/Shanghai"
    workdays = "周一至周五"
    day_start = time(9, 30)
    day_end = time(18, 30)
    holidays: list[str] | None = ["cn", "CN", "2026-12-24"]


def test_calendar_for_builds_a_departments_calendar_from_its_settings() -> None:
    cal = calendar_for(_Settings())
    assert cal.holiday_countries == ("CN",)  # written twice, kept once
    assert cal.day_start == time(9, 30) and cal.day_end == time(18, 30)
    assert not cal.is_workday(date(2026, 12, 24)) and not cal.is_workday(date(2026, 10, 1))
    assert cal.is_workday(date(2026, 10, 10))
    assert calendar_for(_Settings()) is cal  # cached: the tick builds it once per settings
    unset = _Settings()
    unset.holidays = None
    assert calendar_for(unset).holiday_countries == ()
