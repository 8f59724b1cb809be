"""The terms a date phrase is made of, and the helpers both languages' readers share.

A reader (:mod:`bot.dates.chinese`, :mod:`bot.dates.english`,
:mod:`bot.dates.numeric`) turns a regular-expression match into one term: a
date (`DateTerm`), a time of day (`TimeTerm`), an exact shift from now
(`Shift`), an instant written with its offset (`Instant`), or `Unreadable` for
something shaped like a date that names no real day ("2月30日"). Terms next to
each other form a phrase; :mod:`bot.dates.resolve` turns a phrase into an
instant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TypeAlias


class Part(Enum):
    """A part of the day named without an hour."""

    EARLY = "early"  # 凌晨
    MORNING = "morning"
    FORENOON = "forenoon"  # 上午: the whole morning, due by noon
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"


PART_DEFAULT_MINUTES: dict[Part, int] = {
    Part.EARLY: 6 * 60,
    Part.MORNING: 9 * 60,
    Part.FORENOON: 12 * 60,
    Part.NOON: 12 * 60,
    Part.AFTERNOON: 17 * 60,
    Part.EVENING: 21 * 60,
}

LAST_MINUTE = 23 * 60 + 59


class Roll(Enum):
    """How a date term with several candidate days picks one."""

    FIXED = "fixed"  # the first candidate, even if past
    INSTANT = "instant"  # the first candidate whose instant is not past
    DAY = "day"  # ...or whose day's workday end is not past


class Kind(Enum):
    """Kinds of date terms."""

    ABSOLUTE = "absolute"
    MONTH_DAY = "month_day"
    DAY_OF_MONTH = "day_of_month"
    RELATIVE = "relative"
    WEEKDAY = "weekday"
    WEEK_END = "week_end"
    MONTH_END = "month_end"
    YEAR_END = "year_end"
    OFFSET = "offset"


class Unit(Enum):
    """Units of a date offset ("in 3 days")."""

    DAYS = "d"
    WEEKS = "w"
    MONTHS = "m"
    WORKDAYS = "wd"


class Ambiguity(Enum):
    """Whether an hour without am/pm may be moved by context."""

    NONE = "none"  # 5pm, 下午3点, 17:00
    BARE = "bare"  # 3点, at 3, 3:30: a part of day moves it, else 1-7 mean afternoon


@dataclass(frozen=True, slots=True)
class DateTerm:
    """A day, said in any of the ways `Kind` lists."""

    kind: Kind
    roll: Roll = Roll.FIXED
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    offset: int = 0
    unit: Unit | None = None
    part: Part | None = None
    clock: int | None = None  # minutes after midnight, exactly as written (ISO forms)


@dataclass(frozen=True, slots=True)
class TimeTerm:
    """A time of day, a part of the day, or the end of the work day."""

    minutes: int | None = None
    eod: bool = False
    ambiguity: Ambiguity = Ambiguity.NONE
    part: Part | None = None
    alone: bool = True  # may stand as a due time without a date next to it


@dataclass(frozen=True, slots=True)
class Shift:
    """Exactly this long from now ("in 2 hours")."""

    delta: timedelta


@dataclass(frozen=True, slots=True)
class Instant:
    """An instant written with its UTC offset ("2026-12-15T14:00+08:00")."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Shaped like a date but naming none ("2月30日", "in 1.5 days", "in 99999 days")."""


Value = DateTerm | TimeTerm | Shift | Instant | Unreadable


Builder: TypeAlias = Callable[[re.Match[str], str], Value | None]


@dataclass(frozen=True, slots=True)
class Form:
    """One way of writing a term: its expression, the builder of its term, the text it needs.

    `needles` make scanning cheap: the expression is only tried on a text
    holding one of them (all texts when empty).
    """

    pattern: str
    build: Builder
    needles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Token:
    """A term and where it was found in the normalised text."""

    start: int
    end: int
    value: Value


# Upper bounds keep absurd counts from overflowing date arithmetic.
MAX_DAYS = 3660
MAX_HOURS = MAX_DAYS * 24

# ---------------------------------------------------------------- numbers

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CN_NUM = "零〇一二两三四五六七八九十"
# A day, month or hour: ASCII digits or Chinese numerals up to 99.
N = rf"(?:\d{{1,4}}|[{CN_NUM}]{{1,3}})"
# A year written digit by digit in Chinese numerals (二〇二六).
CN_YEAR = "[零〇一二三四五六七八九]{4}"


def num(text: str) -> int | None:
    """An integer from ASCII digits or Chinese numerals up to 99."""
    if text.isascii() and text.isdigit():
        return int(text)
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = CN_DIGITS.get(head) if head else 1
        ones = CN_DIGITS.get(tail) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    if len(text) == 1:
        return CN_DIGITS.get(text)
    return None


def year(text: str) -> int:
    """A four-digit year in ASCII digits or Chinese numerals written digit by digit."""
    if text.isascii():
        return int(text)
    return int("".join(str(CN_DIGITS[c]) for c in text))


def span(count: Decimal, unit: str) -> Value:
    """An offset or an exact shift for a count of units ("d", "w", "m", "wd", "h", "min").

    Fractions of hours and minutes are exact ("1.5 hours"); a fraction of a
    day, week or month has no clear due time, so it is unreadable.
    """
    if unit in ("h", "min"):
        minutes = count * 60 if unit == "h" else count
        if minutes > MAX_HOURS * 60:
            return Unreadable()
        return Shift(timedelta(seconds=int(minutes * 60)))
    if count != count.to_integral_value():
        return Unreadable()
    whole = int(count)
    kind = Unit(unit)
    days = {Unit.DAYS: whole, Unit.WEEKS: 7 * whole, Unit.MONTHS: 31 * whole}.get(kind, 2 * whole)
    if days > MAX_DAYS:
        return Unreadable()
    return DateTerm(Kind.OFFSET, offset=whole, unit=kind)


def shift_for_part(hour: int, part: Part) -> int:
    """The 24-hour clock hour for an hour said with a part of the day."""
    if part in (Part.AFTERNOON, Part.EVENING) and hour < 12:
        return hour + 12
    if part is Part.NOON and hour < 6:
        return hour + 12
    return hour


def real_day(year: int, month: int, day: int) -> bool:
    """Whether month and day name a real day of that year."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- context around a match

WEEKDAYS_EN: dict[str, int] = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4,
    "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
WEEKDAYS_CN: dict[str, int] = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
}  # fmt: skip

# Words after which a bare number form ("12/18", "the 15th", "Sat") is a date.
# "sat" and "sun" are left out: "I sat 3/4 of the time".
_TRIGGER_TAIL = re.compile(
    r"(?:\b(?:by|on|before|until|till|due|deadline|ddl|eod|cob|no\s+later\s+than"
    r"|mon|monday|tue|tues|tuesday|wed|weds|wednesday|thu|thur|thurs|thursday|fri|friday"
    r"|saturday|sunday)"
    r"|截止|截至|在|于|(?:周|星期|礼拜)[一二三四五六日天])"
    r"[\s:,]*(?:the\s+)?$",
    re.ASCII,
)
_WORD_AFTER = re.compile(r"\s+([a-z]+)", re.ASCII)


def trigger_before(text: str, start: int) -> bool:
    """Whether a word that announces a date ("by", "due", "周五", "截止") ends at `start`."""
    return _TRIGGER_TAIL.search(text, max(0, start - 24), start) is not None


def next_word(text: str, end: int) -> str | None:
    """The English word right after `end`, if one follows after spaces."""
    found = _WORD_AFTER.match(text, end)
    return found.group(1) if found else None


def whole_text(text: str, start: int, end: int) -> bool:
    """Whether a match is all there is, give or take punctuation ("2 hours", "半小时")."""
    return not text[:start].strip(" ,.;:!?。，；：！？") and not text[end:].strip(
        " ,.;:!?。，；：！？"
    )
