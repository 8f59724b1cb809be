"""Read a department's calendar settings written as text (the `dept set` fields).

`workdays:`, `hours:`, `holidays:` and the durations of `first_response:` and
`escalate_after:` arrive as text typed by a person, in English or Chinese,
with half- or full-width punctuation. Each reader returns plain values for
:mod:`bot.calendar` or raises ``ValueError`` with a message a person can act
on. Country codes are checked by the calendar, which knows the holiday tables.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation

__all__ = ["parse_duration", "parse_holidays", "parse_hours", "parse_workdays"]

# Longer hand-listed ranges are almost always a typo in the year.
_MAX_RANGE_DAYS = 366

_WORKDAYS_HINT = "write them like mon-fri, mon,tue,thu or 周一至周五"
_HOURS_HINT = "write them like 09:00-18:00"
_DURATION_HINT = "write it like 8h, 90m, 1.5h, 2d or 8小时"
_RANGE_HINT = "write dates like 2026-12-24 and ranges like 2026-12-24..2026-12-31"

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


_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _date(token: str, entry: str) -> date:
    match = _DATE.fullmatch(token.strip())
    if match is None:
        raise ValueError(f"{entry!r} is not a date; {_RANGE_HINT}")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise ValueError(f"{entry!r} is not a real date; {_RANGE_HINT}") from exc


def parse_holidays(entries: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[date]]:
    """Split `holidays:` entries into country codes (as written) and hand-listed days off.

    An entry is a country code ("CN", "DE-BY"), a date ("2026-12-24") or an
    inclusive range ("2026-12-24..2026-12-31", also with ~ 至 到); one string
    may hold several, separated by commas, 、, semicolons or spaces.
    """
    codes: list[str] = []
    days: set[date] = set()
    for raw in entries:
        for entry in re.split(r"[,，、;；\s]+", raw.strip()):
            if not entry:
                continue
            if not entry[:1].isdigit():
                codes.append(entry)
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
    return tuple(codes), frozenset(days)
