"""Lines that fit a terminal: display width (CJK characters take two columns) and wrapping."""

from __future__ import annotations

import unicodedata

WIDTH = 100
_TAG_BAR = "│ "


def display_width(text: str) -> int:
    """Columns a terminal gives the text: wide and full-width characters count twice."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch) or ch == "\u200b":
            continue
        if ch == "\ufe0f":  # emoji presentation: the symbol before it takes two columns
            total += 1
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _continuation(line: str) -> str:
    """What a wrapped line's continuations start with: under the text after a `tag │`,
    else under the line's own indentation, two further in."""
    bar = line.find(_TAG_BAR)
    if 0 <= bar <= 20:
        return " " * display_width(line[:bar]) + _TAG_BAR
    indent = len(line) - len(line.lstrip(" "))
    return " " * (indent + 2)


def _between_words(text: str, space: int) -> bool:
    """A space between two Latin words (in Chinese a space sets off a number or a name and
    is no place to break)."""
    before = text[space - 1] if space > 0 else ""
    after = text[space + 1] if space + 1 < len(text) else ""
    return all(ch and display_width(ch) == 1 for ch in (before, after))


def wrap(line: str, width: int = WIDTH) -> list[str]:
    """The line cut into pieces of at most `width` columns; words are kept whole where a
    space allows (Chinese text breaks between any two characters)."""
    if display_width(line) <= width:
        return [line]
    lead = _continuation(line)
    out: list[str] = []
    rest, prefix = line, ""
    while display_width(prefix + rest) > width:
        room = width - display_width(prefix)
        cut, used = 0, 0
        for i, ch in enumerate(rest):
            used += display_width(ch)
            if used > room:
                break
            cut = i + 1
        space = rest.rfind(" ", 0, cut + 1)
        if space > cut * 0.6 and rest[:space].strip() and _between_words(rest, space):
            cut = space
        out.append((prefix + rest[:cut]).rstrip())
        rest, prefix = rest[cut:].lstrip(" "), lead
    if rest:
        out.append(prefix + rest)
    return out
