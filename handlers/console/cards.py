"""Feishu cards drawn in a terminal (`xdept demo --platform feishu`).

The message is rendered by the Feishu adapter into the card JSON it would
send (handlers.feishu.cards, which needs no SDK), and that card is drawn as a
box: the header's title, each markdown block, fields side by side, buttons in
brackets, footnotes marked with a dot. Mentions (`<at id=...>`) show the
person's name. Lines are wrapped by display width (a Chinese character takes
two columns) so that nothing passes `WIDTH` columns.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from itertools import zip_longest
from typing import Any

from bot.messages import Message
from handlers.console import width
from handlers.console.width import WIDTH, display_width
from handlers.feishu import cards

JSON = dict[str, Any]

_AT = re.compile(r"<at id=([^>]*)></at>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[a-z_]+[^>]*>")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|])")


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` columns, continuations flush left (inside a box)."""
    return [
        piece.lstrip(" ") if n else piece
        for raw in text.splitlines() or [""]
        for n, piece in enumerate(width.wrap(raw, columns))
    ]


def readable(markdown: str, names: Mapping[str, str]) -> str:
    """Card markdown as a person reads it: names for mentions, link texts, no markup."""
    text = _AT.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), markdown)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _TAG.sub("", text).replace("**", "")
    return html.unescape(_ESCAPED.sub(r"\1", text))


def _pad(text: str, columns: int) -> str:
    return text + " " * max(columns - display_width(text), 0)


def _element(element: JSON, names: Mapping[str, str], columns: int) -> list[str]:
    tag = element.get("tag")
    if tag == "markdown":
        text = readable(str(element.get("content", "")), names)
        if element.get("text_size") == "notation":
            return wrap("· " + text, columns)
        return wrap(text, columns)
    if tag == "button":
        return [f"[{element.get('text', {}).get('content', '')}]"]
    if tag == "column_set":
        parts = [
            [line for e in column.get("elements", []) for line in _element(e, names, columns)]
            for column in element.get("columns", [])
        ]
        if all(p and all(line.startswith("[") for line in p) for p in parts):
            return wrap(" ".join(line for p in parts for line in p), columns)
        share = max((columns - 3 * (len(parts) - 1)) // max(len(parts), 1), 8)
        wrapped = [[w for line in p for w in wrap(line, share)] for p in parts]
        return [
            " │ ".join(_pad(cell or "", share) for cell in row).rstrip()
            for row in zip_longest(*wrapped)
        ]
    return [f"({tag})"]


def card_lines(card: JSON, names: Mapping[str, str], *, columns: int) -> list[str]:
    """A card drawn in a box `columns` wide."""
    inner = columns - 4
    colour = card.get("header", {}).get("template")
    top = f"╭─ Feishu card · {colour} " if colour else "╭─ Feishu card "
    lines = [top + "─" * (columns - 1 - display_width(top)) + "╮"]
    title = card.get("header", {}).get("title", {}).get("content")
    if title:
        lines += [f"│ {_pad(line, inner)} │" for line in wrap(title, inner)]
        lines.append("├" + "─" * (columns - 2) + "┤")
    for element in card.get("body", {}).get("elements", []):
        lines += [f"│ {_pad(line, inner)} │" for line in _element(element, names, inner)]
    lines.append("╰" + "─" * (columns - 2) + "╯")
    return lines


def card_text(message: Message, names: Mapping[str, str], indent: str = "    ") -> str:
    """A message as the Feishu card xdept would send, drawn within WIDTH columns."""
    card = cards.render(message)
    return "\n".join(indent + line for line in card_lines(card, names, columns=WIDTH - len(indent)))
