"""Neutral Messages as Block Kit, within Slack's limits.

Limits kept here (Slack refuses the whole message otherwise): 50 blocks a
message, 3,000 characters a section text, 10 fields a section and 2,000
characters a field, 150 characters a header, 75 a button label. Long texts
continue in further sections while blocks remain, then end with "…".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.messages import Button, DateSpan, Message, MessageField, Rich, TextSpan
from handlers.slack import mrkdwn

JSON = dict[str, Any]

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
CONTEXT_TEXT = 3000
ACTIONS_PER_BLOCK = 25
# What a notification shows; the blocks carry the whole message.
FALLBACK_TEXT = 3000


@dataclass(frozen=True)
class Rendered:
    """A message ready for chat.postMessage / chat.update / response_url."""

    text: str
    blocks: list[JSON]

    def kwargs(self) -> JSON:
        """As keyword arguments of the Web API methods."""
        return {"text": self.text, "blocks": self.blocks}


def plain_text(text: str, limit: int) -> JSON:
    """A plain_text object, cut to its limit (Slack wants at least one character)."""
    return {"type": "plain_text", "text": mrkdwn.cut(text, limit) or " ", "emoji": True}


def mrkdwn_text(text: str) -> JSON:
    """An mrkdwn text object (the caller keeps it within its limit)."""
    return {"type": "mrkdwn", "text": text or " ", "verbatim": True}


def section(text: str) -> JSON:
    """A section block with mrkdwn text."""
    return {"type": "section", "text": mrkdwn_text(text)}


def header(spans: Rich) -> JSON:
    """A header block from spans that are plain text (dates show their fallback)."""
    return {"type": "header", "text": plain_text(mrkdwn.plain_text(spans), HEADER_TEXT)}


def context(spans: Rich) -> JSON:
    """A context line."""
    return {
        "type": "context",
        "elements": [mrkdwn_text(mrkdwn.limited(spans, CONTEXT_TEXT))],
    }


def _is_plain(spans: Rich) -> bool:
    return all(isinstance(s, TextSpan | DateSpan) for s in spans)


def title_block(spans: Rich) -> JSON:
    """A header where the title is plain text, else a bold section (mentions stay live)."""
    if _is_plain(spans):
        return header(spans)
    bolded: Rich = [
        s.model_copy(update={"bold": True}) if isinstance(s, TextSpan) else s for s in spans
    ]
    return section(mrkdwn.limited(bolded, SECTION_TEXT))


def section_blocks(heading: str | None, body: Rich) -> list[JSON]:
    """A section as one or more blocks: the heading in bold, the body split at 3,000."""
    spans: Rich = []
    if heading:
        spans.append(TextSpan(text=heading, bold=True))
        spans.append(TextSpan(text="\n"))
    spans.extend(body)
    # One character short of the limit, so a last kept block can still take "…".
    pieces = mrkdwn.chunks(spans, SECTION_TEXT - len(mrkdwn.ELLIPSIS))
    return [section(piece) for piece in pieces if piece.strip()]


def field_blocks(fields: list[MessageField]) -> list[JSON]:
    """Labelled values, two to a row, ten to a section."""
    texts = []
    for f in fields:
        spans: Rich = [TextSpan(text=f.label, bold=True), TextSpan(text="\n"), *f.value]
        texts.append(mrkdwn_text(mrkdwn.limited(spans, FIELD_TEXT)))
    return [
        {"type": "section", "fields": texts[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(texts), FIELDS_PER_SECTION)
    ]


def button(b: Button) -> JSON:
    """A button element; its action_id is the ButtonAction, its value the item code."""
    element: JSON = {
        "type": "button",
        "action_id": b.action.value,
        "text": plain_text(b.label, BUTTON_TEXT),
        "value": b.value[:BUTTON_VALUE],
    }
    if b.style:
        element["style"] = b.style
    return element


def actions_blocks(buttons: list[Button]) -> list[JSON]:
    """Buttons in actions blocks of at most 25."""
    return [
        {"type": "actions", "elements": [button(b) for b in buttons[i : i + ACTIONS_PER_BLOCK]]}
        for i in range(0, len(buttons), ACTIONS_PER_BLOCK)
    ]


def _truncate_last(block: JSON) -> JSON:
    return section(block["text"]["text"].rstrip() + mrkdwn.ELLIPSIS)


def message_blocks(message: Message, *, max_blocks: int = MAX_BLOCKS) -> list[JSON]:
    """Title, sections, fields, context and buttons; long sections give way first."""
    head = [title_block(message.title)] if message.title else []
    body: list[JSON] = []
    for s in message.sections:
        body.extend(section_blocks(s.heading, s.body))
    tail = field_blocks(message.fields)
    if message.context:
        tail.append(context(message.context))
    if message.image_title:
        tail.append(context([TextSpan(text=f"📊 {message.image_title}")]))
    tail.extend(actions_blocks(message.buttons))
    room = max_blocks - len(head) - len(tail)
    if room < 1:
        # Only a message of hundreds of fields gets here: keep what fits, in order.
        return (head + body + tail)[:max_blocks]
    if len(body) > room:
        body = body[:room]
        body[-1] = _truncate_last(body[-1])
    return head + body + tail


def fallback_text(message: Message) -> str:
    """The notification text: title and sections, escaped, mentions live."""
    spans: Rich = []
    if message.title:
        spans.extend(message.title)
    for s in message.sections:
        if spans:
            spans.append(TextSpan(text="\n"))
        if s.heading:
            spans.append(TextSpan(text=f"{s.heading}: "))
        spans.extend(s.body)
    if not spans and message.fields:
        for f in message.fields:
            spans.extend([TextSpan(text=f"{f.label}: "), *f.value, TextSpan(text="\n")])
    return mrkdwn.limited(spans, FALLBACK_TEXT) or " "


def render(message: Message) -> Rendered:
    """A Message as notification text plus blocks."""
    return Rendered(text=fallback_text(message), blocks=message_blocks(message))
