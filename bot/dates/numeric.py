"""Dates and times written in digits, the same in both languages.

ISO dates with or without a time ("2026-12-15", "2026-12-15T14:00",
"2026-12-15 14:00+08:00"), month/day ("12/18", "12/18/2026") and clock times
("17:00", "3:30").

- An ISO date with a time is read exactly as written, 24-hour; with an offset
  it is that instant.
- "12/18" is month/day, and only a date where one is expected: after "by",
  "on", "due", "deadline", "DDL", "EOD", "COB", a weekday or "截止", before
  "前", or followed by a weekday ("12/18 (Fri)"). Bare fractions are too often
  not dates.
- "h:mm" without am/pm follows the bare-hour rule: 1-7 mean 13:00-19:59.
- Numbers that could name a month and a day but whose pair is not a real day
  ("2026-02-30", "by 2/30") are unreadable, not skipped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from bot.dates.terms import (
    Ambiguity,
    DateTerm,
    Form,
    Instant,
    Kind,
    Roll,
    TimeTerm,
    Unreadable,
    Value,
    real_day,
    trigger_before,
)

_WEEKDAY_AFTER = re.compile(
    r"\s*\(?\s*(?:mon|tue|wed|thu|fri|sat|sun|(?:周|星期|礼拜)[一二三四五六日天])", re.ASCII
)
_BEFORE_AFTER = re.compile(r"(?:前|之前|以前)")


def _offset(raw: str) -> timezone:
    if raw == "z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _b_iso(m: re.Match[str], text: str) -> Value | None:
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if not real_day(year, month, day):
        return Unreadable()
    if m["h"] is None:
        return DateTerm(Kind.ABSOLUTE, year=year, month=month, day=day)
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 23 or minute > 59:
        return Unreadable()
    if m["off"] is not None:
        try:
            zone = _offset(m["off"])
        except ValueError:  # an offset of a day or more
            return Unreadable()
        return Instant(datetime(year, month, day, hour, minute, tzinfo=zone))
    return DateTerm(Kind.ABSOLUTE, year=year, month=month, day=day, clock=hour * 60 + minute)


def month_day(month: int, day: int, year: int | None) -> Value | None:
    """A month and day, with a year as written or else its next occurrence."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if not real_day(year if year is not None else 2000, month, day):
        return Unreadable()
    if year is not None:
        return DateTerm(Kind.ABSOLUTE, year=year, month=month, day=day)
    return DateTerm(Kind.MONTH_DAY, roll=Roll.DAY, month=month, day=day)


def _b_slash(m: re.Match[str], text: str) -> Value | None:
    expected = (
        trigger_before(text, m.start())
        or _BEFORE_AFTER.match(text, m.end()) is not None
        or _WEEKDAY_AFTER.match(text, m.end()) is not None
    )
    if not expected:
        return None
    year = int(m["y"]) if m["y"] is not None else None
    if year is not None and year < 100:
        year += 2000
    return month_day(int(m["m"]), int(m["d"]), year)


def _b_colon(m: re.Match[str], text: str) -> Value | None:
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 23 or minute > 59:
        return None
    ambiguity = Ambiguity.BARE if hour <= 12 else Ambiguity.NONE
    return TimeTerm(minutes=hour * 60 + minute, ambiguity=ambiguity)


FORMS: tuple[Form, ...] = (
    Form(
        r"(?<![\d.])(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})"
        r"(?:(?:t|\s+)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2}(?:\.\d+)?)?"
        r"(?P<off>z\b|[+-]\d{2}:?\d{2}(?!\d))?)?(?![\d:])",
        _b_iso,
        ("-", "/", "."),
    ),
    Form(
        r"(?<![\d/.:\-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])",
        _b_slash,
        ("/",),
    ),
    Form(r"(?<![\d:.])(?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2})?(?![\d:])", _b_colon, (":",)),
)
