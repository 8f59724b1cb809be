"""Read due dates written in English or Chinese.

`parse_due` turns a phrase ("by Fri 5pm", "明天下午3点") or a whole request text
into an aware datetime in the writer's time zone, or None when the text holds
no date. Recognition is done by regular expressions compiled once at import;
dateparser is only a lazily imported fallback for English phrases that follow
"by"/"before"/"on"/"due"/"until" and that the expressions do not cover.

Rules (SPEC.md "Decisions → Dates and times", plus the choices noted "ours"):

- In a whole text the last date phrase counts. A phrase is a run of date and
  time words joined only by spaces, commas, "at", "on", "by", "前", "的" and
  the like ("Friday at 3pm", "明天下午3点", "5pm on Friday").
- A date without a time means ``workday_end`` of that day. EOD, end of day,
  COB, 下班前 mean ``workday_end``.
- Phrases without a calendar date (a weekday, a bare time, EOD, "end of
  week", "月底") take their next occurrence that is not in the past, so
  "by Friday" on a Friday after ``workday_end`` is next Friday and "5pm" after
  5pm is tomorrow. "today", "tomorrow", "今天", "this Friday", "本周五",
  "this week", "end of this week", "本月底", "tonight" are taken as written
  even when past (ours); the caller refuses past instants. Rolling goes by
  calendar days, not work days (ours).
- A month and day without a year (and a day of month alone: "15号", "on the
  15th") is this year's (month's) date while that day's ``workday_end`` or
  the given time is not past, else the next one. A date with a year is taken
  as written.
- "next <weekday>"/"下周X" is that day of next week (weeks run Monday to
  Sunday); "last <weekday>"/"上周X" that day of last week (ours).
- "next week"/"下周" is the last work day of next week; "end of week",
  "this week", "本周内", "周末前", "by the weekend"/"周末" (ours) the last
  work day of this week (weeks run Monday to Sunday);
  "end of month"/"月底" the month's last day; "end of next month"/"下月底",
  "next month" (ours) the last day of next month; "this month" that of this
  month; "end of year"/"年底" December 31 (ours). A weekday said beside a
  calendar date is ignored ("Fri, Dec 4"); beside a week it picks that week's
  day ("Friday next week").
- "in N days"/"N天后"/"N天内": N calendar days on at ``workday_end``; weeks
  are 7 days; "N个工作日"/"N business days" count work days (ours); months
  keep the day of month, clipped to the month's end (ours). "in N hours",
  "N小时后", minutes: exact elapsed time.
- Times: "5pm", "5:30 pm", "17:00", "下午3点半", "晚上8点", "15点". "h:mm"
  without am/pm is 24-hour (ours). A bare hour with no am/pm and no
  上午/下午 ("3点", "at 3", "3 o'clock") means 13:00-19:00 for 1-7 and
  the hour as written for 0 and 8-23 (ours). Parts of the day without an
  hour (ours): 凌晨 06:00, morning/早上/明早 09:00, 上午 12:00, noon/中午
  12:00, afternoon/下午 17:00, evening/tonight/今晚/明晚 21:00;
  midnight/晚上12点 are 23:59 of that day (ours). English "at 8" needs a
  date beside it ("tonight at 8"); alone it is too often an address.
- Numeric "12/1" is month/day (ours), and only after by/on/before/due/until/
  截止 or before 前, since bare fractions are too often not dates. "the
  15th" likewise needs such a word before it.
- A bare "N点" is a time only when it ends the clause or is followed by
  前/之前/钟/整/半 or minutes, or sits beside a date ("明天3点开会"); "以下3点
  建议" and "快一点" are not times.
- "N号"/"N日" alone is a day of month only when nothing noun-like follows
  ("3号仓库" is a count; "3号前", "15号下午3点" are dates).
- Spans that are not valid dates ("2月30日", "in 99999 days") are not
  dates: such a phrase is skipped.
- Wall times are built locally and then given the zone: a wall time inside a
  spring-forward gap moves to the first valid instant, an ambiguous one
  (fall-back) takes its first occurrence.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["parse_due"]


class _Part(Enum):
    """A part of the day named without an hour."""

    EARLY = "early"  # 凌晨
    MORNING = "morning"
    FORENOON = "forenoon"  # 上午: the whole morning, due by noon
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"


_PART_DEFAULT_MINUTES: dict[_Part, int] = {
    _Part.EARLY: 6 * 60,
    _Part.MORNING: 9 * 60,
    _Part.FORENOON: 12 * 60,
    _Part.NOON: 12 * 60,
    _Part.AFTERNOON: 17 * 60,
    _Part.EVENING: 21 * 60,
}

_LAST_MINUTE = 23 * 60 + 59


class _Roll(Enum):
    """How a date term with several candidate days picks one."""

    FIXED = "fixed"  # the first candidate, even if past
    INSTANT = "instant"  # the first candidate whose instant is not past
    DAY = "day"  # ...or whose day's workday end is not past


class _DK(Enum):
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


class _Ambiguity(Enum):
    """How much an hour without am/pm may be moved by context."""

    NONE = "none"  # 5pm, 下午3点
    PART = "part"  # 8:30: only a part of day ("tonight") moves it
    BARE = "bare"  # 3点, at 3: a part of day, else 1-7 mean afternoon


@dataclass(frozen=True, slots=True)
class _Date:
    kind: _DK
    roll: _Roll = _Roll.FIXED
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    offset: int = 0
    unit: str = ""
    part: _Part | None = None


@dataclass(frozen=True, slots=True)
class _Time:
    minutes: int | None = None
    eod: bool = False
    ambiguity: _Ambiguity = _Ambiguity.NONE
    part: _Part | None = None
    alone: bool = True  # may stand as a due time without a date next to it


@dataclass(frozen=True, slots=True)
class _Shift:
    delta: timedelta


_Value = _Date | _Time | _Shift


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    value: _Value


@dataclass(frozen=True, slots=True)
class _Context:
    now: datetime
    zone: ZoneInfo
    today: date
    workday_end: int
    workdays: frozenset[int]

    def at(self, day: date, minutes: int) -> datetime:
        """The instant of a local wall time on a day."""
        return _localize(datetime.combine(day, time()) + timedelta(minutes=minutes), self.zone)


# ---------------------------------------------------------------- numbers

_CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip

_EN_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fourteen": 14, "twenty": 20, "thirty": 30,
}  # fmt: skip


def _num(text: str) -> int | None:
    """An integer from ASCII digits or Chinese numerals up to 99."""
    if text.isascii() and text.isdigit():
        return int(text)
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = _CN_DIGITS.get(head) if head else 1
        ones = _CN_DIGITS.get(tail) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


# ---------------------------------------------------------------- calendar helpers


def _localize(wall: datetime, zone: ZoneInfo) -> datetime:
    """Attach a zone to a naive wall time; a time in a gap moves to the gap's end."""
    aware = wall.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == wall:
        return aware
    # In a gap fold=1 reads the wall time with the later offset, which lands
    # before the transition; fold=0 lands after it. Search between the two for
    # the first instant whose wall time reaches the requested one.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = utc
    step = timedelta(seconds=1)
    while hi - lo > step:
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi.astimezone(zone)


def _month_shift(day: date, months: int) -> tuple[int, int]:
    """(year, month) that many months from the day's month."""
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _month_last(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_last_workday(monday: date, workdays: frozenset[int]) -> date:
    return monday + timedelta(days=max(workdays))


def _add_workdays(day: date, count: int, workdays: frozenset[int]) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() in workdays:
            count -= 1
    return day


# Upper bounds keep absurd counts from overflowing date arithmetic.
_MAX_DAYS = 3660
_MAX_HOURS = _MAX_DAYS * 24


def _candidates(term: _Date, ctx: _Context) -> Iterator[date]:
    """Days a date term may mean, in the order its roll rule tries them."""
    today = ctx.today
    kind = term.kind
    if kind is _DK.ABSOLUTE:
        assert term.year is not None and term.month is not None and term.day is not None
        yield date(term.year, term.month, term.day)
    elif kind is _DK.MONTH_DAY:
        assert term.month is not None and term.day is not None
        for year in range(today.year, today.year + 9):
            try:
                yield date(year, term.month, term.day)
            except ValueError:  # 29 February outside leap years
                continue
    elif kind is _DK.DAY_OF_MONTH:
        assert term.day is not None
        span = 1 if term.roll is _Roll.FIXED else 13
        for step in range(span):
            year, month = _month_shift(today, term.offset + step)
            if term.day <= calendar.monthrange(year, month)[1]:
                yield date(year, month, term.day)
    elif kind is _DK.RELATIVE:
        yield today + timedelta(days=term.offset)
        yield today + timedelta(days=term.offset + 1)
    elif kind is _DK.WEEKDAY:
        assert term.weekday is not None
        if term.roll is _Roll.FIXED:
            yield _week_monday(today) + timedelta(days=7 * term.offset + term.weekday)
        else:
            first = today + timedelta(days=(term.weekday - today.weekday()) % 7)
            yield first
            yield first + timedelta(days=7)
    elif kind is _DK.WEEK_END:
        monday = _week_monday(today) + timedelta(days=7 * term.offset)
        yield _week_last_workday(monday, ctx.workdays)
        yield _week_last_workday(monday + timedelta(days=7), ctx.workdays)
    elif kind is _DK.MONTH_END:
        if term.month is not None and term.year is not None:
            yield _month_last(term.year, term.month)
        elif term.month is not None:
            yield _month_last(today.year, term.month)
            yield _month_last(today.year + 1, term.month)
        else:
            yield _month_last(*_month_shift(today, term.offset))
            yield _month_last(*_month_shift(today, term.offset + 1))
    elif kind is _DK.YEAR_END:
        year = term.year if term.year is not None else today.year + term.offset
        yield date(year, 12, 31)
        yield date(year + 1, 12, 31)
    elif kind is _DK.OFFSET:
        if term.unit == "d":
            yield today + timedelta(days=term.offset)
        elif term.unit == "w":
            yield today + timedelta(days=7 * term.offset)
        elif term.unit == "wd":
            yield _add_workdays(today, term.offset, ctx.workdays)
        else:
            year, month = _month_shift(today, term.offset)
            yield date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- patterns

_CN_NUM = "零〇一二两三四五六七八九十"
_N = rf"(?:\d{{1,4}}|[{_CN_NUM}]{{1,3}})"
_MONTHS = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH_INDEX: dict[str, int] = {
    name: index
    for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_WEEKDAYS_EN: dict[str, int] = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4,
    "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_WEEKDAYS_CN: dict[str, int] = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
}  # fmt: skip
_CN_PREFIX_PART: dict[str, _Part] = {
    "凌晨": _Part.EARLY,
    "早上": _Part.MORNING, "早晨": _Part.MORNING, "清晨": _Part.MORNING,
    "清早": _Part.MORNING, "早": _Part.MORNING,
    "上午": _Part.FORENOON,
    "中午": _Part.NOON,
    "午后": _Part.AFTERNOON, "下午": _Part.AFTERNOON, "傍晚": _Part.AFTERNOON,
    "晚上": _Part.EVENING, "夜里": _Part.EVENING, "夜间": _Part.EVENING, "晚": _Part.EVENING,
}  # fmt: skip
_EN_PART: dict[str, _Part] = {
    "morning": _Part.MORNING,
    "afternoon": _Part.AFTERNOON,
    "evening": _Part.EVENING,
    "night": _Part.EVENING,
}
# Single-character 早/晚 only count before digits: "早一点" means "a bit earlier".
_CN_PREFIX = (
    r"(?P<pre>凌晨|早上|早晨|清晨|清早|上午|中午|午后|下午|傍晚|晚上|夜里|夜间"
    r"|(?<![今明昨傍])晚(?=\s*\d)|(?<![今明昨清提尽趁])早(?=\s*\d))"
)

_TRIGGER_TAIL = re.compile(
    r"(?:\b(?:by|on|before|until|till|due|deadline|no\s+later\s+than)|截止|截至|在|于)"
    r"[\s:]*(?:the\s+)?$",
    re.ASCII,
)
_NOUN_FREE_AFTER_DAY = re.compile(
    r"(?:前|之前|以前|截止|$|[\s,.;:!?。；！？、)）]|上午|下午|晚上|早上|中午|凌晨|傍晚|\d"
    rf"|[{_CN_NUM}]{{1,3}}[点點]|下班)",
    re.ASCII,
)
_BARE_HOUR_AFTER = re.compile(r"(?:前|之前|以前|左右|$|[\s,.;!?。；！？、)）])", re.ASCII)
_CN_NUMERAL_HOUR_AFTER = re.compile(r"(?:前|之前|以前)")
_CN_NOT_WEEKDAY_ONE = frozenset("起些样直般共同切")
_MAY_FOLLOWERS = frozenset({"at", "by", "before", "eod", "cob", "noon", "morning", "afternoon"})
_WORD_AFTER = re.compile(r"\s+([a-z]+)", re.ASCII)
_GAP = re.compile(
    r"(?:\s|[,()（）、@\-]|\b(?:at|on|by|before|around|about|in|the|of|t)\b"
    r"|之前|以前|前|的|在|于)*",
    re.ASCII,
)


def _trigger_before(text: str, start: int) -> bool:
    return _TRIGGER_TAIL.search(text, max(0, start - 24), start) is not None


def _next_word(text: str, end: int) -> str | None:
    found = _WORD_AFTER.match(text, end)
    return found.group(1) if found else None


# ---------------------------------------------------------------- builders


def _b_ymd(m: re.Match[str], text: str) -> _Value | None:
    month, day = _num(m["m"]), _num(m["d"])
    if month is None or day is None:
        return None
    return _Date(_DK.ABSOLUTE, year=int(m["y"]), month=month, day=day)


def _b_year_month_end(m: re.Match[str], text: str) -> _Value | None:
    month = _num(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    return _Date(_DK.MONTH_END, year=int(m["y"]), month=month)


def _b_month_end_numbered(m: re.Match[str], text: str) -> _Value | None:
    month = _num(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    return _Date(_DK.MONTH_END, roll=_Roll.DAY, month=month)


def _b_month_day_cn(m: re.Match[str], text: str) -> _Value | None:
    month, day = _num(m["m"]), _num(m["d"])
    if month is None or day is None:
        return None
    if m["suf"] is None and not _NOUN_FREE_AFTER_DAY.match(text, m.end()):
        return None
    return _Date(_DK.MONTH_DAY, roll=_Roll.DAY, month=month, day=day)


def _rel_months(rel: str) -> int:
    if rel.startswith("下下"):
        return 2
    return 1 if rel.startswith("下") else 0


def _b_rel_month_day_cn(m: re.Match[str], text: str) -> _Value | None:
    day = _num(m["d"])
    if day is None:
        return None
    return _Date(_DK.DAY_OF_MONTH, day=day, offset=_rel_months(m["rel"]))


def _b_day_cn(m: re.Match[str], text: str) -> _Value | None:
    day = _num(m["d"])
    if day is None or not 1 <= day <= 31:
        return None
    return _Date(_DK.DAY_OF_MONTH, roll=_Roll.DAY, day=day)


_REL_DAY_CN: dict[str, tuple[int, _Part | None]] = {
    "大后天": (3, None), "后天": (2, None), "明天": (1, None), "明日": (1, None),
    "明儿": (1, None), "明早": (1, _Part.MORNING), "明晚": (1, _Part.EVENING),
    "今天": (0, None), "今日": (0, None), "今儿": (0, None), "今早": (0, _Part.MORNING),
    "今晚": (0, _Part.EVENING), "今夜": (0, _Part.EVENING), "昨天": (-1, None),
    "昨日": (-1, None),
}  # fmt: skip


def _b_rel_day_cn(m: re.Match[str], text: str) -> _Value | None:
    offset, part = _REL_DAY_CN[m["w"]]
    return _Date(_DK.RELATIVE, offset=offset, part=part)


def _week_offset_cn(rel: str) -> int:
    if rel.startswith("下下"):
        return 2
    if rel.startswith("下"):
        return 1
    return -1 if rel.startswith("上") else 0


def _b_weekday_cn(m: re.Match[str], text: str) -> _Value | None:
    mark = m["wd"]
    following = text[m.end() : m.end() + 1]
    # "下周一起" reads as "next week, together"; "周1" followed by digits is no day.
    if mark == "一" and following in _CN_NOT_WEEKDAY_ONE:
        return None
    if mark.isdigit() and following.isdigit():
        return None
    rel = m["rel"]
    if rel is None:
        return _Date(_DK.WEEKDAY, roll=_Roll.INSTANT, weekday=_WEEKDAYS_CN[mark])
    return _Date(_DK.WEEKDAY, weekday=_WEEKDAYS_CN[mark], offset=_week_offset_cn(rel))


def _b_week_cn(m: re.Match[str], text: str) -> _Value | None:
    rel = m["rel"]
    if rel is None:
        if m["end"] is None:
            return None
        return _Date(_DK.WEEK_END, roll=_Roll.INSTANT)
    return _Date(_DK.WEEK_END, offset=_week_offset_cn(rel))


def _b_month_end_cn(m: re.Match[str], text: str) -> _Value | None:
    rel = m["rel"]
    if rel is None:
        return _Date(_DK.MONTH_END, roll=_Roll.INSTANT)
    return _Date(_DK.MONTH_END, offset=_rel_months(rel))


def _b_year_end_cn(m: re.Match[str], text: str) -> _Value | None:
    if m["y"] is not None:
        return _Date(_DK.YEAR_END, year=int(m["y"]))
    rel = m["rel"]
    if rel is None:
        return _Date(_DK.YEAR_END, roll=_Roll.INSTANT)
    return _Date(_DK.YEAR_END, offset=1 if rel == "明" else 0)


def _span_value(count: int, unit: str) -> _Value | None:
    """A date offset or an exact shift for a count of units ("d", "w", "m", "wd", "h", "min")."""
    if unit == "h":
        return _Shift(timedelta(hours=count)) if count <= _MAX_HOURS else None
    if unit == "min":
        return _Shift(timedelta(minutes=count)) if count <= _MAX_HOURS * 60 else None
    days = {"d": count, "w": 7 * count, "m": 31 * count, "wd": 2 * count}[unit]
    if days > _MAX_DAYS:
        return None
    return _Date(_DK.OFFSET, offset=count, unit=unit)


_CN_UNITS: dict[str, str] = {
    "小时": "h", "钟头": "h", "分钟": "min", "工作日": "wd", "天": "d", "日": "d",
    "周": "w", "星期": "w", "礼拜": "w", "月": "m",
}  # fmt: skip


def _b_span_cn(m: re.Match[str], text: str) -> _Value | None:
    unit = _CN_UNITS[m["u"]]
    if unit == "m" and m["ge"] is None:  # "3月后" is "after March", not "in 3 months"
        return None
    if m["n"] == "半":
        return _Shift(timedelta(minutes=30)) if unit == "h" else None
    count = _num(m["n"])
    if count is None:
        return None
    return _span_value(count, unit)


def _cn_hour_minutes(
    pre: str | None, hour: int, minute: int
) -> tuple[int, _Ambiguity, _Part | None] | None:
    """Minutes after midnight for a Chinese clock time, or None when impossible."""
    if hour > 24 or minute > 59:
        return None
    if pre is None:
        if hour == 24:
            return _LAST_MINUTE, _Ambiguity.NONE, None
        return hour * 60 + minute, (_Ambiguity.BARE if hour <= 12 else _Ambiguity.NONE), None
    part = _CN_PREFIX_PART[pre]
    if part is _Part.EVENING and hour in (12, 24):
        return _LAST_MINUTE, _Ambiguity.NONE, part
    if part is _Part.EARLY and hour == 12:
        hour = 0
    hour = _shift_for_part(hour, part)
    if hour > 23:
        return None
    return hour * 60 + minute, _Ambiguity.NONE, part


def _shift_for_part(hour: int, part: _Part) -> int:
    """The 24-hour clock hour for an hour said with a part of the day."""
    if part in (_Part.AFTERNOON, _Part.EVENING) and hour < 12:
        return hour + 12
    if part is _Part.NOON and hour < 6:
        return hour + 12
    return hour


def _b_clock_cn(m: re.Match[str], text: str) -> _Value | None:
    hour = _num(m["h"])
    if hour is None:
        return None
    minute = 0
    if m["mi"] is not None:
        parsed = _num(m["mi"])
        if parsed is None:
            return None
        minute = parsed
    elif m["half"] is not None:
        minute = 30
    elif m["q"] is not None:
        minute = 15 if m["q"] == "一刻" else 45
    found = _cn_hour_minutes(m["pre"], hour, minute)
    if found is None:
        return None
    minutes, ambiguity, _ = found
    alone = True
    if m["pre"] is None and m["mi"] is None and m["half"] is None and m["q"] is None:
        # "以下3点建议", "快一点": a bare 点 is only a time when it is clearly one.
        if m["h"].isdigit():
            alone = m["zh"] is not None or _BARE_HOUR_AFTER.match(text, m.end()) is not None
        else:
            alone = m["zh"] is not None or _CN_NUMERAL_HOUR_AFTER.match(text, m.end()) is not None
    return _Time(minutes=minutes, ambiguity=ambiguity, alone=alone)


def _b_clock_colon_cn(m: re.Match[str], text: str) -> _Value | None:
    found = _cn_hour_minutes(m["pre"], int(m["h"]), int(m["mi"]))
    if found is None:
        return None
    return _Time(minutes=found[0])


def _b_part_cn(m: re.Match[str], text: str) -> _Value | None:
    part = _CN_PREFIX_PART[m["pre"]]
    if part is _Part.NOON:
        return _Time(minutes=12 * 60)
    return _Time(part=part, alone=False)


def _b_eod(m: re.Match[str], text: str) -> _Value | None:
    return _Time(eod=True)


def _b_ampm(m: re.Match[str], text: str) -> _Value | None:
    hour = int(m["h"])
    minute = int(m["mi"]) if m["mi"] else 0
    if not 1 <= hour <= 12 or minute > 59:
        return None
    hour %= 12
    if m["ap"].startswith("p"):
        hour += 12
    return _Time(minutes=hour * 60 + minute)


def _b_colon(m: re.Match[str], text: str) -> _Value | None:
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 23 or minute > 59:
        return None
    ambiguity = _Ambiguity.PART if hour <= 12 else _Ambiguity.NONE
    return _Time(minutes=hour * 60 + minute, ambiguity=ambiguity)


def _b_bare_hour(m: re.Match[str], text: str) -> _Value | None:
    hour = int(m["h"])
    if hour > 23:
        return None
    ambiguity = _Ambiguity.BARE if hour <= 12 else _Ambiguity.NONE
    # "at 5" alone is too often an address or a count; it needs a date beside it.
    return _Time(minutes=hour * 60, ambiguity=ambiguity, alone="clock" in m.group(0))


def _b_noon(m: re.Match[str], text: str) -> _Value | None:
    return _Time(minutes=_LAST_MINUTE if m["w"] == "midnight" else 12 * 60)


def _b_part_en(m: re.Match[str], text: str) -> _Value | None:
    return _Time(part=_EN_PART[m["w"]], alone=False)


def _b_this_part_en(m: re.Match[str], text: str) -> _Value | None:
    return _Date(_DK.RELATIVE, part=_EN_PART[m["w"]])


_REL_DAY_EN: dict[str, tuple[int, _Part | None]] = {
    "today": (0, None), "tonight": (0, _Part.EVENING), "tomorrow": (1, None),
    "tmrw": (1, None), "tmr": (1, None), "tomorow": (1, None), "tommorow": (1, None),
    "tommorrow": (1, None), "yesterday": (-1, None),
}  # fmt: skip


def _b_rel_day_en(m: re.Match[str], text: str) -> _Value | None:
    word = m["w"]
    if "after" in word:
        return _Date(_DK.RELATIVE, offset=2)
    offset, part = _REL_DAY_EN[word]
    return _Date(_DK.RELATIVE, offset=offset, part=part)


def _b_weekday_en(m: re.Match[str], text: str) -> _Value | None:
    word, rel = m["wd"], m["rel"]
    # "sat" and "sun" are everyday words; take them only where a date is expected.
    if word in ("sat", "sun") and rel is None and not _trigger_before(text, m.start()):
        return None
    weekday = _WEEKDAYS_EN[word]
    if rel is None or rel in ("coming", "upcoming") or rel.startswith("this "):
        return _Date(_DK.WEEKDAY, roll=_Roll.INSTANT, weekday=weekday)
    offset = {"this": 0, "next": 1, "last": -1}[rel]
    return _Date(_DK.WEEKDAY, weekday=weekday, offset=offset)


_PERIOD_KIND: dict[str, _DK] = {
    "week": _DK.WEEK_END, "eow": _DK.WEEK_END, "month": _DK.MONTH_END,
    "eom": _DK.MONTH_END, "year": _DK.YEAR_END, "eoy": _DK.YEAR_END,
}  # fmt: skip


def _b_period_en(m: re.Match[str], text: str) -> _Value | None:
    if m["u1"] is not None:
        if m["nx"] is not None or m["th"] is not None:
            return _Date(_PERIOD_KIND[m["u1"]], offset=0 if m["nx"] is None else 1)
        return _Date(_PERIOD_KIND[m["u1"]], roll=_Roll.INSTANT)
    if m["abbr"] is not None:
        return _Date(_PERIOD_KIND[m["abbr"]], roll=_Roll.INSTANT)
    if m["u2"] is not None:
        return _Date(_PERIOD_KIND[m["u2"]], roll=_Roll.INSTANT)
    return _Date(_PERIOD_KIND[m["u3"]], offset=1 if m["rel"] == "next" else 0)


def _b_weekend_en(m: re.Match[str], text: str) -> _Value | None:
    rel = m["rel"]
    if rel is None:
        if not _trigger_before(text, m.start()):
            return None
        return _Date(_DK.WEEK_END, roll=_Roll.INSTANT)
    return _Date(_DK.WEEK_END, offset=1 if rel == "next" else 0)


_EN_UNITS: dict[str, str] = {
    "minute": "min", "minutes": "min", "min": "min", "mins": "min",
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "h": "h",
    "day": "d", "days": "d", "d": "d",
    "week": "w", "weeks": "w", "wk": "w", "wks": "w", "w": "w", "fortnight": "2w",
    "fortnights": "2w",
    "month": "m", "months": "m",
}  # fmt: skip


def _b_span_en(m: re.Match[str], text: str) -> _Value | None:
    if m["pre"] is None and m["post"] is None:
        return None
    unit = _EN_UNITS[m["u"]]
    if m["nd"] is not None:
        count = int(m["nd"])
    else:
        words = m["nw"].split()
        if len(m["u"]) == 1:  # "in a d..." is no duration
            return None
        if words[0] == "half":
            return _Shift(timedelta(minutes=30)) if unit == "h" else None
        count = 2 if "couple" in words else _EN_NUMBERS[words[0]]
    if m["biz"] is not None:
        if unit != "d":
            return None
        unit = "wd"
    if unit == "2w":
        count, unit = 2 * count, "w"
    return _span_value(count, unit)


def _year_or_none(raw: str | None) -> int | None:
    return int(raw) if raw is not None else None


def _month_day(month: int, day: int, year: int | None) -> _Date:
    if year is not None:
        return _Date(_DK.ABSOLUTE, year=year, month=month, day=day)
    return _Date(_DK.MONTH_DAY, roll=_Roll.DAY, month=month, day=day)


def _b_month_day_en(m: re.Match[str], text: str) -> _Value | None:
    return _month_day(_MONTH_INDEX[m["mon"][:3]], int(m["d"]), _year_or_none(m["y"]))


def _b_day_month_en(m: re.Match[str], text: str) -> _Value | None:
    if m["mon"] == "may" and m["y"] is None:
        # "2 may be late": the modal verb, unless a time word follows.
        word = _next_word(text, m.end())
        if word is not None and word not in _MAY_FOLLOWERS:
            return None
    return _month_day(_MONTH_INDEX[m["mon"][:3]], int(m["d"]), _year_or_none(m["y"]))


def _b_ordinal_en(m: re.Match[str], text: str) -> _Value | None:
    if m["rel"] is not None:
        return _Date(_DK.DAY_OF_MONTH, day=int(m["d"]), offset=0 if m["rel"] == "this" else 1)
    if not _trigger_before(text, m.start()):
        return None
    word = _next_word(text, m.end())
    if word is not None and word not in ("at", "by", "eod", "cob", "noon", "before", "and"):
        return None  # "on the 3rd floor"
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    return _Date(_DK.DAY_OF_MONTH, roll=_Roll.DAY, day=day)


def _b_slash(m: re.Match[str], text: str) -> _Value | None:
    if not _trigger_before(text, m.start()) and not _CN_NUMERAL_HOUR_AFTER.match(text, m.end()):
        return None
    year = _year_or_none(m["y"])
    if year is not None and year < 100:
        year += 2000
    return _month_day(int(m["m"]), int(m["d"]), year)


_Builder = Callable[[re.Match[str], str], _Value | None]

_SPAN_EN_WORDS = (
    r"an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|twenty"
    r"|thirty|(?:a\s+)?couple(?:\s+of)?|half\s+an?"
)
_SPAN_EN_UNITS = r"minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|fortnights?|months?"

_MATCHERS: tuple[tuple[re.Pattern[str], _Builder], ...] = tuple(
    (re.compile(pattern, re.ASCII), builder)
    for pattern, builder in (
        # Chinese and numeric dates
        (
            r"(?<![\d.])(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?!\d)",
            _b_ymd,
        ),
        (rf"(?<!\d)(?P<y>\d{{4}})\s*年\s*(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*[日号]?", _b_ymd),
        (rf"(?<!\d)(?P<y>\d{{4}})\s*年\s*(?P<m>{_N})\s*月\s*[底末]", _b_year_month_end),
        (rf"(?<![\d{_CN_NUM}年])(?P<m>{_N})\s*月\s*[底末]", _b_month_end_numbered),
        (
            rf"(?<![\d{_CN_NUM}年])(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*(?P<suf>[日号])?",
            _b_month_day_cn,
        ),
        (
            rf"(?P<rel>本|这个|这|下下个|下下|下个|下)月\s*(?P<d>{_N})\s*[日号]",
            _b_rel_month_day_cn,
        ),
        (
            rf"(?<![\d月第])(?P<d>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*[日号]"
            rf"(?={_NOUN_FREE_AFTER_DAY.pattern})",
            _b_day_cn,
        ),
        (
            r"(?P<w>大后天|后天|明天|明日|明儿|明早|明晚|今天|今日|今儿|今早|今晚|今夜|昨天|昨日)",
            _b_rel_day_cn,
        ),
        (
            r"(?<!每)(?<!每个)(?P<rel>下下个|下下|下个|下|上个|上|本|这个|这)?"
            r"(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])",
            _b_weekday_cn,
        ),
        (
            r"(?<!每)(?P<rel>下下个|下下|下个|下|本|这个|这)?(?:周|星期|礼拜)(?P<end>末)?",
            _b_week_cn,
        ),
        (
            rf"(?<![\d{_CN_NUM}年])(?P<rel>本|这个|这|下下个|下下|下个|下)?月(?:底|末)",
            _b_month_end_cn,
        ),
        (r"(?<!\d)(?:(?P<y>\d{4})\s*|(?P<rel>今|明))?年(?:底|末)", _b_year_end_cn),
        (
            rf"(?<![\d第])(?P<n>\d{{1,4}}|[{_CN_NUM}]{{1,3}}|半)\s*(?P<ge>个)?\s*"
            r"(?P<u>小时|钟头|分钟|工作日|天|日|周|星期|礼拜|月)\s*(?:之后|以后|后|之内|以内|内)",
            _b_span_cn,
        ),
        # Chinese times
        (
            rf"(?:{_CN_PREFIX}\s*)?(?<!\d)(?P<h>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*"
            r"(?:[点點]|[时時](?!间|候))"
            rf"(?:(?P<half>半)|(?P<q>一刻|三刻)|\s*(?P<mi>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*分?"
            r"|(?P<zh>整|钟))?",
            _b_clock_cn,
        ),
        (rf"{_CN_PREFIX}\s*(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?!\d)", _b_clock_colon_cn),
        (r"(?P<pre>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)", _b_part_cn),
        (r"(?:下班|收工)(?:之前|以前|前)", _b_eod),
        # English times
        (
            r"(?<![\d:.])(?P<h>\d{1,2})(?:[:.](?P<mi>\d{2}))?\s*(?P<ap>a\.?m\b\.?|p\.?m\b\.?)",
            _b_ampm,
        ),
        (r"(?<![\d:.])(?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2})?(?![\d:])", _b_colon),
        (r"(?<![\d:.])(?P<h>\d{1,2})\s*o'?\s?clock\b", _b_bare_hour),
        (
            r"\bat\s+(?P<h>\d{1,2})(?![\d:.%])(?!\s*(?:am|pm|a\.m|p\.m|o'?\s?clock|%))",
            _b_bare_hour,
        ),
        (r"\b(?:12\s*)?(?P<w>noon|midday|midnight)\b", _b_noon),
        (r"\b(?:in\s+the\s+)?(?P<w>morning|afternoon|evening|night)\b", _b_part_en),
        (
            r"\b(?:eod|cob|eob|(?:close|end)\s+of\s+(?:business|play)"
            r"|end\s+of\s+(?:the\s+)?(?:business\s+|work(?:ing)?\s+)?day)\b",
            _b_eod,
        ),
        # English dates
        (r"\bthis\s+(?P<w>morning|afternoon|evening)\b", _b_this_part_en),
        (
            r"\b(?:end\s+of\s+)?(?P<w>(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw|tmr)|today"
            r"|tonight|tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow|yesterday)\b",
            _b_rel_day_en,
        ),
        (
            r"(?<!')\b(?:(?P<rel>this\s+coming|this|next|coming|upcoming|last)\s+)?"
            r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue"
            r"|weds|wed|thurs|thur|thu|fri|sat|sun)\b\.?",
            _b_weekday_en,
        ),
        (
            r"\b(?:(?:the\s+)?end\s+of\s+(?:(?P<nx>next)|(?P<th>this)|the)?\s*(?P<u1>week|month|year)"
            r"|(?P<abbr>eow|eom|eoy)|(?P<u2>week|month|year)[\s-]end"
            r"|(?P<rel>this|next)\s+(?P<u3>week|month))\b",
            _b_period_en,
        ),
        (r"\b(?:(?P<rel>this|next)\s+|the\s+)?weekend\b", _b_weekend_en),
        (
            rf"\b(?:(?P<pre>in|within|after)\s+)?(?:(?P<nd>\d{{1,4}})\s*|(?P<nw>{_SPAN_EN_WORDS})\s+)"
            rf"(?P<biz>business\s+|working\s+|work\s+)?(?P<u>{_SPAN_EN_UNITS})\b"
            r"(?P<post>\s+from\s+(?:now|today))?",
            _b_span_en,
        ),
        (
            rf"\b{_MONTHS}\b\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
            r"(?:\s*,?\s*(?P<y>\d{4})\b)?",
            _b_month_day_en,
        ),
        (
            rf"\b(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTHS}\b\.?"
            r"(?:\s*,?\s*(?P<y>\d{4})\b)?",
            _b_day_month_en,
        ),
        (
            r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
            r"(?:\s+of\s+(?P<rel>this|next|the\s+next)\s+month\b)?",
            _b_ordinal_en,
        ),
        (
            r"(?<![\d/.:\-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])",
            _b_slash,
        ),
    )
)


# ---------------------------------------------------------------- scanning


def _normalize(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (NFKC), then lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _tokens(text: str) -> list[_Token]:
    """All recognised terms, leftmost-longest, without overlaps."""
    found: list[tuple[int, int, int, _Value]] = []
    for order, (pattern, builder) in enumerate(_MATCHERS):
        pos = 0
        # Overlapping search: a term rejected by its builder must not hide a
        # shorter one starting inside it ("下周一起" still holds "下周").
        while (match := pattern.search(text, pos)) is not None:
            if match.end() > match.start():
                value = builder(match, text)
                if value is not None:
                    found.append((match.start(), -match.end(), order, value))
            pos = match.start() + 1
    found.sort(key=lambda item: (item[0], item[1], item[2]))
    tokens: list[_Token] = []
    last_end = 0
    for start, neg_end, _, value in found:
        if start >= last_end:
            tokens.append(_Token(start, -neg_end, value))
            last_end = -neg_end
    return tokens


def _can_join(phrase: list[_Token], value: _Value) -> bool:
    """Whether a term may extend a phrase ("Friday" + "3pm", "周五" + "12月4日")."""
    if isinstance(value, _Shift) or any(isinstance(t.value, _Shift) for t in phrase):
        return False
    if isinstance(value, _Date):
        dates = [t.value for t in phrase if isinstance(t.value, _Date)]
        if not dates:
            return True
        if len(dates) > 1:
            return False
        other = dates[0]
        weekday_pair = (value.kind is _DK.WEEKDAY) != (other.kind is _DK.WEEKDAY)
        return weekday_pair and _DK.OFFSET not in (value.kind, other.kind)
    times = [t.value for t in phrase if isinstance(t.value, _Time)]
    if value.minutes is not None or value.eod:
        return not any(t.minutes is not None or t.eod for t in times)
    return not any(t.part is not None for t in times)


def _phrases(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    phrases: list[list[_Token]] = []
    for token in tokens:
        if phrases:
            last = phrases[-1]
            if _GAP.fullmatch(text, last[-1].end, token.start) and _can_join(last, token.value):
                last.append(token)
                continue
        phrases.append([token])
    return phrases


# ---------------------------------------------------------------- resolving


def _merge_dates(dates: list[_Date]) -> _Date | None:
    """One date term for a phrase: a calendar date beats a weekday said beside it."""
    if not dates:
        return None
    if len(dates) == 1:
        return dates[0]
    weekday = next(d for d in dates if d.kind is _DK.WEEKDAY)
    other = next(d for d in dates if d.kind is not _DK.WEEKDAY)
    if other.kind is _DK.WEEK_END:
        # "Friday next week", "下周 周五": that weekday of that week.
        return _Date(_DK.WEEKDAY, weekday=weekday.weekday, offset=other.offset)
    return other


def _clock_minutes(clock: _Time, part: _Part | None) -> int:
    assert clock.minutes is not None
    if clock.ambiguity is _Ambiguity.NONE:
        return clock.minutes
    hour, minute = divmod(clock.minutes, 60)
    if part is not None:
        if part is _Part.EVENING and hour == 12:
            return _LAST_MINUTE
        return _shift_for_part(hour, part) * 60 + minute
    if clock.ambiguity is _Ambiguity.BARE and 1 <= hour <= 7:
        hour += 12
    return hour * 60 + minute


def _resolve(phrase: list[_Token], ctx: _Context) -> datetime | None:
    values = [t.value for t in phrase]
    for value in values:
        if isinstance(value, _Shift):
            return (ctx.now.astimezone(UTC) + value.delta).astimezone(ctx.zone)
    times = [v for v in values if isinstance(v, _Time)]
    term = _merge_dates([v for v in values if isinstance(v, _Date)])
    if term is None and not any(t.alone for t in times):
        return None
    part = next((t.part for t in times if t.part is not None), None)
    if part is None and term is not None:
        part = term.part
    clock = next((t for t in times if t.minutes is not None), None)
    if clock is not None:
        minutes = _clock_minutes(clock, part)
    elif any(t.eod for t in times):
        minutes = ctx.workday_end
    elif part is not None:
        minutes = _PART_DEFAULT_MINUTES[part]
    else:
        minutes = ctx.workday_end
    if term is None:
        # A bare time or EOD: today, or tomorrow once today's has passed.
        term = _Date(_DK.RELATIVE, roll=_Roll.INSTANT)
    for day in _candidates(term, ctx):
        instant = ctx.at(day, minutes)
        if term.roll is _Roll.FIXED or instant >= ctx.now:
            return instant
        if term.roll is _Roll.DAY and ctx.at(day, ctx.workday_end) >= ctx.now:
            return instant
    return None


# ---------------------------------------------------------------- fallback

_FALLBACK_CANDIDATE = re.compile(
    r"\b(?:by|before|on|due|until|till)\s+([a-z0-9][a-z0-9 ,:'.\-]{1,47})", re.ASCII
)
_FALLBACK_VOCABULARY = frozenset(
    {
        "today", "tomorrow", "tonight", "yesterday", "noon", "midnight", "morning",
        "afternoon", "evening", "night", "day", "days", "week", "weeks", "weekend",
        "fortnight", "month", "months", "year", "years", "hour", "hours", "minute",
        "minutes", "am", "pm", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "january", "february", "march", "april", "june", "july",
        "august", "september", "october", "november", "december",
    }
)  # fmt: skip
# One dateparser call takes about 1 ms once warm; a count, not a clock, bounds the
# work so that the same text always gives the same answer.
_FALLBACK_MAX_TRIES = 3
_FALLBACK_MAX_WORDS = 5


_MONTH_WORDS = frozenset(
    {
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december",
    }
)  # fmt: skip


def _fallback_candidate(text: str, tokens: list[_Token], last: list[_Token] | None) -> str | None:
    """The English text after the last "by"/"on"/"due"... that dateparser may read.

    With no phrase found, the text after the last such word. When the last
    phrase is only a time ("by december the 1st at 3pm" found "3pm"), the text
    from that word to the time, if it names a month the expressions missed.
    """
    end = len(text) if last is None else last[-1].end
    matches = list(_FALLBACK_CANDIDATE.finditer(text, 0, end))
    if not matches:
        return None
    found = matches[-1]
    if last is None:
        return found.group(1)
    if any(isinstance(t.value, _Date | _Shift) for t in last):
        return None
    start = found.start(1)
    if start >= last[0].start:
        return None
    if any(start <= t.start < last[0].start for t in tokens):
        return None
    head = text[start : last[0].start]
    if not any(word in _MONTH_WORDS for word in re.findall(r"[a-z]+", head)):
        return None
    return text[start:end]


def _fallback(candidate: str, ctx: _Context) -> datetime | None:
    """dateparser on an English candidate phrase, guarded against counts and slowness."""
    words = re.split(r"[\s,]+", candidate.strip(" ,.'-"))[:_FALLBACK_MAX_WORDS]
    # Only spans holding a date word go to dateparser, so "by 3 pallets" never does.
    spans = [
        " ".join(words[:n])
        for n in range(len(words), 0, -1)
        if any(w.strip(".:'") in _FALLBACK_VOCABULARY for w in words[:n])
    ][:_FALLBACK_MAX_TRIES]
    if not spans:
        return None
    # Imported on first need: the import and its first parse are slow.
    from dateparser.date import DateDataParser

    parser = DateDataParser(
        languages=["en", "zh"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RETURN_TIME_AS_PERIOD": True,
            # Naive local base; the zone is attached here, not by dateparser.
            "RELATIVE_BASE": ctx.now.replace(tzinfo=None),
        },
    )
    for span in spans:
        data = parser.get_date_data(span)
        found = data.date_obj
        if not isinstance(found, datetime) or found.tzinfo is not None:
            continue
        if abs(found.year - ctx.today.year) > 5:
            continue
        if data.period == "time":
            return _localize(found.replace(second=0, microsecond=0), ctx.zone)
        return ctx.at(found.date(), ctx.workday_end)
    return None


# ---------------------------------------------------------------- public


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {tz!r}") from exc


def parse_due(
    text: str,
    *,
    now: datetime,
    tz: str | ZoneInfo,
    workday_end: time = time(18, 0),
    workdays: Collection[int] = (0, 1, 2, 3, 4),
) -> datetime | None:
    """The due instant written in `text` (its last date phrase), in `tz`, or None."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    days = frozenset(workdays)
    if not days or not days <= frozenset(range(7)):
        raise ValueError(f"workdays must be weekday numbers 0-6, got {sorted(workdays)!r}")
    zone = _zone(tz)
    local_now = now.astimezone(zone)
    ctx = _Context(
        now=local_now,
        zone=zone,
        today=local_now.date(),
        workday_end=workday_end.hour * 60 + workday_end.minute,
        workdays=days,
    )
    normalized = _normalize(text)
    tokens = _tokens(normalized)
    result: datetime | None = None
    last: list[_Token] | None = None
    for phrase in reversed(_phrases(normalized, tokens)):
        try:
            result = _resolve(phrase, ctx)
        except (ValueError, OverflowError):  # 2月30日, year 10000: not a date
            continue
        if result is not None:
            last = phrase
            break
    candidate = _fallback_candidate(normalized, tokens, last)
    if candidate is not None:
        try:
            return _fallback(candidate, ctx) or result
        except (ValueError, OverflowError):
            return result
    return result
