"""Turn one phrase of date terms into an instant, using the target's business calendar.

Phrases without a calendar date (a weekday, a bare time, EOD, "end of week")
take their next occurrence that is not in the past; "today", "this Friday",
"tonight" are taken as written even when past, and the command refuses past
instants. Work days ("next week", "end of week", "N business days") are the
calendar's: its work days, holidays and make-up days, on the writer's dates.
Choices where SPEC.md is silent: "last Friday"/"上周五" is that day of last
week; "in N months" keeps the day of the month, clipped to the month's end;
a weekday said beside a week ("Friday next week") picks that week's day.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import WorkCalendar, localize
from bot.dates.terms import (
    LAST_MINUTE,
    PART_DEFAULT_MINUTES,
    Ambiguity,
    DateTerm,
    Instant,
    Kind,
    Part,
    Roll,
    Shift,
    TimeTerm,
    Token,
    Unit,
    Unreadable,
    shift_for_part,
)


@dataclass(frozen=True, slots=True)
class Context:
    """What a phrase is read against: the writer's clock and zone, the target's calendar."""

    now: datetime  # in `zone`
    zone: ZoneInfo
    today: date
    workday_end: int  # minutes after midnight
    calendar: WorkCalendar

    def at(self, day: date, minutes: int) -> datetime:
        """The instant of a local wall time on a day."""
        return localize(datetime.combine(day, time()) + timedelta(minutes=minutes), self.zone)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a date phrase means: an instant, or None when it names no real day.

    `weekday_reading` is set when a weekday written beside a date disagrees
    with it: the day that weekday would mean, at the same time.
    """

    at: datetime | None
    weekday_reading: datetime | None = None


def _month_shift(day: date, months: int) -> tuple[int, int]:
    """(year, month) that many months from the day's month."""
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _month_last(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _offset_day(term: DateTerm, ctx: Context) -> date:
    today = ctx.today
    if term.unit is Unit.DAYS:
        return today + timedelta(days=term.offset)
    if term.unit is Unit.WEEKS:
        return today + timedelta(days=7 * term.offset)
    if term.unit is Unit.WORKDAYS:
        day = today
        for _ in range(term.offset):
            day = ctx.calendar.next_workday(day)
        return day
    year, month = _month_shift(today, term.offset)
    return date(year, month, min(today.day, monthrange(year, month)[1]))


def candidates(term: DateTerm, ctx: Context) -> Iterator[date]:
    """Days a date term may mean, in the order its roll rule tries them."""
    today = ctx.today
    kind = term.kind
    if kind is Kind.ABSOLUTE:
        assert term.year is not None and term.month is not None and term.day is not None
        yield date(term.year, term.month, term.day)
    elif kind is Kind.MONTH_DAY:
        assert term.month is not None and term.day is not None
        for year in range(today.year, today.year + 9):
            try:
                yield date(year, term.month, term.day)
            except ValueError:  # 29 February outside leap years
                continue
    elif kind is Kind.DAY_OF_MONTH:
        assert term.day is not None
        for step in range(1 if term.roll is Roll.FIXED else 13):
            year, month = _month_shift(today, term.offset + step)
            if term.day <= monthrange(year, month)[1]:
                yield date(year, month, term.day)
    elif kind is Kind.RELATIVE:
        yield today + timedelta(days=term.offset)
        yield today + timedelta(days=term.offset + 1)
    elif kind is Kind.WEEKDAY:
        assert term.weekday is not None
        if term.roll is Roll.FIXED:
            yield _week_monday(today) + timedelta(days=7 * term.offset + term.weekday)
        else:
            first = today + timedelta(days=(term.weekday - today.weekday()) % 7)
            yield first
            yield first + timedelta(days=7)
    elif kind is Kind.WEEK_END:
        monday = _week_monday(today) + timedelta(days=7 * term.offset)
        yield ctx.calendar.last_workday_of_week(monday)
        yield ctx.calendar.last_workday_of_week(monday, weeks_ahead=1)
    elif kind is Kind.MONTH_END:
        if term.month is not None and term.year is not None:
            yield _month_last(term.year, term.month)
        elif term.month is not None:
            yield _month_last(today.year, term.month)
            yield _month_last(today.year + 1, term.month)
        else:
            yield _month_last(*_month_shift(today, term.offset))
            yield _month_last(*_month_shift(today, term.offset + 1))
    elif kind is Kind.YEAR_END:
        year = term.year if term.year is not None else today.year + term.offset
        yield date(year, 12, 31)
        yield date(year + 1, 12, 31)
    elif kind is Kind.OFFSET:
        yield _offset_day(term, ctx)


def _merge(days: list[DateTerm]) -> tuple[DateTerm | None, DateTerm | None]:
    """The phrase's date term, and the weekday said beside it to check it against."""
    if not days:
        return None, None
    if len(days) == 1:
        return days[0], None
    weekday = next(d for d in days if d.kind is Kind.WEEKDAY)
    other = next(d for d in days if d.kind is not Kind.WEEKDAY)
    if other.kind is Kind.WEEK_END:
        # "Friday next week", "下周 周五": that weekday of that week.
        return DateTerm(Kind.WEEKDAY, weekday=weekday.weekday, offset=other.offset), None
    return other, weekday


def _clock_minutes(clock: TimeTerm, part: Part | None) -> int:
    assert clock.minutes is not None
    if clock.ambiguity is Ambiguity.NONE:
        return clock.minutes
    hour, minute = divmod(clock.minutes, 60)
    if part is not None:
        if part is Part.EVENING and hour == 12:
            return LAST_MINUTE
        return shift_for_part(hour, part) * 60 + minute
    if 1 <= hour <= 7:
        hour += 12
    return hour * 60 + minute


def _minutes(term: DateTerm | None, times: list[TimeTerm], ctx: Context) -> int:
    """The time of day a phrase names, or the end of the work day."""
    if term is not None and term.clock is not None:
        return term.clock
    part = next((t.part for t in times if t.part is not None), None)
    if part is None and term is not None:
        part = term.part
    clock = next((t for t in times if t.minutes is not None), None)
    if clock is not None:
        return _clock_minutes(clock, part)
    if any(t.eod for t in times):
        return ctx.workday_end
    if part is not None:
        return PART_DEFAULT_MINUTES[part]
    return ctx.workday_end


def _check_weekday(day: date, minutes: int, weekday: DateTerm, ctx: Context) -> datetime | None:
    """The weekday's own reading when it disagrees with the date beside it, else None."""
    assert weekday.weekday is not None
    if weekday.roll is Roll.FIXED:  # "下周五", "this Friday": one day, not only a weekday
        meant = next(candidates(weekday, ctx))
    else:
        # The nearest such weekday, three days either side: "Thu 12/18" may mean 12/17.
        meant = day + timedelta(days=(weekday.weekday - day.weekday() + 3) % 7 - 3)
    return None if meant == day else ctx.at(meant, minutes)


def resolve(phrase: list[Token], ctx: Context) -> Resolution | None:
    """The instant a phrase names; None when it is no date phrase (a lone "morning")."""
    try:
        return _resolve(phrase, ctx)
    except (ValueError, OverflowError):  # year 10000, a calendar without work days
        return Resolution(at=None)


def _resolve(phrase: list[Token], ctx: Context) -> Resolution | None:
    values = [t.value for t in phrase]
    if any(isinstance(v, Unreadable) for v in values):
        return Resolution(at=None)
    for value in values:
        if isinstance(value, Shift):
            return Resolution((ctx.now.astimezone(UTC) + value.delta).astimezone(ctx.zone))
        if isinstance(value, Instant):
            return Resolution(value.at.astimezone(ctx.zone))
    times = [v for v in values if isinstance(v, TimeTerm)]
    term, weekday = _merge([v for v in values if isinstance(v, DateTerm)])
    if term is None and not any(t.alone for t in times):
        return None
    minutes = _minutes(term, times, ctx)
    if term is None:
        # A bare time or EOD: today, or tomorrow once today's has passed.
        term = DateTerm(Kind.RELATIVE, roll=Roll.INSTANT)
    for day in candidates(term, ctx):
        instant = ctx.at(day, minutes)
        if (
            term.roll is Roll.FIXED
            or instant >= ctx.now
            or (term.roll is Roll.DAY and ctx.at(day, ctx.workday_end) >= ctx.now)
        ):
            other = None if weekday is None else _check_weekday(day, minutes, weekday, ctx)
            return Resolution(instant, other)
    return Resolution(at=None)  # no such day ("下月31号" before a 30-day month)
