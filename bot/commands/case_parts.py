"""The optional parts of a request's case, read out of its text: impact and suggestion.

`ask @logistics relabel the pallets by Friday impact: 12 customer complaints this
week suggest: print labels at the dock` files "relabel the pallets by Friday" with
its impact and suggestion apart, so the escalation's four parts can use them. A
part starts at its marker (`impact:`, `影响：`, `suggest:`, `建议：`...) and runs to
the next marker or the end; the text before the first marker is the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["STATUS_NAMES", "CaseParts", "split_case", "split_parts"]

_IMPACT = ("impact", "影响", "影响范围")
_SUGGESTION = ("suggest", "suggestion", "建议")
_NAMES = {**{w: "impact" for w in _IMPACT}, **{w: "suggestion" for w in _SUGGESTION}}
# A four-part status adds its other two parts.
STATUS_NAMES = {
    **_NAMES,
    **{w: "background" for w in ("background", "背景")},
    **{w: "current" for w in ("current", "current state", "state", "现状", "进展")},
}
_TRIM = " \t\n,，;；"


def _marker(names: dict[str, str]) -> re.Pattern[str]:
    # A marker stands at the start, after a space or after punctuation, and ends in a
    # colon (half- or full-width); "impacts" or "建议书" without a colon are plain words.
    words = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=[\s,，.。;；、()（）]))({words})\s*[:：]", re.IGNORECASE)


_MARKERS = {id(_NAMES): _marker(_NAMES), id(STATUS_NAMES): _marker(STATUS_NAMES)}


@dataclass(frozen=True)
class CaseParts:
    """The request's own text and the parts found after it (None when absent)."""

    text: str
    impact: str | None = None
    suggestion: str | None = None


def split_parts(text: str, names: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The text before the first marker, and each marked part (the first of a kind counts)."""
    pattern = _MARKERS.get(id(names)) or _marker(names)
    marks = list(pattern.finditer(text))
    if not marks:
        return text, {}
    parts: dict[str, str] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        value = text[mark.end() : end].strip(_TRIM)
        name = names[mark.group(1).lower()]
        if value and name not in parts:
            parts[name] = value
    return text[: marks[0].start()].rstrip(_TRIM), parts


def split_case(text: str) -> CaseParts:
    """A request's text, its impact and its suggestion."""
    head, parts = split_parts(text, _NAMES)
    return CaseParts(text=head, impact=parts.get("impact"), suggestion=parts.get("suggestion"))
