"""Bot messages as the Block Kit Slack would get, summarised for a terminal (the demo).

Each message goes through the Slack adapter's renderer, so the demo shows
what would really be sent: one line per block, tagged with its type, with
mentions, channels and dates read back as a person would see them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.messages import Message
from handlers.slack.blocks import message_blocks
from handlers.slack.mrkdwn import unescape

_MARKUP = re.compile(r"<([^<>]*)>")
_TAG_WIDTH = 8


def readable(mrkdwn: str, names: Mapping[str, str]) -> str:
    """Slack mrkdwn as a person reads it: @names, #channels, dates, links."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner.startswith("@"):
            return "@" + names.get(inner[1:].split("|")[0], inner[1:])
        if inner.startswith("#"):
            return "#" + names.get(inner[1:].split("|")[0], inner[1:])
        if inner.startswith("!date^"):
            return inner.split("|", 1)[1] if "|" in inner else inner
        if "|" in inner:
            return inner.split("|", 1)[1] + " ↗"
        return inner

    return unescape(_MARKUP.sub(replace, mrkdwn))


def _text(obj: Any) -> str:
    return str(obj.get("text") or "") if isinstance(obj, dict) else ""


def _field(text: str) -> str:
    """`*Label*\nvalue` as `Label: value`."""
    label, _, value = text.partition("\n")
    if len(label) > 2 and label.startswith("*") and label.endswith("*"):
        label = label[1:-1]
    return f"{label}: {value}"


def block_lines(block: dict[str, Any], names: Mapping[str, str]) -> tuple[str, list[str]]:
    """A block's type tag and its content as lines."""
    kind = str(block.get("type"))
    if kind == "header":
        return kind, [_text(block.get("text"))]
    if kind == "section" and "fields" in block:
        pairs = [_field(readable(_text(f), names)) for f in block["fields"]]
        return "fields", ["   ".join(pairs[i : i + 2]) for i in range(0, len(pairs), 2)]
    if kind == "section":
        return kind, readable(_text(block.get("text")), names).splitlines() or [""]
    if kind == "context":
        return kind, [" ".join(readable(_text(e), names) for e in block.get("elements", []))]
    if kind == "actions":
        labels = [f"[{_text(e.get('text'))}]" for e in block.get("elements", [])]
        return kind, ["  ".join(labels)]
    if kind == "divider":
        return kind, ["─" * 20]
    return kind, [f"({kind} block)"]


def message_text(message: Message, names: Mapping[str, str], indent: str = "    ") -> str:
    """A message as its Block Kit, one tagged line per block (continuations indented)."""
    lines: list[str] = []
    for block in message_blocks(message):
        tag, content = block_lines(block, names)
        for n, line in enumerate(content):
            label = tag if n == 0 else ""
            lines.append(f"{indent}{label:<{_TAG_WIDTH}}│ {line}")
    return "\n".join(lines)
