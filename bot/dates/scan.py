"""Find the date terms in a text and group neighbouring ones into phrases.

A phrase is a run of terms joined only by spaces, commas, "at", "on", "by",
"前", "的", brackets and the like ("Friday at 3pm", "明天下午3点", "12月18号
（周五）"). A phrase holds at most one date, or one date and a weekday that
qualifies it, and at most one time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.dates import chinese, english, numeric
from bot.dates.terms import (
    Builder,
    DateTerm,
    Instant,
    Kind,
    Shift,
    TimeTerm,
    Token,
    Unreadable,
    Value,
)

# Numeric forms first, then Chinese, then English: on two equally long matches
# at the same place, the earlier reader wins.
_FORMS: tuple[tuple[re.Pattern[str], Builder, re.Pattern[str] | None], ...] = tuple(
    (
        re.compile(form.pattern, re.ASCII),
        form.build,
        re.compile("|".join(map(re.escape, form.needles))) if form.needles else None,
    )
    for form in numeric.FORMS + chinese.FORMS + english.FORMS
)
_GAP = re.compile(
    r"(?:\s|[,()（）、@\-]|\b(?:at|on|by|before|around|about|in|the|of|t)\b"
    r"|之前|以前|前|的|在|于)*",
    re.ASCII,
)


@dataclass(frozen=True, slots=True)
class Normalized:
    """A text with full-width forms made ASCII and letters lower-cased, mapped to the original."""

    text: str
    source: str
    origins: tuple[int, ...] | None  # the source index of each character; None: one to one

    def quote(self, start: int, end: int) -> str:
        """The original text behind a span of the normalised one."""
        if self.origins is None or start >= end:
            return self.source[start:end].strip()
        return self.source[self.origins[start] : self.origins[end - 1] + 1].strip()


def normalize(text: str) -> Normalized:
    """Full-width digits, letters and punctuation to ASCII (NFKC), then lower case."""
    whole = unicodedata.normalize("NFKC", text).lower()
    if len(whole) == len(text):
        return Normalized(whole, text, None)
    # Some character changed length ("㎏", "ﬁ"): normalise one by one to keep the map.
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        pieces.append(piece)
        origins.extend([index] * len(piece))
    return Normalized("".join(pieces), text, tuple(origins))


def tokens(text: str) -> list[Token]:
    """All recognised terms, leftmost-longest, without overlaps."""
    found: list[tuple[int, int, int, Value]] = []
    for order, (pattern, builder, needles) in enumerate(_FORMS):
        if needles is not None and needles.search(text) is None:
            continue
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
    chosen: list[Token] = []
    last_end = 0
    for start, neg_end, _, value in found:
        if start >= last_end:
            chosen.append(Token(start, -neg_end, value))
            last_end = -neg_end
    return chosen


def _is_day(value: Value) -> bool:
    return isinstance(value, DateTerm | Unreadable)


def _has_clock(value: Value) -> bool:
    if isinstance(value, TimeTerm):
        return value.minutes is not None or value.eod
    return isinstance(value, DateTerm) and value.clock is not None


def _can_join(phrase: list[Token], value: Value) -> bool:
    """Whether a term may extend a phrase ("Friday" + "3pm", "周五" + "12月4日")."""
    values = [t.value for t in phrase]
    if isinstance(value, Shift | Instant) or any(isinstance(v, Shift | Instant) for v in values):
        return False
    if _has_clock(value) and any(_has_clock(v) for v in values):
        return False
    if _is_day(value):
        days = [v for v in values if _is_day(v)]
        if not days:
            return True
        if len(days) > 1:
            return False
        pair = (value, days[0])
        weekdays = [v for v in pair if isinstance(v, DateTerm) and v.kind is Kind.WEEKDAY]
        offsets = [v for v in pair if isinstance(v, DateTerm) and v.kind is Kind.OFFSET]
        return len(weekdays) == 1 and not offsets
    assert isinstance(value, TimeTerm)
    if value.part is not None and value.minutes is None:
        return not any(isinstance(v, TimeTerm) and v.part is not None for v in values)
    return True


def phrases(text: str, found: list[Token]) -> list[list[Token]]:
    """Neighbouring terms grouped into phrases, in text order."""
    grouped: list[list[Token]] = []
    for token in found:
        if grouped:
            last = grouped[-1]
            if _GAP.fullmatch(text, last[-1].end, token.start) and _can_join(last, token.value):
                last.append(token)
                continue
        grouped.append([token])
    return grouped
