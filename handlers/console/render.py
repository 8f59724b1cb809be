"""Neutral messages as readable terminal text (the demo and the console adapter)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.messages import (
    ChannelSpan,
    DateSpan,
    LinkSpan,
    MentionSpan,
    Message,
    Rich,
    TextSpan,
)


def spans_text(spans: Rich, names: Mapping[str, str]) -> str:
    """Spans with people and channels by name."""
    out: list[str] = []
    for span in spans:
        if isinstance(span, TextSpan):
            out.append(f"*{span.text}*" if span.bold else span.text)
        elif isinstance(span, MentionSpan):
            out.append("@" + names.get(span.user_id, span.user_id))
        elif isinstance(span, ChannelSpan):
            out.append("#" + names.get(span.channel_id, span.channel_id))
        elif isinstance(span, LinkSpan):
            out.append(f"<{span.label}>")
        elif isinstance(span, DateSpan):
            out.append(span.fallback)
    return "".join(out)


def message_text(message: Message, names: Mapping[str, str], indent: str = "    ") -> str:
    """A message as an indented block: title, sections, fields, buttons, context."""
    lines: list[str] = []
    if message.title:
        lines.append(spans_text(message.title, names))
    for section in message.sections:
        body = spans_text(section.body, names)
        if section.heading:
            lines.append(f"[{section.heading}]")
        lines.extend(body.splitlines() or [""])
    if message.fields:
        pairs = [f"{f.label}: {spans_text(f.value, names)}" for f in message.fields]
        for i in range(0, len(pairs), 2):
            lines.append("   ".join(pairs[i : i + 2]))
    if message.buttons:
        lines.append("  ".join(f"[{b.label}]" for b in message.buttons))
    if message.context:
        lines.append(spans_text(message.context, names))
    if message.image_title:
        lines.append(f"(chart: {message.image_title})")
    return "\n".join(indent + line for line in lines)
