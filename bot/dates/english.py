"""Due dates written in English: by Fri 5pm, tomorrow morning, in 1.5 hours, end of March.

The choices this reader makes where SPEC.md is silent:

- "at 3" is a time when the clause ends after it or a date word follows ("at
  3 tomorrow"); "at 5 Main Street" is not.
- "morning", "afternoon", "evening" without a date are a time only after
  "by", "before" and the like ("by the afternoon") or as the whole text:
  "good morning team" is not.
- "sat", "sun", "the 15th" and "the weekend" need such a word before them.
- "midnight" is 23:59 of that day; "evening"/"tonight" alone 21:00.
- "2 hours" or "half an hour" without "in"/"within"/"from now" is a span only
  when it is all the text.
- "mid-month" and "mid-<month>" are the 15th.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.dates.numeric import month_day
from bot.dates.terms import (
    LAST_MINUTE,
    WEEKDAYS_EN,
    Ambiguity,
    DateTerm,
    Form,
    Kind,
    Part,
    Roll,
    TimeTerm,
    Value,
    next_word,
    span,
    trigger_before,
    whole_text,
)

MONTHS = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH_NEEDLES = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_MONTH_INDEX: dict[str, int] = {
    name: index
    for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_PART: dict[str, Part] = {
    "morning": Part.MORNING,
    "afternoon": Part.AFTERNOON,
    "evening": Part.EVENING,
    "night": Part.EVENING,
}
_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fourteen": 14, "twenty": 20, "thirty": 30,
}  # fmt: skip
_MAY_FOLLOWERS = frozenset({"at", "by", "before", "eod", "cob", "noon", "morning", "afternoon"})
_ORDINAL_FOLLOWERS = frozenset({"at", "by", "eod", "cob", "noon", "before", "and"})
# Words that may follow "at 3" for it to stand as a due time on its own.
_AT_FOLLOWERS = frozenset(
    {
        "today", "tomorrow", "tmr", "tmrw", "tonight", "on", "this", "next", "sharp",
        "please", "pls", "latest", "then", "and", "or", "by", "if", "so", "thanks",
        *WEEKDAYS_EN,
    }
)  # fmt: skip


def _b_ampm(m: re.Match[str], text: str) -> Value | None:
    hour = int(m["h"])
    minute = int(m["mi"]) if m["mi"] else 0
    if not 1 <= hour <= 12 or minute > 59:
        return None
    hour %= 12
    if m["ap"].startswith("p"):
        hour += 12
    return TimeTerm(minutes=hour * 60 + minute)


def _b_oclock(m: re.Match[str], text: str) -> Value | None:
    hour = int(m["h"])
    if hour > 23:
        return None
    ambiguity = Ambiguity.BARE if hour <= 12 else Ambiguity.NONE
    return TimeTerm(minutes=hour * 60, ambiguity=ambiguity)


def _b_at_hour(m: re.Match[str], text: str) -> Value | None:
    hour = int(m["h"])
    if hour > 23:
        return None
    ambiguity = Ambiguity.BARE if hour <= 12 else Ambiguity.NONE
    # "at 5 Main Street" is an address: alone it needs the clause to end or a date word.
    word = next_word(text, m.end())
    ends = not text[m.end() : m.end() + 1].isalnum()
    alone = ends if word is None else word in _AT_FOLLOWERS
    return TimeTerm(minutes=hour * 60, ambiguity=ambiguity, alone=alone)


def _b_noon(m: re.Match[str], text: str) -> Value | None:
    return TimeTerm(minutes=LAST_MINUTE if m["w"] == "midnight" else 12 * 60)


def _b_part(m: re.Match[str], text: str) -> Value | None:
    alone = trigger_before(text, m.start()) or whole_text(text, m.start(), m.end())
    return TimeTerm(part=_PART[m["w"]], alone=alone)


def _b_first_thing(m: re.Match[str], text: str) -> Value | None:
    return TimeTerm(part=Part.MORNING)


def _b_eod(m: re.Match[str], text: str) -> Value | None:
    return TimeTerm(eod=True)


def _b_this_part(m: re.Match[str], text: str) -> Value | None:
    return DateTerm(Kind.RELATIVE, part=_PART[m["w"]])


_REL_DAY: dict[str, tuple[int, Part | None]] = {
    "today": (0, None), "tonight": (0, Part.EVENING), "tomorrow": (1, None),
    "tmrw": (1, None), "tmr": (1, None), "tomorow": (1, None), "tommorow": (1, None),
    "tommorrow": (1, None), "yesterday": (-1, None),
}  # fmt: skip


def _b_rel_day(m: re.Match[str], text: str) -> Value | None:
    word = m["w"]
    if "after" in word:
        return DateTerm(Kind.RELATIVE, offset=2)
    offset, part = _REL_DAY[word]
    return DateTerm(Kind.RELATIVE, offset=offset, part=part)


def _b_weekday(m: re.Match[str], text: str) -> Value | None:
    word, rel = m["wd"], m["rel"]
    # "sat" and "sun" are everyday words; take them only where a date is expected.
    if word in ("sat", "sun") and rel is None and not trigger_before(text, m.start()):
        return None
    weekday = WEEKDAYS_EN[word]
    if rel is None or rel in ("coming", "upcoming") or rel.startswith("this "):
        return DateTerm(Kind.WEEKDAY, roll=Roll.INSTANT, weekday=weekday)
    offset = {"this": 0, "next": 1, "last": -1}[rel]
    return DateTerm(Kind.WEEKDAY, weekday=weekday, offset=offset)


_PERIOD_KIND: dict[str, Kind] = {
    "week": Kind.WEEK_END, "eow": Kind.WEEK_END, "month": Kind.MONTH_END,
    "eom": Kind.MONTH_END, "year": Kind.YEAR_END, "eoy": Kind.YEAR_END,
}  # fmt: skip


def _b_period(m: re.Match[str], text: str) -> Value | None:
    if m["u1"] is not None:
        if m["nx"] is not None or m["th"] is not None:
            return DateTerm(_PERIOD_KIND[m["u1"]], offset=0 if m["nx"] is None else 1)
        return DateTerm(_PERIOD_KIND[m["u1"]], roll=Roll.INSTANT)
    if m["abbr"] is not None:
        return DateTerm(_PERIOD_KIND[m["abbr"]], roll=Roll.INSTANT)
    if m["u2"] is not None:
        return DateTerm(_PERIOD_KIND[m["u2"]], roll=Roll.INSTANT)
    return DateTerm(_PERIOD_KIND[m["u3"]], offset=1 if m["rel"] == "next" else 0)


def _year(raw: str | None) -> int | None:
    return int(raw) if raw is not None else None


def _b_end_of_month(m: re.Match[str], text: str) -> Value | None:
    month = _MONTH_INDEX[m["mon"][:3]]
    if m["y"] is not None:
        return DateTerm(Kind.MONTH_END, year=int(m["y"]), month=month)
    return DateTerm(Kind.MONTH_END, roll=Roll.DAY, month=month)


def _b_middle(m: re.Match[str], text: str) -> Value | None:
    if m["mon"] is None:
        return DateTerm(Kind.DAY_OF_MONTH, roll=Roll.DAY, day=15)
    return month_day(_MONTH_INDEX[m["mon"][:3]], 15, None)


def _b_weekend(m: re.Match[str], text: str) -> Value | None:
    rel = m["rel"]
    if rel is None:
        if not trigger_before(text, m.start()):
            return None
        return DateTerm(Kind.WEEK_END, roll=Roll.INSTANT)
    return DateTerm(Kind.WEEK_END, offset=1 if rel == "next" else 0)


_UNITS: dict[str, str] = {
    "minute": "min", "minutes": "min", "min": "min", "mins": "min",
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "h": "h",
    "day": "d", "days": "d", "d": "d",
    "week": "w", "weeks": "w", "wk": "w", "wks": "w", "w": "w", "fortnight": "2w",
    "fortnights": "2w",
    "month": "m", "months": "m",
}  # fmt: skip
_HALF = Decimal("0.5")


def _span_count(m: re.Match[str]) -> Decimal | None:
    if m["nd"] is not None:
        return Decimal(m["nd"])
    words = m["nw"].split()
    if len(m["u"]) == 1:  # "in a d..." is no duration
        return None
    if "half" in words:
        return _HALF
    return Decimal(2 if "couple" in words else _NUMBERS[words[0]])


def _b_span(m: re.Match[str], text: str) -> Value | None:
    if m["pre"] is None and m["post"] is None and not whole_text(text, m.start(), m.end()):
        return None
    unit = _UNITS[m["u"]]
    count = _span_count(m)
    if count is None:
        return None
    if m["and"] is not None or m["tail"] is not None:
        if count % 1:  # "half an hour and a half"
            return None
        count += _HALF
    if m["mi"] is not None:
        if unit != "h" or int(m["mi"]) > 59:
            return None
        count += Decimal(int(m["mi"])) / 60
    if m["biz"] is not None:
        if unit != "d":
            return None
        unit = "wd"
    if unit == "2w":
        count, unit = 2 * count, "w"
    return span(count, unit)


def _b_month_day(m: re.Match[str], text: str) -> Value | None:
    return month_day(_MONTH_INDEX[m["mon"][:3]], int(m["d"]), _year(m["y"]))


def _b_day_month(m: re.Match[str], text: str) -> Value | None:
    if m["mon"] == "may" and m["y"] is None:
        # "2 may be late": the modal verb, unless a time word follows.
        word = next_word(text, m.end())
        if word is not None and word not in _MAY_FOLLOWERS:
            return None
    return month_day(_MONTH_INDEX[m["mon"][:3]], int(m["d"]), _year(m["y"]))


def _b_ordinal(m: re.Match[str], text: str) -> Value | None:
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    if m["rel"] is not None:
        return DateTerm(Kind.DAY_OF_MONTH, day=day, offset=0 if m["rel"] == "this" else 1)
    if not trigger_before(text, m.start()):
        return None
    word = next_word(text, m.end())
    if word is not None and word not in _ORDINAL_FOLLOWERS:
        return None  # "on the 3rd floor"
    return DateTerm(Kind.DAY_OF_MONTH, roll=Roll.DAY, day=day)


_SPAN_WORDS = (
    r"an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|twenty"
    r"|thirty|(?:a\s+)?couple(?:\s+of)?|half\s+an?|a\s+half"
)
_SPAN_UNITS = r"minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|fortnights?|months?"
_WEEKDAY_WORDS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue"
    r"|weds|wed|thurs|thur|thu|fri|sat|sun"
)

FORMS: tuple[Form, ...] = (
    Form(
        r"(?<![\d:.])(?P<h>\d{1,2})(?:[:.](?P<mi>\d{2}))?\s*(?P<ap>a\.?m\b\.?|p\.?m\b\.?)",
        _b_ampm,
        ("am", "pm", "a.m", "p.m"),
    ),
    Form(r"(?<![\d:.])(?P<h>\d{1,2})\s*o'?\s?clock\b", _b_oclock, ("clock",)),
    Form(
        r"\bat\s+(?P<h>\d{1,2})(?![\d:.%])(?!\s*(?:am|pm|a\.m|p\.m|o'?\s?clock|%))",
        _b_at_hour,
        ("at",),
    ),
    Form(r"\b(?:12\s*)?(?P<w>noon|midday|midnight)\b", _b_noon, ("noon", "midday", "midnight")),
    Form(
        r"\b(?:in\s+the\s+)?(?P<w>morning|afternoon|evening|night)\b",
        _b_part,
        ("morning", "afternoon", "evening", "night"),
    ),
    Form(r"\bfirst\s+thing(?:\s+in\s+the\s+morning)?\b", _b_first_thing, ("first",)),
    Form(
        r"\b(?:eod|cob|eob|(?:close|end)\s+of\s+(?:business|play)"
        r"|end\s+of\s+(?:the\s+)?(?:business\s+|work(?:ing)?\s+)?day)\b",
        _b_eod,
        ("eod", "cob", "eob", "of"),
    ),
    Form(r"\bthis\s+(?P<w>morning|afternoon|evening)\b", _b_this_part, ("this",)),
    Form(
        r"\b(?:end\s+of\s+)?(?P<w>(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw|tmr)|today"
        r"|tonight|tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow|yesterday)\b",
        _b_rel_day,
        ("tod", "ton", "tom", "tmr", "yesterday", "day after"),
    ),
    Form(
        r"(?<!')\b(?:(?P<rel>this\s+coming|this|next|coming|upcoming|last)\s+)?"
        rf"(?P<wd>{_WEEKDAY_WORDS})\b\.?",
        _b_weekday,
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    ),
    Form(
        r"\b(?:(?:the\s+)?end\s+of\s+(?:(?P<nx>next)|(?P<th>this)|the)?\s*(?P<u1>week|month|year)"
        r"|(?P<abbr>eow|eom|eoy)|(?P<u2>week|month|year)[\s-]end"
        r"|(?P<rel>this|next)\s+(?P<u3>week|month))\b",
        _b_period,
        ("end", "eow", "eom", "eoy", "week", "month"),
    ),
    Form(
        rf"\b(?:the\s+)?end\s+of\s+{MONTHS}\b\.?(?:\s*,?\s*(?P<y>\d{{4}})\b)?",
        _b_end_of_month,
        ("end",),
    ),
    Form(rf"\bmid[\s-]?(?:month\b|{MONTHS}\b\.?)", _b_middle, ("mid",)),
    Form(r"\b(?:(?P<rel>this|next)\s+|the\s+)?weekend\b", _b_weekend, ("weekend",)),
    Form(
        r"\b(?:(?P<pre>in|within|after)\s+)?"
        rf"(?:(?P<nd>\d{{1,6}}(?:\.\d{{1,2}})?|\.\d{{1,2}})\s*|(?P<nw>{_SPAN_WORDS})\s+)"
        r"(?P<and>and\s+a\s+half\s+)?(?P<biz>business\s+|working\s+|work\s+)?"
        rf"(?P<u>{_SPAN_UNITS})(?![a-z])(?P<tail>\s+and\s+a\s+half)?"
        r"(?:\s*(?:and\s+)?(?P<mi>\d{1,2})\s*(?:minutes?|mins?|m)(?![a-z]))?"
        r"(?P<post>\s+from\s+(?:now|today))?",
        _b_span,
        (),
    ),
    Form(
        rf"\b{MONTHS}\b\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s*,?\s*(?P<y>\d{{4}})\b)?",
        _b_month_day,
        _MONTH_NEEDLES,
    ),
    Form(
        rf"\b(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{MONTHS}\b\.?"
        r"(?:\s*,?\s*(?P<y>\d{4})\b)?",
        _b_day_month,
        _MONTH_NEEDLES,
    ),
    Form(
        r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
        r"(?:\s+of\s+(?P<rel>this|next|the\s+next)\s+month\b)?",
        _b_ordinal,
        ("st", "nd", "rd", "th"),
    ),
)
