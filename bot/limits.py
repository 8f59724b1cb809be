"""What the core stores of people's text: no control characters, and items of a bounded size.

Every text a person or a platform hands the core passes through here before
it is stored: C0 control characters other than tab and newline are dropped (a
NUL byte is refused by PostgreSQL, and none of them means anything in a
chat), and an item's text over :data:`ITEM_TEXT_LIMIT` is refused, naming the
limit, so nothing is cut silently.
"""

from __future__ import annotations

import re

from bot.domain import InvalidInput

ITEM_TEXT_LIMIT = 4_000
# Text that is recorded rather than filed (thread replies): never refused, kept to a chat
# message's own size so a runaway payload cannot fill the database.
RECORDED_TEXT_LIMIT = 40_000
# All of C0 but tab (U+0009) and newline (U+000A).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ELLIPSIS = "…"


def clean(text: str) -> str:
    """The text without C0 control characters other than tab and newline."""
    return _CONTROL.sub("", text)


def clean_optional(text: str | None) -> str | None:
    """`clean` for optional values: None stays None."""
    return None if text is None else clean(text)


def bounded(text: str, *, limit: int = ITEM_TEXT_LIMIT) -> str:
    """Cleaned text, refused when longer than `limit` characters (the message names it)."""
    cleaned = clean(text)
    if len(cleaned) > limit:
        raise InvalidInput("err.text_too_long", length=f"{len(cleaned):,}", limit=f"{limit:,}")
    return cleaned


def bounded_optional(text: str | None, *, limit: int = ITEM_TEXT_LIMIT) -> str | None:
    """`bounded` for optional values: None stays None."""
    return None if text is None else bounded(text, limit=limit)


def fitted(text: str, limit: int) -> str:
    """Cleaned text cut to `limit` characters (with "…"), for what cannot be refused."""
    cleaned = clean(text)
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[: limit - len(_ELLIPSIS)] + _ELLIPSIS
