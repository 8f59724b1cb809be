"""Read the due date in a text: `read_due` says what it found, `parse_due` just the instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar import WorkCalendar
from bot.dates import fallback
from bot.dates.resolve import Context, resolve
from bot.dates.scan import normalize, phrases, tokens
from bot.dates.terms import Token

# Monday to Friday without holidays; only its days are used, so the zone does not matter.
_PLAIN = WorkCalendar(tz=ZoneInfo("UTC"))


class DueStatus(StrEnum):
    """What reading a text for a due date came to."""

    FOUND = "found"
    NONE = "none"  # no date phrase at all ("3 pallets", "ASAP", "尽快")
    UNREADABLE = "unreadable"  # a date phrase naming no real day ("2月30日", "in 1.5 days")
    CONFLICT = "conflict"  # a weekday beside a date disagrees with it ("Thu 12/18")


@dataclass(frozen=True, slots=True)
class DueReading:
    """The outcome of `read_due`.

    `at` is the due instant (FOUND only). `phrase` is the date phrase as
    typed, to quote back. `readings` (CONFLICT only) holds the date as
    written, then the day the weekday would mean, at the same time.
    """

    status: DueStatus
    at: datetime | None = None
    phrase: str = ""
    readings: tuple[datetime, ...] = ()


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {tz!r}") from exc


def _context(
    now: datetime, tz: str | ZoneInfo, workday_end: time, calendar: WorkCalendar | None
) -> Context:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if calendar is not None and not isinstance(calendar, WorkCalendar):
        raise ValueError(f"calendar must be a WorkCalendar, got {type(calendar).__name__}")
    zone = _zone(tz)
    local_now = now.astimezone(zone)
    return Context(
        now=local_now,
        zone=zone,
        today=local_now.date(),
        workday_end=workday_end.hour * 60 + workday_end.minute,
        calendar=calendar or _PLAIN,
    )


def _bracketed(text: str, start: int, end: int) -> tuple[int, int]:
    """A phrase's span, closing a bracket it opened ("12月18号（周四）")."""
    if text.count("(", start, end) > text.count(")", start, end) and text.startswith(")", end):
        return start, end + 1
    return start, end


def read_due(
    text: str,
    *,
    now: datetime,
    tz: str | ZoneInfo,
    workday_end: time = time(18, 0),
    calendar: WorkCalendar | None = None,
) -> DueReading:
    """What the last date phrase of `text` means, read in `tz` with the target's `calendar`.

    Raises ValueError only for a naive `now`, an unknown zone or a calendar
    of the wrong type; any text gives a reading.
    """
    ctx = _context(now, tz, workday_end, calendar)
    norm = normalize(text)
    found = tokens(norm.text)
    reading = DueReading(DueStatus.NONE)
    last: list[Token] | None = None
    for phrase in reversed(phrases(norm.text, found)):
        resolution = resolve(phrase, ctx)
        if resolution is None:
            continue
        last = phrase
        quote = norm.quote(*_bracketed(norm.text, phrase[0].start, phrase[-1].end))
        if resolution.at is None:
            reading = DueReading(DueStatus.UNREADABLE, phrase=quote)
        elif resolution.weekday_reading is not None:
            readings = (resolution.at, resolution.weekday_reading)
            reading = DueReading(DueStatus.CONFLICT, phrase=quote, readings=readings)
        else:
            reading = DueReading(DueStatus.FOUND, at=resolution.at, phrase=quote)
        break
    span = fallback.candidate(norm.text, found, last)
    if span is not None:
        try:
            at = fallback.read(norm.text[span[0] : span[1]], ctx)
        except (ValueError, OverflowError):
            at = None
        if at is not None:
            return DueReading(DueStatus.FOUND, at=at, phrase=norm.quote(*span))
    return reading


def parse_due(
    text: str,
    *,
    now: datetime,
    tz: str | ZoneInfo,
    workday_end: time = time(18, 0),
    calendar: WorkCalendar | None = None,
) -> datetime | None:
    """The due instant written in `text` (its last date phrase), in `tz`, or None."""
    reading = read_due(text, now=now, tz=tz, workday_end=workday_end, calendar=calendar)
    return reading.at if reading.status is DueStatus.FOUND else None
