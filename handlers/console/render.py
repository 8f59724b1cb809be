"""Bot messages as plain text for a terminal (the demo): the neutral models, read by a person.

Each part of a message is one tagged line (title, text, fields, buttons, a
footnote), with mentions and channels shown by name and dates as the reader
would see them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.messages import Message, Rich, plain

_TAG_WIDTH = 8
# Commands in the bot's texts are marked as code (`/xdept due XD-1 <when>`); a terminal
# shows them as they are typed, without the marks.
_CODE = re.compile(r"`([^`\n]*)`")


def without_code_marks(text: str) -> str:
    """The text as a terminal shows it: `/xdept due XD-1` without its code marks."""
    return _CODE.sub(r"\1", text)


def _spans(spans: Rich, names: Mapping[str, str]) -> str:
    return without_code_marks(plain(spans, dict(names)))


def message_parts(message: Message, names: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """A message's parts in reading order: a tag and the lines of each."""
    parts: list[tuple[str, list[str]]] = []
    if message.title:
        parts.append(("title", _spans(message.title, names).splitlines() or [""]))
    for section in message.sections:
        body = _spans(section.body, names).splitlines() or [""]
        if section.heading:
            body = [f"【{section.heading}】", *body]
        parts.append(("text", body))
    if message.fields:
        pairs = [f"{f.label}: {_spans(f.value, names)}" for f in message.fields]
        parts.append(("fields", ["   ".join(pairs[i : i + 2]) for i in range(0, len(pairs), 2)]))
    if message.buttons:
        parts.append(("buttons", ["  ".join(f"[{b.label}]" for b in message.buttons)]))
    if message.context:
        parts.append(("note", _spans(message.context, names).splitlines() or [""]))
    if message.image_title:
        parts.append(("image", [message.image_title]))
    return parts


def message_text(message: Message, names: Mapping[str, str], indent: str = "    ") -> str:
    """A message as tagged lines (continuations indented under the first)."""
    lines: list[str] = []
    for tag, content in message_parts(message, names):
        for n, line in enumerate(content):
            label = tag if n == 0 else ""
            lines.append(f"{indent}{label:<{_TAG_WIDTH}}│ {line}")
    return "\n".join(lines)
