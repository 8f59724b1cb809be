"""dateparser, for English phrases after "by"/"on"/"due" that the expressions miss.

It is imported on first need (the import and its first parse are slow) and
only sees a few words that hold a date word, so "by 3 pallets" never reaches
it and the same text always gives the same answer.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.calendar import localize
from bot.dates.resolve import Context
from bot.dates.terms import TimeTerm, Token

_CANDIDATE = re.compile(
    r"\b(?:by|before|on|due|until|till)\s+([a-z0-9][a-z0-9 ,:'.\-]{1,47})", re.ASCII
)
_MONTH_WORDS = frozenset(
    {
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december",
    }
)  # fmt: skip
_VOCABULARY = _MONTH_WORDS | frozenset(
    {
        "today", "tomorrow", "tonight", "yesterday", "noon", "midnight", "morning",
        "afternoon", "evening", "night", "day", "days", "week", "weeks", "weekend",
        "fortnight", "month", "months", "year", "years", "hour", "hours", "minute",
        "minutes", "am", "pm", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday",
    }
)  # fmt: skip
# One dateparser call takes about 1 ms once warm; a count, not a clock, bounds the work.
_MAX_TRIES = 3
_MAX_WORDS = 5


def candidate(text: str, found: list[Token], last: list[Token] | None) -> tuple[int, int] | None:
    """Where the English text after the last "by"/"on"/"due"... lies, if dateparser may read it.

    With no phrase found, the text after the last such word. When the last
    phrase is only a time ("by december the 1st at 3pm" found "3pm"), the text
    from that word to the time, if it names a month the expressions missed.
    """
    end = len(text) if last is None else last[-1].end
    matches = list(_CANDIDATE.finditer(text, 0, end))
    if not matches:
        return None
    match = matches[-1]
    if last is None:
        return match.start(1), match.end(1)
    if any(not _time_only(t) for t in last):
        return None
    start = match.start(1)
    if start >= last[0].start or any(start <= t.start < last[0].start for t in found):
        return None
    if not any(word in _MONTH_WORDS for word in re.findall(r"[a-z]+", text[start : last[0].start])):
        return None
    return start, end


def _time_only(token: Token) -> bool:
    return isinstance(token.value, TimeTerm)


def read(span: str, ctx: Context) -> datetime | None:
    """dateparser on an English candidate phrase, guarded against counts and slowness."""
    words = re.split(r"[\s,]+", span.strip(" ,.'-"))[:_MAX_WORDS]
    # Only spans holding a date word go to dateparser, so "by 3 pallets" never does.
    spans = [
        " ".join(words[:n])
        for n in range(len(words), 0, -1)
        if any(w.strip(".:'") in _VOCABULARY for w in words[:n])
    ][:_MAX_TRIES]
    if not spans:
        return None
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
    for text in spans:
        data = parser.get_date_data(text)
        found = data.date_obj
        if not isinstance(found, datetime) or found.tzinfo is not None:
            continue
        if abs(found.year - ctx.today.year) > 5:
            continue
        if data.period == "time":
            return localize(found.replace(second=0, microsecond=0), ctx.zone)
        return ctx.at(found.date(), ctx.workday_end)
    return None
