"""Business-time calendar: work days, work hours, holidays and time zones.

A :class:`WorkCalendar` answers the scheduling questions of a department
(see "Scheduling" in the spec): is this date a work day, which instant is
09:30 on it, when are 8 business hours over, how much business time passed
between two instants, what is "one work day before" a due time. It is pure:
it never reads the clock, does no I/O and knows no chat platform.

Conventions
-----------
- Instants are aware ``datetime`` values; a naive one raises ``ValueError``.
  Instants returned are in UTC.
- Dates and wall times are local to the calendar's zone. Each local day is
  converted to UTC on its own, so a daylight-saving change never shifts a
  work day's hours: 09:30 stays 09:30 on both sides of it.
- A wall time that does not exist (the spring-forward gap) moves forward by
  the length of the gap (02:30 becomes 03:30 in New York on 2026-03-08); an
  ambiguous one (the fall-back hour) is its first occurrence.
- Business time is the elapsed time between ``day_start`` and ``day_end`` on
  work days. Everything else (nights, weekends, holidays) counts for nothing.
- Whether a date is a work day is decided in this order: a hand-listed
  holiday is off; a hand-listed make-up day is worked; a public holiday of a
  listed country is off; an official make-up work day of a listed country
  (China's 调休, for instance) is worked; otherwise its weekday decides.

Text settings (the ``dept set`` fields) are read by :func:`parse_workdays`,
:func:`parse_hours`, :func:`parse_duration` and :func:`build_calendar`; each
raises ``ValueError`` with a message a person can act on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

__all__ = [
    "WorkCalendar",
    "build_calendar",
    "parse_duration",
    "parse_hours",
    "parse_workdays",
]

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
# A calendar with no work day in ten years is misconfigured; fail instead of looping forever.
_MAX_SCAN_DAYS = 3660
# Longer hand-listed ranges are almost always a typo in the year.
_MAX_RANGE_DAYS = 366

_WORKDAYS_HINT = "write them like mon-fri, mon,tue,thu or 周一至周五"
_HOURS_HINT = "write them like 09:00-18:00"
_DURATION_HINT = "write it like 8h, 90m, 1.5h, 2d or 8小时"
_HOLIDAY_HINT = "use a country code such as CN or US, or dates like 2026-12-24"
_RANGE_HINT = "write dates like 2026-12-24 and ranges like 2026-12-24..2026-12-31"


# --------------------------------------------------------------------------- holiday tables


@functools.lru_cache(maxsize=1)
def _supported_countries() -> dict[str, frozenset[str]]:
    """Country codes the holiday library knows, each with its subdivision codes."""
    return {
        code.upper(): frozenset(sub.upper() for sub in subdivisions)
        for code, subdivisions in holidays_lib.list_supported_countries().items()
    }


def _check_country(entry: str) -> str:
    """Normalise a holiday calendar code ("cn", "DE-BY") or raise ValueError."""
    code = entry.strip().upper()
    country, dash, region = code.partition("-")
    known = _supported_countries()
    if country not in known:
        raise ValueError(f"unknown holiday calendar {entry!r}; {_HOLIDAY_HINT}")
    if dash and region not in known[country]:
        regions = sorted(known[country])
        if not regions:
            raise ValueError(f"holiday calendar {country} has no regions; use {country} on its own")
        listed = ", ".join(regions[:20]) + (", ..." if len(regions) > 20 else "")
        raise ValueError(
            f"unknown region {region!r} in holiday calendar {entry!r}; "
            f"use {country} alone or one of its regions: {listed}"
        )
    return code


@functools.lru_cache(maxsize=4096)
def _country_year(code: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Public days off and official make-up work days of one calendar code in one year."""
    country, _, region = code.partition("-")
    table = holidays_lib.country_holidays(country, subdiv=region or None, years=year)
    # The library's make-up day set can hold days of other years; keep only this one's.
    made_up = getattr(table, "weekend_workdays", ())
    days_off = frozenset(d for d in table if d.year == year)
    workdays = frozenset(d for d in made_up if d.year == year)
    return days_off, workdays


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
        object.__setattr__(
            self, "holiday_countries", tuple(_check_country(c) for c in self.holiday_countries)
        )

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
            days_off, workdays = _country_year(code, d.year)
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
        """The UTC instant of wall time ``t`` on local date ``d`` (gap: later; fold: first)."""
        t = _wall_time(t, "t")
        # fold=0 makes zoneinfo use the offset from before a transition: in a gap that
        # lands after it (moved forward by the gap), in a fold on the first occurrence.
        return datetime.combine(_plain_date(d, "d"), t, tzinfo=self.tz).astimezone(UTC)

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
        # (Nuuk's 23:30 on the spring-forward Saturday is 00:30 on Sunday).
        day = lo.astimezone(self.tz).date() - _ONE_DAY
        last = hi.astimezone(self.tz).date()
        while day <= last:
            if self.is_workday(day):
                at = self.local_instant(day, t)
                # A local day the zone skipped maps onto the next one: keep one instant.
                if lo < at <= hi and (not found or at > found[-1]):
                    found.append(at)
            day += _ONE_DAY
        return found


# --------------------------------------------------------------------------- text settings

# Full-width punctuation and Chinese range words, read as their ASCII forms.
_PUNCTUATION = str.maketrans(
    {
        "，": ",",
        "、": ",",
        "；": ";",
        "：": ":",
        "－": "-",
        "–": "-",
        "—": "-",
        "~": "-",
        "～": "-",
        "至": "-",
        "到": "-",
    }
)

_ENGLISH_DAYS: dict[str, int] = {
    name: index
    for index, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_CHINESE_DAY = re.compile(r"(?:周|星期|礼拜)?([一二三四五六日天])")
_CHINESE_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_SETS: dict[str, frozenset[int]] = {
    "weekdays": frozenset(range(5)),
    "工作日": frozenset(range(5)),
    "daily": frozenset(range(7)),
    "每天": frozenset(range(7)),
    "每日": frozenset(range(7)),
}


def _normalise(text: str) -> str:
    return text.strip().lower().translate(_PUNCTUATION)


def _weekday(token: str, text: str) -> int:
    if token in _ENGLISH_DAYS:
        return _ENGLISH_DAYS[token]
    match = _CHINESE_DAY.fullmatch(token)
    if match:
        return _CHINESE_DAYS[match.group(1)]
    raise ValueError(
        f"cannot read work days {text!r}: {token!r} is not a day of the week; {_WORKDAYS_HINT}"
    )


def parse_workdays(text: str) -> frozenset[int]:
    """Read work days such as "mon-fri", "mon,tue,thu", "sun-thu" or "周一至周五" (Monday is 0)."""
    cleaned = re.sub(r"\s*-\s*", "-", _normalise(text))
    days: set[int] = set()
    for part in re.split(r"[,;/\s]+", cleaned):
        if not part:
            continue
        if part in _DAY_SETS:
            days |= _DAY_SETS[part]
            continue
        first, dash, last = part.partition("-")
        if not dash:
            days.add(_weekday(part, text))
            continue
        begin, end = _weekday(first, text), _weekday(last, text)
        # Ranges wrap over the weekend: "fri-mon" is Friday to Monday, "sun-thu" Sunday to Thursday.
        days.update((begin + k) % 7 for k in range((end - begin) % 7 + 1))
    if not days:
        raise ValueError(f"no work days in {text!r}; {_WORKDAYS_HINT}")
    return frozenset(days)


_CLOCK = r"\d{1,2}(?::\d{2})?\s*(?:am|pm)?"
_HOURS = re.compile(rf"({_CLOCK})\s*-\s*({_CLOCK})")
_CLOCK_PARTS = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?")


def _clock(token: str, text: str) -> time:
    match = _CLOCK_PARTS.fullmatch(token.strip())
    if match is None:  # pragma: no cover - _HOURS only passes tokens that match
        raise ValueError(f"cannot read work hours {text!r}; {_HOURS_HINT}")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(f"cannot read work hours {text!r}: {token!r} is not a time")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"cannot read work hours {text!r}: {token!r} is not a time")
    return time(hour, minute)


def parse_hours(text: str) -> tuple[time, time]:
    """Read work hours such as "09:00-18:00", "9-18" or "9am-6pm" as (start, end) wall times."""
    match = _HOURS.fullmatch(_normalise(text))
    if match is None:
        raise ValueError(f"cannot read work hours {text!r}; {_HOURS_HINT}")
    start, end = _clock(match.group(1), text), _clock(match.group(2), text)
    if start >= end:
        raise ValueError(
            f"work hours {text!r} must end later the same day than they start; {_HOURS_HINT}"
        )
    return start, end


_MICROSECONDS = {"h": 3_600_000_000, "m": 60_000_000, "d": 86_400_000_000}
_DURATION_UNITS: dict[str, str] = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "小时", "个小时", "钟头", "个钟头"), "h"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "分钟", "分"), "m"),
    **dict.fromkeys(("d", "day", "days", "天", "日"), "d"),
}
_DURATION_PART = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*([^\d\s.,]+)\s*")


def parse_duration(text: str) -> timedelta:
    """Read a duration such as "8h", "90m", "1.5h", "1h30m", "2d" or "8小时".

    ``h`` is hours and ``m`` minutes; ``d`` is that many times 24 hours, not
    work days (thresholds such as ``first_response`` count business time anyway).
    """
    cleaned = _normalise(text)
    total = 0
    position = 0
    while position < len(cleaned):
        match = _DURATION_PART.match(cleaned, position)
        if match is None:
            raise ValueError(f"cannot read duration {text!r}; {_DURATION_HINT}")
        unit = _DURATION_UNITS.get(match.group(2))
        if unit is None:
            raise ValueError(
                f"cannot read duration {text!r}: unknown unit {match.group(2)!r}; {_DURATION_HINT}"
            )
        try:
            # Decimal keeps "0.1h" exact; timedelta's own float path would round.
            total += int(Decimal(match.group(1)) * _MICROSECONDS[unit])
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
            raise ValueError(f"cannot read duration {text!r}; {_DURATION_HINT}") from exc
        position = match.end()
    if position == 0:
        raise ValueError(f"cannot read duration {text!r}; {_DURATION_HINT}")
    if total <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero; {_DURATION_HINT}")
    try:
        return timedelta(microseconds=total)
    except OverflowError as exc:
        raise ValueError(f"duration {text!r} is too long") from exc


# --------------------------------------------------------------------------- building


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; use a name such as Asia/Shanghai or America/New_York"
        ) from exc


_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _date(token: str, entry: str) -> date:
    match = _DATE.fullmatch(token.strip())
    if match is None:
        raise ValueError(f"{entry!r} is not a date; {_RANGE_HINT}")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise ValueError(f"{entry!r} is not a real date; {_RANGE_HINT}") from exc


def _holiday_entries(entries: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[date]]:
    """Split holiday settings into country codes and hand-listed dates."""
    countries: list[str] = []
    days: set[date] = set()
    for raw in entries:
        for entry in re.split(r"[,，、;\s]+", raw.strip()):
            if not entry:
                continue
            if not entry[:1].isdigit():
                code = _check_country(entry)
                if code not in countries:
                    countries.append(code)
                continue
            first, dots, last = re.sub(r"[~～至到]", "..", entry).partition("..")
            begin = _date(first, entry)
            end = _date(last, entry) if dots else begin
            if end < begin:
                raise ValueError(f"holiday range {entry!r} ends before it starts")
            span = (end - begin).days + 1
            if span > _MAX_RANGE_DAYS:
                raise ValueError(
                    f"holiday range {entry!r} is longer than a year; list each year's days off"
                )
            days.update(begin + timedelta(days=k) for k in range(span))
    return tuple(countries), frozenset(days)


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
    countries, days_off = _holiday_entries(holidays)
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
    """Build a calendar from a department's settings; cached, so repeated builds are cheap.

    ``holidays`` entries are country codes ("CN", "US", "DE-BY": public holidays
    and official make-up work days), dates ("2026-12-24") or inclusive ranges
    ("2026-12-24..2026-12-31"); a single string may list several, separated
    by commas or spaces. ``workdays`` is text for :func:`parse_workdays`, or
    weekday numbers (Monday is 0), or day names; ``hours`` is text for
    :func:`parse_hours` or a ``(start, end)`` pair of wall times.
    """
    workdays_key = workdays if isinstance(workdays, str) else tuple(workdays)
    holidays_key = (holidays,) if isinstance(holidays, str) else tuple(holidays)
    hours_key = hours if isinstance(hours, str) else tuple(hours)
    return _build(tz, workdays_key, hours_key, holidays_key)
