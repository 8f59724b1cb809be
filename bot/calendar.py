"""The one business calendar: work days, work hours, holidays and make-up days.

A :class:`WorkCalendar` answers every work-day question in xdept, for the
scheduler (is this a work day, which instant is 09:30 on it, when are 8
business hours over, what is "one work day before" a due time), for snoozes
("1 day" is the same time on the next work day) and for due dates (`next
week`, `end of week`, `N business days`, `N个工作日` in :mod:`bot.dates`). It
is pure: it never reads the clock, does no I/O and knows no chat platform.
:func:`calendar_for` builds a department's calendar from its settings;
:func:`localize` is the one way a wall time becomes an instant.

Conventions
-----------
- Instants are aware ``datetime`` values; a naive one raises ``ValueError``.
  Instants returned are in UTC.
- Dates and wall times are local to the calendar's zone. Each local day is
  converted to UTC on its own, so a daylight-saving change never shifts a
  work day's hours: 09:30 stays 09:30 on both sides of it.
- A wall time that does not exist (the spring-forward gap) moves to the end
  of the gap (02:30 becomes 03:00 in New York on 2026-03-08); an ambiguous
  one (the fall-back hour) is its first occurrence.
- Business time is the elapsed time between ``day_start`` and ``day_end`` on
  work days. Everything else (nights, weekends, holidays) counts for nothing.
- Whether a date is a work day is decided in this order: a hand-listed
  holiday is off; a hand-listed make-up day is worked; a public holiday of a
  listed country is off; an official make-up work day of a listed country
  (China's 调休, for instance) is worked; otherwise its weekday decides.

Settings typed as text are read by :mod:`bot.calendar_text`; countries'
holidays come from :mod:`bot.holiday_tables`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar_text import parse_holidays, parse_hours, parse_workdays
from bot.holiday_tables import check_country, country_year

__all__ = [
    "CalendarSettings",
    "WorkCalendar",
    "build_calendar",
    "calendar_for",
    "localize",
]

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_ONE_SECOND = timedelta(seconds=1)
# A calendar with no work day in ten years is misconfigured; fail instead of looping forever.
_MAX_SCAN_DAYS = 3660


# --------------------------------------------------------------------------- wall times


def localize(wall: datetime, zone: tzinfo) -> datetime:
    """The instant of a naive local wall time in ``zone`` (gap: its end; fold: the first)."""
    wall = wall.replace(tzinfo=None, fold=0)
    aware = wall.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == wall:
        return aware
    # In a gap fold=1 reads the wall time with the offset from after the change,
    # which lands before the transition; fold=0 lands after it. The end of the gap
    # is the transition itself: the first instant whose wall time reaches the one
    # asked for, found by halving the interval between the two readings.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = utc
    while hi - lo > _ONE_SECOND:
        mid = (lo + (hi - lo) / 2).replace(microsecond=0)
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi.astimezone(zone)


# --------------------------------------------------------------------------- the calendar


def _aware(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC, refusing naive datetimes."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _plain_date(value: date, name: str) -> date:
    """Refuse datetimes where a date is meant: they never equal a listed holiday."""
    if isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not a datetime; use local_date(instant)")
    return value


def _wall_time(value: time, name: str) -> time:
    """Refuse wall times that carry a zone: the calendar's zone is the only one."""
    if value.tzinfo is not None:
        raise ValueError(f"{name} must be a wall time without a zone, got {value.isoformat()}")
    return value.replace(fold=0)


@dataclass(frozen=True)
class WorkCalendar:
    """Work days and hours of one department in its own time zone.

    ``holidays`` and ``extra_workdays`` are hand-listed dates;
    ``holiday_countries`` adds public holidays and official make-up work days
    from the holiday library (codes such as ``"CN"``, ``"US"`` or ``"DE-BY"``),
    looked up lazily one year at a time and cached.
    """

    tz: ZoneInfo
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday is 0
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    holidays: frozenset[date] = frozenset()  # days off
    extra_workdays: frozenset[date] = frozenset()  # worked even on a weekend (调休)
    holiday_countries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise TypeError(
                f"tz must be a ZoneInfo, not {type(self.tz).__name__}; "
                "build_calendar(tz=...) takes a zone name"
            )
        workdays = frozenset(self.workdays)
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in workdays):
            raise ValueError(f"workdays must be numbers 0 (Monday) to 6 (Sunday), got {workdays}")
        if not workdays and not self.extra_workdays:
            raise ValueError("a calendar needs at least one work day")
        for name in ("day_start", "day_end"):
            _wall_time(getattr(self, name), name)
        if self.day_start >= self.day_end:
            raise ValueError(
                f"work hours must end later the same day than they start, "
                f"got {self.day_start:%H:%M}-{self.day_end:%H:%M}"
            )
        # Frozen: coerce through object.__setattr__ so sets and lists passed in stay hashable.
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "extra_workdays", frozenset(self.extra_workdays))
        codes = dict.fromkeys(check_country(c) for c in self.holiday_countries)
        object.__setattr__(self, "holiday_countries", tuple(codes))

    # ----------------------------------------------------------------- days

    def is_workday(self, d: date) -> bool:
        """Whether local date ``d`` is a work day (see the module docstring for precedence)."""
        d = _plain_date(d, "d")
        if d in self.holidays:
            return False
        if d in self.extra_workdays:
            return True
        made_up = False
        for code in self.holiday_countries:
            days_off, workdays = country_year(code, d.year)
            if d in days_off:
                return False
            made_up = made_up or d in workdays
        return made_up or d.weekday() in self.workdays

    def next_workday(self, d: date, *, include_today: bool = False) -> date:
        """The first work day after ``d`` (or ``d`` itself if ``include_today`` and it is one)."""
        return self._scan(_plain_date(d, "d"), _ONE_DAY, include_today)

    def previous_workday(self, d: date, *, include_today: bool = False) -> date:
        """The last work day before ``d`` (or ``d`` itself if ``include_today`` and it is one)."""
        return self._scan(_plain_date(d, "d"), -_ONE_DAY, include_today)

    def _scan(self, d: date, step: timedelta, include_today: bool) -> date:
        day = d if include_today else d + step
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(day):
                return day
            day += step
        direction = "after" if step > _ZERO else "before"
        raise ValueError(
            f"no work day within {_MAX_SCAN_DAYS} days {direction} {d}; "
            "check the calendar's work days and holidays"
        )

    def last_workday_of_week(self, d: date, *, weeks_ahead: int = 0) -> date:
        """The last work day of the Monday-to-Sunday week of ``d`` (``weeks_ahead=1``: next week).

        A week without any work day gives the first work day after it, so a
        deadline such as "next week" never lands earlier than meant.
        """
        d = _plain_date(d, "d")
        monday = d - timedelta(days=d.weekday()) + timedelta(weeks=weeks_ahead)
        sunday = monday + timedelta(days=6)
        day = sunday
        while day >= monday:
            if self.is_workday(day):
                return day
            day -= _ONE_DAY
        return self.next_workday(sunday)

    # ----------------------------------------------------------------- instants

    def local_instant(self, d: date, t: time) -> datetime:
        """The UTC instant of wall time ``t`` on local date ``d`` (gap: its end; fold: first)."""
        wall = datetime.combine(_plain_date(d, "d"), _wall_time(t, "t"))
        return localize(wall, self.tz).astimezone(UTC)

    def local_date(self, instant: datetime) -> date:
        """The local date of ``instant`` in the calendar's zone."""
        return _aware(instant, "instant").astimezone(self.tz).date()

    def work_hours(self, d: date) -> tuple[datetime, datetime] | None:
        """The UTC start and end of work on local date ``d``, or None if it is no work day."""
        if not self.is_workday(d):
            return None
        return self._span(d)

    def is_work_time(self, instant: datetime) -> bool:
        """Whether ``instant`` falls within work hours on a work day."""
        at = _aware(instant, "instant")
        hours = self.work_hours(at.astimezone(self.tz).date())
        return hours is not None and hours[0] <= at < hours[1]

    def within_work_time(self, instant: datetime) -> datetime:
        """``instant`` if in work hours (closing minute included), else the next opening."""
        at = _aware(instant, "instant")
        day = at.astimezone(self.tz).date()
        hours = self.work_hours(day)
        if hours is not None:
            opens, closes = hours
            if opens <= at <= closes:
                return at
            if at < opens:
                return opens
        return self.local_instant(self.next_workday(day), self.day_start)

    def _happened(self, d: date) -> bool:
        """Whether local date ``d`` existed: Samoa skipped 30 December 2011 altogether."""
        return localize(datetime.combine(d, time()), self.tz).date() == d

    def _span(self, d: date) -> tuple[datetime, datetime]:
        opens = self.local_instant(d, self.day_start)
        closes = self.local_instant(d, self.day_end)
        # A start inside a spring-forward gap can be pushed past the end: no work that day.
        return opens, max(opens, closes)

    # ----------------------------------------------------------------- business time

    def add_business_time(self, start: datetime, delta: timedelta) -> datetime:
        """The instant ``delta`` of business time after ``start`` (before it if negative).

        Landing exactly on the end of a work day gives that end (18:00), not the
        next morning. A start outside work hours counts from the next opening.
        """
        cursor = _aware(start, "start")
        if delta > _ZERO:
            return self._forward(cursor, delta)
        if delta < _ZERO:
            return self._backward(cursor, -delta)
        return cursor

    def _forward(self, cursor: datetime, remaining: timedelta) -> datetime:
        day = self.next_workday(cursor.astimezone(self.tz).date(), include_today=True)
        while True:
            opens, closes = self._span(day)
            if cursor < closes:
                begin = max(cursor, opens)
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                # Move past this day's hours so a day a zone skipped (Samoa, 2011)
                # cannot count the next day's hours twice.
                cursor = closes
            day = self.next_workday(day)

    def _backward(self, cursor: datetime, remaining: timedelta) -> datetime:
        day = self.previous_workday(cursor.astimezone(self.tz).date(), include_today=True)
        while True:
            opens, closes = self._span(day)
            if cursor > opens:
                end = min(cursor, closes)
                available = end - opens
                if remaining <= available:
                    return end - remaining
                remaining -= available
                cursor = opens
            day = self.previous_workday(day)

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end``; zero if ``end`` is not later."""
        lo = _aware(start, "start")
        hi = _aware(end, "end")
        if hi <= lo:
            return _ZERO
        total = _ZERO
        cursor = lo  # counted up to here; spans of skipped local days may repeat
        day = lo.astimezone(self.tz).date()
        last = hi.astimezone(self.tz).date()
        while day <= last:
            if self.is_workday(day):
                opens, closes = self._span(day)
                begin, finish = max(cursor, opens), min(hi, closes)
                if finish > begin:
                    total += finish - begin
                    cursor = finish
            day += _ONE_DAY
        return total

    # ----------------------------------------------------------------- work days at a wall time

    def workdays_before(self, instant: datetime, n: int = 1) -> datetime:
        """The same local wall time ``n`` work days before ``instant`` (the due-soon nudge)."""
        return self._shift_workdays(instant, -n)

    def add_workdays(self, instant: datetime, n: int) -> datetime:
        """The same local wall time on the ``n``-th next work day (snooze "1 day")."""
        return self._shift_workdays(instant, n)

    def _shift_workdays(self, instant: datetime, n: int) -> datetime:
        at = _aware(instant, "instant")
        if n == 0:
            return at
        local = at.astimezone(self.tz)
        day = local.date()
        for _ in range(abs(n)):
            day = self.next_workday(day) if n > 0 else self.previous_workday(day)
        return self.local_instant(day, local.time())

    def occurrences(self, start: datetime, end: datetime, t: time) -> list[datetime]:
        """UTC instants of wall time ``t`` on each work day, with ``start < instant <= end``."""
        lo = _aware(start, "start")
        hi = _aware(end, "end")
        t = _wall_time(t, "t")
        if hi <= lo:
            return []
        found: list[datetime] = []
        # Start a day early: a gap can push a late wall time past midnight
        # (Nuuk's 23:30 on the spring-forward Saturday is 00:00 on Sunday).
        day = lo.astimezone(self.tz).date() - _ONE_DAY
        last = hi.astimezone(self.tz).date()
        while day <= last:
            if self.is_workday(day) and self._happened(day):
                at = self.local_instant(day, t)
                if lo < at <= hi and (not found or at > found[-1]):
                    found.append(at)
            day += _ONE_DAY
        return found


# --------------------------------------------------------------------------- building


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; use a name such as Asia/Shanghai or America/New_York"
        ) from exc


@functools.lru_cache(maxsize=4096)
def _build(
    tz: str,
    workdays: str | tuple[int | str, ...],
    hours: str | tuple[time, ...],
    holidays: tuple[str, ...],
) -> WorkCalendar:
    if isinstance(workdays, str):
        days = parse_workdays(workdays)
    elif all(isinstance(day, int) for day in workdays):
        days = frozenset(day for day in workdays if isinstance(day, int))
    else:
        days = parse_workdays(",".join(map(str, workdays)))
    if isinstance(hours, str):
        day_start, day_end = parse_hours(hours)
    elif len(hours) == 2:
        day_start, day_end = hours
    else:
        raise ValueError(f"hours must be a (start, end) pair of times, got {hours!r}")
    countries, days_off = parse_holidays(holidays)
    return WorkCalendar(
        tz=_zone(tz),
        workdays=days,
        day_start=day_start,
        day_end=day_end,
        holidays=days_off,
        holiday_countries=countries,
    )


def build_calendar(
    *,
    tz: str,
    workdays: Iterable[int | str] | str = "mon-fri",
    hours: str | tuple[time, time] = "09:00-18:00",
    holidays: Iterable[str] | str = (),
) -> WorkCalendar:
    """Build a calendar from settings; cached, so repeated builds are cheap.

    ``holidays`` entries are country codes ("CN", "US", "DE-BY": public holidays
    and official make-up work days), dates ("2026-12-24") or inclusive ranges
    ("2026-12-24..2026-12-31"); a single string may list several, separated
    by commas or spaces. ``workdays`` is text for
    :func:`~bot.calendar_text.parse_workdays`, or weekday numbers (Monday is
    0), or day names; ``hours`` is text for
    :func:`~bot.calendar_text.parse_hours` or a ``(start, end)`` pair.
    """
    workdays_key = workdays if isinstance(workdays, str) else tuple(workdays)
    holidays_key = (holidays,) if isinstance(holidays, str) else tuple(holidays)
    hours_key = hours if isinstance(hours, str) else tuple(hours)
    return _build(tz, workdays_key, hours_key, holidays_key)


class CalendarSettings(Protocol):
    """A department's calendar settings, as stored (a department row or the tick's copy)."""

    @property
    def timezone(self) -> str: ...

    @property
    def workdays(self) -> str: ...

    @property
    def day_start(self) -> time: ...

    @property
    def day_end(self) -> time: ...

    @property
    def holidays(self) -> Sequence[str] | None: ...


def calendar_for(dept: CalendarSettings) -> WorkCalendar:
    """The business calendar of a department, from its stored settings."""
    return build_calendar(
        tz=dept.timezone,
        workdays=dept.workdays,
        hours=(dept.day_start, dept.day_end),
        holidays=tuple(dept.holidays or ()),
    )
