"""Tests for business time in bot.calendar: elapsed work hours, whole work days, occurrences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import WorkCalendar, build_calendar
from tests.bot.calendar_support import (
    BERLIN,
    CN,
    DE,
    NEW_YORK,
    SHANGHAI,
    US,
    H,
    local,
    wall,
)

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
