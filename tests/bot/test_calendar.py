"""Tests for the business-time calendar in bot.calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import WorkCalendar, build_calendar
from bot.calendar_text import parse_duration, parse_hours, parse_workdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

CN = build_calendar(tz="Asia/Shanghai", holidays=["CN"])
US = build_calendar(tz="America/New_York", holidays=["US"])
DE = build_calendar(tz="Europe/Berlin", holidays=["DE"])
PLAIN = WorkCalendar(tz=SHANGHAI)

H = timedelta(hours=1)


def local(
    tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """An aware local datetime: local(tz, 2026, 3, 9, 16) is 16:00 on 9 March in tz."""
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall time of an instant, to compare with what a person would read."""
    return instant.astimezone(tz).replace(tzinfo=None)


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


# --------------------------------------------------------------------------- business time


def test_friday_evening_plus_a_work_day_is_monday_afternoon() -> None:
    result = CN.add_business_time(local(SHANGHAI, 2026, 6, 5, 17), 8 * H)
    assert result == local(SHANGHAI, 2026, 6, 8, 16)
    assert result.tzinfo is UTC


def test_business_time_skips_the_national_holiday() -> None:
    start = local(SHANGHAI, 2026, 9, 30, 14)  # Wednesday, the last day before National Day
    assert CN.add_business_time(start, 8 * H) == local(SHANGHAI, 2026, 10, 8, 13)
    assert CN.add_business_time(local(SHANGHAI, 2026, 9, 30, 9), 8 * H) == local(
        SHANGHAI, 2026, 9, 30, 17
    )
    # Two full days from Friday 9 October reach the Saturday make-up day.
    assert CN.add_business_time(local(SHANGHAI, 2026, 10, 9, 9), 18 * H) == local(
        SHANGHAI, 2026, 10, 10, 18
    )


def test_business_time_over_thanksgiving() -> None:
    start = local(NEW_YORK, 2026, 11, 25, 15)
    assert US.add_business_time(start, 8 * H) == local(NEW_YORK, 2026, 11, 27, 14)


def test_add_business_time_starting_outside_hours() -> None:
    assert CN.add_business_time(local(SHANGHAI, 2026, 6, 8, 7), H) == local(
        SHANGHAI, 2026, 6, 8, 10
    )
    assert CN.add_business_time(local(SHANGHAI, 2026, 6, 8, 20), H) == local(
        SHANGHAI, 2026, 6, 9, 10
    )
    assert CN.add_business_time(local(SHANGHAI, 2026, 6, 6, 12), H) == local(
        SHANGHAI, 2026, 6, 8, 10
    )


def test_ending_on_closing_time_stays_on_that_day() -> None:
    assert CN.add_business_time(local(SHANGHAI, 2026, 6, 8, 10), 8 * H) == local(
        SHANGHAI, 2026, 6, 8, 18
    )


def test_zero_business_time_is_the_start_itself() -> None:
    start = local(SHANGHAI, 2026, 6, 6, 12)  # Saturday
    assert CN.add_business_time(start, timedelta(0)) == start


def test_negative_business_time_goes_back() -> None:
    assert CN.add_business_time(local(SHANGHAI, 2026, 6, 8, 16), -8 * H) == local(
        SHANGHAI, 2026, 6, 5, 17
    )
    assert CN.add_business_time(local(SHANGHAI, 2026, 10, 8, 13), -8 * H) == local(
        SHANGHAI, 2026, 9, 30, 14
    )
    # Landing exactly on opening time stays on that day.
    assert CN.add_business_time(local(SHANGHAI, 2026, 6, 8, 18), -9 * H) == local(
        SHANGHAI, 2026, 6, 8, 9
    )


def test_business_time_between() -> None:
    assert (
        CN.business_time_between(local(SHANGHAI, 2026, 6, 5, 17), local(SHANGHAI, 2026, 6, 8, 16))
        == 8 * H
    )
    assert (
        CN.business_time_between(local(SHANGHAI, 2026, 9, 30, 9), local(SHANGHAI, 2026, 10, 9, 18))
        == 27 * H
    )
    # Over New Year into 2027.
    assert (
        CN.business_time_between(local(SHANGHAI, 2026, 12, 31, 17), local(SHANGHAI, 2027, 1, 4, 10))
        == 2 * H
    )
    # Evenings, nights and weekends only.
    assert CN.business_time_between(
        local(SHANGHAI, 2026, 6, 5, 18), local(SHANGHAI, 2026, 6, 8, 9)
    ) == timedelta(0)


def test_business_time_between_is_zero_when_end_is_not_later() -> None:
    a = local(SHANGHAI, 2026, 6, 8, 10)
    assert CN.business_time_between(a, a) == timedelta(0)
    assert CN.business_time_between(a + H, a) == timedelta(0)


def test_business_time_between_instants_in_other_zones() -> None:
    start = datetime(2026, 6, 8, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    end = local(NEW_YORK, 2026, 6, 8, 1)  # 13:00 in Shanghai
    assert CN.business_time_between(start, end) == 4 * H


def test_business_time_does_not_shift_with_dst() -> None:
    # New York: Friday before spring-forward to the Monday after.
    assert US.add_business_time(local(NEW_YORK, 2026, 3, 6, 17), 8 * H) == local(
        NEW_YORK, 2026, 3, 9, 16
    )
    assert (
        US.business_time_between(local(NEW_YORK, 2026, 3, 6, 9), local(NEW_YORK, 2026, 3, 9, 18))
        == 18 * H
    )
    assert US.add_business_time(local(NEW_YORK, 2026, 10, 30, 17), 8 * H) == local(
        NEW_YORK, 2026, 11, 2, 16
    )
    # Berlin, both changes.
    assert DE.add_business_time(local(BERLIN, 2026, 3, 27, 17), 8 * H) == local(
        BERLIN, 2026, 3, 30, 16
    )
    assert (
        DE.business_time_between(local(BERLIN, 2026, 10, 23, 9), local(BERLIN, 2026, 10, 26, 18))
        == 18 * H
    )


def test_business_hours_that_span_a_dst_change_count_elapsed_time() -> None:
    cal = build_calendar(tz="America/New_York", workdays="daily", hours="00:00-23:00")
    spring = cal.work_hours(date(2026, 3, 8))
    autumn = cal.work_hours(date(2026, 11, 1))
    assert spring is not None and autumn is not None
    assert spring[1] - spring[0] == 22 * H  # 23 wall hours minus the skipped one
    assert autumn[1] - autumn[0] == 24 * H  # 23 wall hours plus the repeated one
    assert (
        cal.business_time_between(local(NEW_YORK, 2026, 3, 8, 0), local(NEW_YORK, 2026, 3, 8, 23))
        == 22 * H
    )


def test_work_day_starting_inside_a_gap_is_empty_not_negative() -> None:
    cal = build_calendar(tz="America/New_York", workdays="daily", hours="02:30-03:00")
    hours = cal.work_hours(date(2026, 3, 8))
    assert hours is not None and hours[0] == hours[1]
    assert cal.business_time_between(
        local(NEW_YORK, 2026, 3, 7, 0), local(NEW_YORK, 2026, 3, 9, 12)
    ) == timedelta(minutes=60)
    assert cal.add_business_time(local(NEW_YORK, 2026, 3, 7, 2, 45), timedelta(minutes=20)) == (
        local(NEW_YORK, 2026, 3, 9, 2, 35)
    )


def test_a_skipped_local_day_is_not_counted_twice() -> None:
    # Samoa jumped from 29 to 31 December 2011; 30 December never happened there.
    apia = ZoneInfo("Pacific/Apia")
    cal = build_calendar(tz="Pacific/Apia", workdays="daily")
    start, end = local(apia, 2011, 12, 29), local(apia, 2012, 1, 1)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 48 * H  # two real days passed
    assert cal.business_time_between(start, end) == 18 * H
    assert cal.add_business_time(local(apia, 2011, 12, 29, 17), 2 * H) == local(
        apia, 2011, 12, 31, 10
    )
    assert cal.add_business_time(local(apia, 2011, 12, 31, 10), -2 * H) == local(
        apia, 2011, 12, 29, 17
    )
    assert cal.add_business_time(local(apia, 2011, 12, 29, 17), 11 * H) == local(
        apia, 2012, 1, 1, 10
    )
    assert cal.add_business_time(local(apia, 2012, 1, 1, 10), -11 * H) == local(
        apia, 2011, 12, 29, 17
    )
    assert [wall(at, apia) for at in cal.occurrences(start, end, time(9, 30))] == [
        datetime(2011, 12, 29, 9, 30),
        datetime(2011, 12, 31, 9, 30),
    ]


# --------------------------------------------------------------------------- whole work days


def test_workdays_before_due_time() -> None:
    assert CN.workdays_before(local(SHANGHAI, 2026, 6, 8, 18)) == local(SHANGHAI, 2026, 6, 5, 18)
    assert CN.workdays_before(local(SHANGHAI, 2026, 10, 8, 10)) == local(SHANGHAI, 2026, 9, 30, 10)
    assert CN.workdays_before(local(SHANGHAI, 2026, 10, 12, 18)) == local(
        SHANGHAI, 2026, 10, 10, 18
    )
    assert CN.workdays_before(local(SHANGHAI, 2026, 10, 12, 18), 2) == local(
        SHANGHAI, 2026, 10, 9, 18
    )
    # A due time on a weekend: the work day before it.
    assert CN.workdays_before(local(SHANGHAI, 2026, 6, 7, 12)) == local(SHANGHAI, 2026, 6, 5, 12)
    assert US.workdays_before(local(NEW_YORK, 2026, 11, 27, 18)) == local(
        NEW_YORK, 2026, 11, 25, 18
    )


def test_add_workdays_for_snooze() -> None:
    assert CN.add_workdays(local(SHANGHAI, 2026, 6, 5, 15), 1) == local(SHANGHAI, 2026, 6, 8, 15)
    assert CN.add_workdays(local(SHANGHAI, 2026, 9, 24, 15), 1) == local(SHANGHAI, 2026, 9, 28, 15)
    assert CN.add_workdays(local(SHANGHAI, 2026, 10, 9, 15), 1) == local(SHANGHAI, 2026, 10, 10, 15)
    assert CN.add_workdays(local(SHANGHAI, 2026, 9, 30, 11), 3) == local(SHANGHAI, 2026, 10, 10, 11)
    assert US.add_workdays(local(NEW_YORK, 2026, 11, 25, 11), 1) == local(
        NEW_YORK, 2026, 11, 27, 11
    )
    # From a Saturday, the next work day.
    assert CN.add_workdays(local(SHANGHAI, 2026, 6, 6, 10), 1) == local(SHANGHAI, 2026, 6, 8, 10)


def test_whole_work_days_keep_the_wall_time_across_dst() -> None:
    monday = US.add_workdays(local(NEW_YORK, 2026, 3, 6, 9, 30), 1)
    assert wall(monday, NEW_YORK) == datetime(2026, 3, 9, 9, 30)
    friday = DE.workdays_before(local(BERLIN, 2026, 10, 26, 9, 30))
    assert wall(friday, BERLIN) == datetime(2026, 10, 23, 9, 30)


def test_zero_and_negative_work_day_shifts() -> None:
    start = local(SHANGHAI, 2026, 6, 6, 10)
    assert CN.add_workdays(start, 0) == start
    assert CN.workdays_before(start, 0) == start
    assert CN.add_workdays(start, -1) == CN.workdays_before(start, 1)
    assert CN.workdays_before(start, -1) == CN.add_workdays(start, 1)


def test_zero_shift_keeps_the_second_of_two_ambiguous_instants() -> None:
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the repeated hour
    assert US.add_workdays(second, 0) == second


# --------------------------------------------------------------------------- occurrences


@pytest.mark.parametrize(
    ("tz", "start", "end", "changes"),
    [
        (NEW_YORK, date(2026, 3, 2), date(2026, 3, 14), date(2026, 3, 8)),
        (NEW_YORK, date(2026, 10, 26), date(2026, 11, 7), date(2026, 11, 1)),
        (BERLIN, date(2026, 3, 23), date(2026, 4, 4), date(2026, 3, 29)),
        (BERLIN, date(2026, 10, 19), date(2026, 10, 31), date(2026, 10, 25)),
    ],
)
@pytest.mark.parametrize("workdays", ["mon-fri", "daily"])
def test_occurrences_across_dst_are_one_per_work_day_at_local_time(
    tz: ZoneInfo, start: date, end: date, changes: date, workdays: str
) -> None:
    cal = build_calendar(tz=str(tz), workdays=workdays)
    found = cal.occurrences(
        datetime.combine(start, time(0), tzinfo=tz),
        datetime.combine(end, time(23, 59), tzinfo=tz),
        time(9, 30),
    )
    expected_days = [
        start + timedelta(days=k)
        for k in range((end - start).days + 1)
        if cal.is_workday(start + timedelta(days=k))
    ]
    assert [wall(at, tz) for at in found] == [
        datetime.combine(d, time(9, 30)) for d in expected_days
    ]
    assert all(at.tzinfo is UTC for at in found)
    assert (changes in expected_days) is (workdays == "daily")
    # The offset really changes inside the window, so a fixed UTC time would be wrong.
    assert len({at.astimezone(UTC).time() for at in found}) == 2


def test_occurrence_in_a_gap_moves_to_its_end() -> None:
    cal = build_calendar(tz="America/New_York", workdays="daily")
    found = cal.occurrences(
        local(NEW_YORK, 2026, 3, 7, 12), local(NEW_YORK, 2026, 3, 9, 12), time(2, 30)
    )
    assert [wall(at, NEW_YORK) for at in found] == [
        datetime(2026, 3, 8, 3, 0),
        datetime(2026, 3, 9, 2, 30),
    ]


def test_occurrence_pushed_past_midnight_by_a_gap_is_found() -> None:
    # Nuuk springs forward from 23:00 to 00:00 on Saturday 28 March 2026.
    nuuk = ZoneInfo("America/Nuuk")
    cal = build_calendar(tz="America/Nuuk", workdays="daily")
    found = cal.occurrences(local(nuuk, 2026, 3, 28, 22), local(nuuk, 2026, 3, 29, 1), time(23, 30))
    assert [wall(at, nuuk) for at in found] == [datetime(2026, 3, 29, 0, 0)]
    assert cal.occurrences(
        local(nuuk, 2026, 3, 28, 12), local(nuuk, 2026, 3, 30, 12), time(23, 30)
    ) == [cal.local_instant(date(2026, 3, 28), time(23, 30)), local(nuuk, 2026, 3, 29, 23, 30)]


def test_occurrence_in_a_fold_happens_once() -> None:
    cal = build_calendar(tz="America/New_York", workdays="daily")
    found = cal.occurrences(
        local(NEW_YORK, 2026, 11, 1, 0), local(NEW_YORK, 2026, 11, 1, 3), time(1, 30)
    )
    assert found == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]


def test_occurrences_window_is_open_at_start_and_closed_at_end() -> None:
    standup = local(SHANGHAI, 2026, 6, 8, 9, 30)
    minute = timedelta(minutes=1)
    assert CN.occurrences(standup - minute, standup, time(9, 30)) == [standup]
    assert CN.occurrences(standup, standup + minute, time(9, 30)) == []
    assert CN.occurrences(standup, standup, time(9, 30)) == []
    assert CN.occurrences(standup + minute, standup - minute, time(9, 30)) == []


def test_occurrences_skip_holidays_and_include_make_up_days() -> None:
    found = CN.occurrences(
        local(SHANGHAI, 2026, 9, 28, 0), local(SHANGHAI, 2026, 10, 11, 0), time(9, 30)
    )
    assert [CN.local_date(at) for at in found] == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


# --------------------------------------------------------------------------- properties

CALENDARS = st.sampled_from([CN, US, DE])
MINUTES = st.integers(min_value=0, max_value=9 * 60 - 1)
WORK_DAYS = st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31))
DELTAS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=400))
INSTANTS = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(cal=CALENDARS, day=WORK_DAYS, minutes=MINUTES, delta=DELTAS)
def test_between_undoes_add_from_within_working_hours(
    cal: WorkCalendar, day: date, minutes: int, delta: timedelta
) -> None:
    day = cal.next_workday(day, include_today=True)
    start = cal.local_instant(day, cal.day_start) + timedelta(minutes=minutes)
    assert cal.is_work_time(start)
    end = cal.add_business_time(start, delta)
    assert cal.business_time_between(start, end) == delta
    assert cal.add_business_time(end, -delta) == start


@settings(max_examples=300, deadline=None)
@given(cal=CALENDARS, start=INSTANTS, delta=DELTAS)
def test_between_undoes_add_from_anywhere(
    cal: WorkCalendar, start: datetime, delta: timedelta
) -> None:
    end = cal.add_business_time(start, delta)
    assert end >= start
    assert cal.business_time_between(start, end) == delta
    back = cal.add_business_time(end, -delta)
    assert cal.business_time_between(back, end) == delta
    assert back <= end


@settings(max_examples=200, deadline=None)
@given(cal=CALENDARS, instants=st.lists(INSTANTS, min_size=3, max_size=3))
def test_business_time_between_adds_up(cal: WorkCalendar, instants: list[datetime]) -> None:
    a, b, c = sorted(instants)
    assert cal.business_time_between(a, b) + cal.business_time_between(
        b, c
    ) == cal.business_time_between(a, c)
    assert cal.business_time_between(a, c) <= c - a


@settings(max_examples=200, deadline=None)
@given(cal=CALENDARS, start=INSTANTS, first=DELTAS, second=DELTAS)
def test_add_business_time_is_monotonic_and_composes(
    cal: WorkCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    low, high = sorted([first, second])
    assert cal.add_business_time(start, low) <= cal.add_business_time(start, high)
    step = cal.add_business_time(cal.add_business_time(start, low), high)
    assert step == cal.add_business_time(start, low + high)


@settings(max_examples=200, deadline=None)
@given(
    cal=CALENDARS,
    start=INSTANTS,
    span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    t=st.times(),
)
def test_occurrences_are_sorted_at_wall_time_on_work_days(
    cal: WorkCalendar, start: datetime, span: timedelta, t: time
) -> None:
    found = cal.occurrences(start, start + span, t)
    assert found == sorted(found)
    assert all(start < at <= start + span for at in found)
    days = [cal.local_date(at) for at in found]
    assert len(set(days)) == len(days)
    assert all(
        cal.is_workday(d) and cal.local_instant(d, t) == at
        for d, at in zip(days, found, strict=True)
    )


@settings(max_examples=200, deadline=None)
@given(cal=CALENDARS, start=INSTANTS, n=st.integers(min_value=1, max_value=15))
def test_add_workdays_and_workdays_before_invert_on_work_days(
    cal: WorkCalendar, start: datetime, n: int
) -> None:
    day = cal.next_workday(cal.local_date(start), include_today=True)
    at = cal.local_instant(day, time(10, 0))
    later = cal.add_workdays(at, n)
    assert cal.is_workday(cal.local_date(later))
    assert wall(later, cal.tz).time() == time(10, 0)
    assert cal.workdays_before(later, n) == at


# --------------------------------------------------------------------------- text settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon - Fri", {0, 1, 2, 3, 4}),
        ("mon,tue,thu", {0, 1, 3}),
        ("Monday, Wednesday", {0, 2}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("周一至周五", {0, 1, 2, 3, 4}),
        ("周一到周六", {0, 1, 2, 3, 4, 5}),
        ("周一至五", {0, 1, 2, 3, 4}),
        ("星期一、星期三，礼拜五", {0, 2, 4}),
        ("周日", {6}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("daily", set(range(7))),
        ("工作日,周六", {0, 1, 2, 3, 4, 5}),
    ],
)
def test_parse_workdays(text: str, expected: set[int]) -> None:
    assert parse_workdays(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["mon-fry", "", "  ", "1-5", "mon-", "周八"])
def test_parse_workdays_errors(text: str) -> None:
    with pytest.raises(ValueError, match="mon-fri, mon,tue,thu or 周一至周五"):
        parse_workdays(text)


def test_parse_workdays_error_names_the_bad_day() -> None:
    with pytest.raises(ValueError, match="'fry' is not a day of the week"):
        parse_workdays("mon-fry")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-18:00", (time(9), time(18))),
        ("9:00-18:00", (time(9), time(18))),
        ("9-18", (time(9), time(18))),
        ("9:30 - 17:45", (time(9, 30), time(17, 45))),
        ("9am-6pm", (time(9), time(18))),
        ("12pm-1pm", (time(12), time(13))),
        ("09:00～18:00", (time(9), time(18))),
        ("9：00至18：00", (time(9), time(18))),
    ],
)
def test_parse_hours(text: str, expected: tuple[time, time]) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nine to five", "cannot read work hours 'nine to five'; write them like 09:00-18:00"),
        ("18:00-09:00", "must end later the same day than they start"),
        ("09:00-09:00", "must end later the same day than they start"),
        ("09:00-24:00", "'24:00' is not a time"),
        ("09:75-18:00", "'09:75' is not a time"),
        ("13pm-2pm", "'13pm' is not a time"),
        ("", "cannot read work hours"),
    ],
)
def test_parse_hours_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h", timedelta(hours=8)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(hours=48)),
        ("1.5h", timedelta(minutes=90)),
        ("0.1h", timedelta(minutes=6)),
        ("1h30m", timedelta(minutes=90)),
        (" 2 hours 15 minutes ", timedelta(hours=2, minutes=15)),
        ("8小时", timedelta(hours=8)),
        ("30分钟", timedelta(minutes=30)),
        ("2天", timedelta(days=2)),
        ("24H", timedelta(hours=24)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8", "cannot read duration '8'"),
        ("8 weeks", "unknown unit 'weeks'"),
        ("", "cannot read duration ''"),
        ("0h", "must be longer than zero"),
        ("-1h", "cannot read duration '-1h'"),
        ("1h30", "cannot read duration '1h30'"),
        ("h", "cannot read duration 'h'"),
        ("99999999999d", "too long"),
    ],
)
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        parse_duration(text)
    if "too long" not in message:
        assert "8h, 90m, 1.5h, 2d or 8小时" in str(error.value)


# --------------------------------------------------------------------------- building


def test_build_calendar_defaults() -> None:
    cal = build_calendar(tz="Asia/Shanghai")
    assert cal == WorkCalendar(tz=SHANGHAI)
    assert (cal.day_start, cal.day_end) == (time(9), time(18))
    assert cal.workdays == frozenset(range(5))


def test_build_calendar_takes_values_as_well_as_text() -> None:
    from_text = build_calendar(tz="Europe/Berlin", workdays="mon-thu", hours="08:00-16:30")
    from_values = build_calendar(
        tz="Europe/Berlin", workdays=[0, 1, 2, 3], hours=(time(8), time(16, 30))
    )
    from_names = build_calendar(
        tz="Europe/Berlin", workdays=["mon", "tue", "wed", "thu"], hours="8:00-16:30"
    )
    assert from_text == from_values == from_names


def test_build_calendar_is_cached() -> None:
    first = build_calendar(tz="Asia/Shanghai", holidays=["CN", "2026-12-24"])
    again = build_calendar(tz="Asia/Shanghai", holidays=("CN", "2026-12-24"))
    assert first is again


def test_calendars_are_hashable_values() -> None:
    direct = WorkCalendar(tz=SHANGHAI, workdays={0, 1}, holidays={date(2026, 1, 2)})  # type: ignore[arg-type]
    assert isinstance(direct.workdays, frozenset) and isinstance(direct.holidays, frozenset)
    assert hash(direct) == hash(
        WorkCalendar(
            tz=SHANGHAI, workdays=frozenset({1, 0}), holidays=frozenset({date(2026, 1, 2)})
        )
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"holidays": ["XX"]},
            "unknown holiday calendar 'XX'; use a country code such as CN or US, "
            "or dates like 2026-12-24",
        ),
        ({"holidays": ["China"]}, "unknown holiday calendar 'China'"),
        ({"holidays": ["US-ZZ"]}, "unknown region 'ZZ' in holiday calendar 'US-ZZ'"),
        ({"holidays": ["2026-02-30"]}, "'2026-02-30' is not a real date"),
        ({"holidays": ["2026-13-01"]}, "'2026-13-01' is not a real date"),
        ({"holidays": ["2026-12"]}, "'2026-12' is not a date; write dates like 2026-12-24"),
        ({"holidays": ["2026-12-31..2026-12-24"]}, "ends before it starts"),
        ({"holidays": ["2026-12-24..2026-12-x"]}, "is not a date"),
        ({"holidays": ["2026-01-01..2027-06-01"]}, "longer than a year"),
        ({"tz": "Asia/Shang"}, "unknown time zone 'Asia/Shang'; use a name such as"),
        ({"tz": ""}, "unknown time zone"),
        ({"workdays": "mon-fry"}, "'fry' is not a day of the week"),
        ({"hours": "18-9"}, "must end later the same day"),
        ({"workdays": [7]}, "0 \\(Monday\\) to 6 \\(Sunday\\)"),
    ],
)
def test_build_calendar_errors(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"tz": "Asia/Shanghai", **kwargs}
    with pytest.raises(ValueError, match=message):
        build_calendar(**arguments)  # type: ignore[arg-type]


def test_holiday_ranges_accept_chinese_separators() -> None:
    cal = build_calendar(tz="Asia/Shanghai", holidays=["2026-12-24至2026-12-26"])
    assert cal.holidays == frozenset({date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)})


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="must end later the same day"):
        WorkCalendar(tz=SHANGHAI, day_start=time(18), day_end=time(9))
    with pytest.raises(ValueError, match="at least one work day"):
        WorkCalendar(tz=SHANGHAI, workdays=frozenset())
    with pytest.raises(ValueError, match="unknown holiday calendar 'XX'"):
        WorkCalendar(tz=SHANGHAI, holiday_countries=("XX",))
    with pytest.raises(ValueError, match="wall time without a zone"):
        WorkCalendar(tz=SHANGHAI, day_start=time(9, tzinfo=UTC))
    with pytest.raises(TypeError, match="takes a zone name"):
        WorkCalendar(tz="Asia/Shanghai")  # type: ignore[arg-type]
    assert WorkCalendar(tz=SHANGHAI, holiday_countries=("cn",)).holiday_countries == ("CN",)


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
