"""Department fields of the /xdept grammar: one ``field:value`` of ``dept add``/``dept set``.

Values are checked and normalised here so that whatever the grammar accepts,
the scheduler's calendar (:mod:`bot.calendar`) can read. Fields that name a
person, user group or chat take a target (:mod:`bot.commands.targets`).
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.calendar import build_calendar
from bot.calendar_text import parse_duration, parse_hours, parse_workdays
from bot.commands.errors import CommandError, ErrorCode
from bot.commands.targets import MAX_TARGET, Target, TargetKind, TargetReader, clean_name, fold

__all__ = [
    "MULTI_FIELDS",
    "DeptField",
    "Fail",
    "FieldOp",
    "parse_field",
    "slug",
]


class DeptField(StrEnum):
    """The settings of a department that `dept add` and `dept set` accept."""

    NAME = "name"
    ALIAS = "alias"
    LEAD = "lead"
    MEMBER = "member"
    USERGROUP = "usergroup"
    ESCALATE = "escalate"
    CHANNEL = "channel"
    TZ = "tz"
    LOCALE = "locale"
    WORKDAYS = "workdays"
    HOURS = "hours"
    HOLIDAYS = "holidays"
    STANDUP = "standup"
    FIRST_RESPONSE = "first_response"
    ESCALATE_AFTER = "escalate_after"


class FieldOp(BaseModel):
    """One setting: the field, its normalised value, the parsed target if any, add or remove."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: DeptField
    value: str
    target: Target | None = None
    remove: bool = False


# Fields that hold several values: each op adds one, and "-field:" removes one.
MULTI_FIELDS = frozenset({DeptField.ALIAS, DeptField.LEAD, DeptField.MEMBER})


def _ascii(text: str) -> str:
    """Compatibility-fold structured values (full-width digits and letters) and lowercase them."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


# --------------------------------------------------------------------------- values

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_COUNTRY = re.compile(r"[a-z]{2}(?:-[a-z0-9]{1,3})?")
_DAY = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_HOLIDAY_DATE = re.compile(rf"({_DAY})(?:(?:\.\.|~|至|到)({_DAY}))?")
_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Thresholds beyond a year are typos, and would overflow date arithmetic further on.
_MAX_DURATION = timedelta(days=366)
_MAX_NAME = 80


def slug(text: str) -> str | None:
    """A department key in canonical form (lowercase slug), or None when it cannot be one."""
    key = _ascii(text)
    return key if _SLUG.fullmatch(key) else None


@functools.cache
def _zones() -> dict[str, str]:
    """IANA zone names by their lowercase form, so "asia/shanghai" finds "Asia/Shanghai"."""
    return {zone.casefold(): zone for zone in zoneinfo.available_timezones()}


def _tz(value: str) -> str | None:
    key = _ascii(value)
    if key in _zones():
        return _zones()[key]
    if key == "utc":
        return "UTC"
    return None


def _locale(value: str) -> str | None:
    head = re.split(r"[-_]", _ascii(value), maxsplit=1)[0]
    return head if head in ("zh", "en") else None


def _workdays(value: str) -> str | None:
    try:
        days = parse_workdays(unicodedata.normalize("NFKC", value))
    except ValueError:
        return None
    # Spelled out Monday first, so every stored value has one form whatever was typed.
    return ",".join(_WEEK[day] for day in sorted(days))


def _hours(value: str) -> str | None:
    try:
        start, end = parse_hours(unicodedata.normalize("NFKC", value))
    except ValueError:
        return None
    return f"{start:%H:%M}-{end:%H:%M}"


def _clock(value: str) -> str | None:
    match = _CLOCK.fullmatch(_ascii(value))
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return f"{hour:02d}:{minute:02d}" if hour <= 23 and minute <= 59 else None


def _standup(value: str) -> str | None:
    return "off" if _ascii(value) in ("off", "none", "关闭", "不开") else _clock(value)


def _duration(value: str) -> str | None:
    try:
        length = parse_duration(unicodedata.normalize("NFKC", value))
    except (ValueError, OverflowError):
        return None
    minutes, rest = divmod(length, timedelta(minutes=1))
    if rest or minutes < 1 or length > _MAX_DURATION:
        return None
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def _iso(day: str) -> str:
    """Zero-pad a date, 2026-1-5 -> 2026-01-05 (the calendar checks that it exists)."""
    year, month, dom = day.split("-")
    return f"{int(year):04d}-{int(month):02d}-{int(dom):02d}"


def _holiday_entry(entry: str) -> str | None:
    if _COUNTRY.fullmatch(entry):
        return entry.upper()
    match = _HOLIDAY_DATE.fullmatch(entry)
    if match is None:
        return None
    first, last = match.groups()
    return f"{_iso(first)}..{_iso(last)}" if last else _iso(first)


def _holidays(value: str) -> str | None:
    entries = [_holiday_entry(e) for e in re.split(r"[,、;]+", _ascii(value)) if e]
    if not entries or any(entry is None for entry in entries):
        return None
    normalised = ",".join(dict.fromkeys(e for e in entries if e))
    try:
        # The calendar knows which countries and regions the holiday library has.
        build_calendar(tz="UTC", holidays=normalised)
    except ValueError:
        return None
    return normalised


def _name(value: str) -> str | None:
    name = value.strip()
    return name if 0 < len(name) <= _MAX_NAME else None


_NORMALISERS: dict[DeptField, Callable[[str], str | None]] = {
    DeptField.NAME: _name,
    DeptField.TZ: _tz,
    DeptField.LOCALE: _locale,
    DeptField.WORKDAYS: _workdays,
    DeptField.HOURS: _hours,
    DeptField.HOLIDAYS: _holidays,
    DeptField.STANDUP: _standup,
    DeptField.FIRST_RESPONSE: _duration,
    DeptField.ESCALATE_AFTER: _duration,
}

# Which target kinds each target field takes, and the noun that says so in errors.
_TARGET_FIELDS: dict[DeptField, tuple[frozenset[TargetKind], str]] = {
    DeptField.LEAD: (frozenset({TargetKind.PERSON, TargetKind.NAME}), "person"),
    DeptField.MEMBER: (frozenset({TargetKind.PERSON, TargetKind.NAME}), "person"),
    DeptField.ESCALATE: (frozenset({TargetKind.PERSON, TargetKind.NAME}), "person"),
    DeptField.USERGROUP: (frozenset({TargetKind.GROUP, TargetKind.NAME}), "usergroup"),
    DeptField.CHANNEL: (frozenset({TargetKind.CHAT}), "channel"),
}

# --------------------------------------------------------------------------- fields


class Fail(Protocol):
    """Builds the error for the command being read (it knows the input and the usage)."""

    def __call__(self, code: ErrorCode, /, **params: str) -> CommandError: ...


def _split(raw: str) -> tuple[str, str] | None:
    """Split "field:value" at the first colon (full-width too); None without one."""
    index = fold(raw).find(":")
    return None if index < 0 else (raw[:index], raw[index + 1 :])


def _unquote(value: str) -> str:
    """Drop one pair of surrounding quotes, so name:"Logistics Team" may hold a space."""
    for left, right in (('"', '"'), ("“", "”"), ("'", "'")):
        if len(value) >= 2 and value.startswith(left) and value.endswith(right):
            return value[1:-1]
    return value


def _field_name(key: str, fail: Fail) -> DeptField:
    """The field a key names ("tz", "First-Response"), or UNKNOWN_FIELD with the closest."""
    word = _ascii(key).replace("-", "_")
    try:
        return DeptField(word)
    except ValueError:
        names = [f.value for f in DeptField]
        close = difflib.get_close_matches(word, names, n=1, cutoff=0.5)
        raise fail(
            ErrorCode.UNKNOWN_FIELD,
            value=key,
            closest=close[0] if close else "",
            choices=", ".join(names),
        ) from None


def _target_value(field: DeptField, value: str, reader: TargetReader, fail: Fail) -> Target:
    kinds, wanted = _TARGET_FIELDS[field]
    target = reader.read(value)
    if target is None and field in (DeptField.USERGROUP, DeptField.CHANNEL):
        # A bare handle or channel name is unambiguous for these two fields.
        name = clean_name(value)
        if name and len(name) <= MAX_TARGET and not any(ch in name for ch in "@#"):
            kind = TargetKind.CHAT if field is DeptField.CHANNEL else TargetKind.NAME
            target = Target(kind=kind, name=name)
    if target is None:
        raise fail(ErrorCode.BAD_VALUE, field=field.value, value=reader.readable(value))
    if target.kind not in kinds:
        raise fail(
            ErrorCode.WRONG_TARGET_KIND,
            value=reader.readable(value),
            wanted=wanted,
            actual=target.kind.value,
        )
    return target


def _alias(value: str, fail: Fail) -> str:
    alias = clean_name(value)
    if alias is None or len(alias) > _MAX_NAME or any(ch.isspace() for ch in alias):
        raise fail(ErrorCode.BAD_VALUE, field="alias", value=value)
    return alias


def _parts(value: str) -> list[str]:
    """The non-empty comma-separated parts of `value` as typed (full-width commas too)."""
    parts: list[str] = []
    start = 0
    # fold() keeps offsets, so positions found in the folded text slice the original.
    for end in [i for i, ch in enumerate(fold(value)) if ch == ","] + [len(value)]:
        part = value[start:end].strip()
        if part:
            parts.append(part)
        start = end + 1
    return parts


def _op(field: DeptField, part: str, remove: bool, reader: TargetReader, fail: Fail) -> FieldOp:
    if field is DeptField.ALIAS:
        return FieldOp(field=field, value=_alias(part, fail), remove=remove)
    if field in _TARGET_FIELDS:
        target = _target_value(field, part, reader, fail)
        return FieldOp(field=field, value=reader.readable(part), target=target, remove=remove)
    normalised = _NORMALISERS[field](part)
    if normalised is None:
        raise fail(ErrorCode.BAD_VALUE, field=field.value, value=part)
    return FieldOp(field=field, value=normalised, remove=remove)


def parse_field(raw: str, *, reader: TargetReader, fail: Fail, allow_remove: bool) -> list[FieldOp]:
    """Read one `field:value` token (or `-field:value`) into ops, or raise CommandError."""
    split = _split(raw)
    if split is None:
        raise fail(ErrorCode.BAD_FIELD, value=raw)
    key, value = split
    remove = fold(key).startswith("-")
    field = _field_name(fold(key).removeprefix("-"), fail)
    if remove and (field not in MULTI_FIELDS or not allow_remove):
        raise fail(ErrorCode.CANNOT_REMOVE, value=raw, field=field.value)
    value = _unquote(value.strip()).strip()
    # lead, member and alias take a comma list: one op each.
    parts = _parts(value) if field in MULTI_FIELDS else [value] if value else []
    if not parts:
        raise fail(ErrorCode.BAD_VALUE, field=field.value, value=raw)
    return [_op(field, part, remove, reader, fail) for part in parts]
