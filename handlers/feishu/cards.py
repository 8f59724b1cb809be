"""Neutral Messages as Feishu cards (JSON 2.0), within Feishu's limits.

Every card declares ``config.update_multi: true`` so it can be edited for
everyone later. Feishu refuses a card over 30 KB on the wire and one with more
than 200 components; text sections give way first (cut cleanly with "…", the
same cut for each, so no section vanishes while another stays whole), then
trailing sections; fields too many to leave room for the first sections are
cut first. Only documented properties are used: Feishu refuses
unknown ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.domain import Reaction
from bot.messages import (
    Button,
    DateSpan,
    Message,
    MessageField,
    MessageKind,
    ReactionSpan,
    Rich,
    TextSpan,
)
from handlers.feishu import markdown
from handlers.slack.mrkdwn import ELLIPSIS, cut

JSON = dict[str, Any]
# Reaction keys by what they mean ("OnIt", "Get" acknowledge).
Reactions = Mapping[Reaction, tuple[str, ...]]

# Bytes of the card as the `content` string of a request body; Feishu's limit for the
# whole body is 30 KB, so this leaves room for the receiver, the uuid and the keys.
CARD_LIMIT = 28 * 1024
MAX_COMPONENTS = 200
HEADER_TEXT = 100
BUTTON_TEXT = 40
SUMMARY_TEXT = 100
# Sections a card keeps before its fields give way, when both are too many components.
KEPT_SECTIONS = 10

_TEMPLATES = {
    MessageKind.TRACKING: "blue",
    MessageKind.ERROR: "red",
    MessageKind.DELIVERY_FAILURE: "red",
    MessageKind.ESCALATION: "red",
    MessageKind.ESCALATION_SUGGESTION: "orange",
    MessageKind.OVERDUE: "orange",
    MessageKind.UNANSWERED: "orange",
    MessageKind.DUE_SOON: "yellow",
    MessageKind.STANDUP: "wathet",
    MessageKind.SUMMARY: "indigo",
    MessageKind.HELP: "turquoise",
}


def content(card: JSON) -> str:
    """A card as the `content` string of a message (compact JSON, Chinese as is)."""
    return json.dumps(card, ensure_ascii=False, separators=(",", ":"))


def wire_size(card: JSON) -> int:
    """Bytes the card takes inside a request body (its content string, escaped again)."""
    return len(json.dumps(content(card), ensure_ascii=False).encode("utf-8"))


def shell(elements: list[JSON], *, header: JSON | None = None, summary: str = "") -> JSON:
    """A shared JSON 2.0 card around body elements."""
    config: JSON = {"update_multi": True}
    if summary.strip():
        config["summary"] = {"content": cut(summary.strip(), SUMMARY_TEXT)}
    card: JSON = {"schema": "2.0", "config": config}
    if header is not None:
        card["header"] = header
    card["body"] = {"elements": elements}
    return card


def header(title: str, *, template: str = "blue") -> JSON:
    """A coloured header with a plain-text title."""
    return {
        "title": {"tag": "plain_text", "content": cut(title, HEADER_TEXT) or " "},
        "template": template,
    }


def md(text: str, *, size: str | None = None) -> JSON:
    """A markdown component."""
    element: JSON = {"tag": "markdown", "content": text or " "}
    if size:
        element["text_size"] = size
    return element


def button(b: Button) -> JSON:
    """A callback button; the click carries {"action": ..., "value": ...}."""
    return {
        "tag": "button",
        "text": {"tag": "plain_text", "content": cut(b.label, BUTTON_TEXT) or " "},
        "type": b.style or "default",
        "behaviors": [{"type": "callback", "value": {"action": b.action.value, "value": b.value}}],
    }


def buttons_row(buttons: list[Button]) -> list[JSON]:
    """Buttons side by side, wrapping on narrow screens."""
    if not buttons:
        return []
    columns = [{"tag": "column", "width": "auto", "elements": [button(b)]} for b in buttons]
    return [{"tag": "column_set", "flex_mode": "flow", "columns": columns}]


def _is_plain(spans: Rich) -> bool:
    return all(isinstance(s, TextSpan | DateSpan) for s in spans)


def _text(spans: Rich, cap: int | None) -> str:
    return markdown.render(spans) if cap is None else markdown.limited(spans, cap)


def _field_rows(fields: list[MessageField], cap: int | None) -> list[JSON]:
    rows = []
    for i in range(0, len(fields), 2):
        columns = []
        for f in fields[i : i + 2]:
            spans: Rich = [TextSpan(text=f.label, bold=True), TextSpan(text="\n"), *f.value]
            element = md(_text(spans, cap))
            columns.append(
                {"tag": "column", "width": "weighted", "weight": 1, "elements": [element]}
            )
        rows.append({"tag": "column_set", "flex_mode": "bisect", "columns": columns})
    return rows


def _section(heading: str | None, body: Rich, cap: int | None) -> JSON | None:
    spans: Rich = []
    if heading:
        spans += [TextSpan(text=heading, bold=True), TextSpan(text="\n")]
    spans += body
    text = _text(spans, cap)
    return md(text) if text.strip() else None


def _components(elements: list[JSON]) -> int:
    count = 0
    for element in elements:
        count += 1
        for column in element.get("columns", []):
            count += _components(column["elements"])
    return count


def _build(message: Message, cap: int | None, keep: int, fields: int | None = None) -> JSON:
    top: JSON | None = None
    elements: list[JSON] = []
    if message.title and _is_plain(message.title):
        top = header(markdown.plain_text(message.title), template=_template(message.kind))
    elif message.title:
        bolded: Rich = [
            s.model_copy(update={"bold": True}) if isinstance(s, TextSpan) else s
            for s in message.title
        ]
        elements.append(md(_text(bolded, cap)))
    sections = [s for s in (_section(x.heading, x.body, cap) for x in message.sections[:keep]) if s]
    if keep < len(message.sections):
        sections.append(md(ELLIPSIS))
    elements += sections
    shown = message.fields if fields is None else message.fields[:fields]
    elements += _field_rows(shown, cap)
    if len(shown) < len(message.fields):
        elements.append(md(ELLIPSIS))
    if message.context:
        elements.append(md(_text(message.context, cap), size="notation"))
    if message.image_title:
        elements.append(md(markdown.escape(f"📊 {message.image_title}"), size="notation"))
    elements += buttons_row(message.buttons)
    return shell(elements, header=top, summary=message.plain())


def _template(kind: MessageKind) -> str:
    return _TEMPLATES.get(kind, "blue")


def fits(card: JSON) -> bool:
    """Whether Feishu takes the card: its size on the wire and its components."""
    return wire_size(card) <= CARD_LIMIT and _components(card["body"]["elements"]) <= (
        MAX_COMPONENTS
    )


def render(message: Message, *, reactions: Reactions | None = None) -> JSON:
    """A Message as a card that Feishu accepts, whatever its length; `reactions` are the
    keys the bot reads (FEISHU_*_REACTIONS), for texts that name them (else the defaults)."""
    # Spelled out before anything reads the text (the summary is the message's plain text).
    message = _spell_reactions(message, reactions or {})
    keep, fields = len(message.sections), len(message.fields)
    card = _build(message, None, keep)
    if fits(card):
        return card

    def too_many(keep: int, fields: int) -> bool:
        # Each text cut to one character, so that no section vanishes from the count.
        return _components(_build(message, 1, keep, fields)["body"]["elements"]) > MAX_COMPONENTS

    # Too many components: trailing fields give way until the first sections fit beside
    # them, then trailing sections (a list of hundreds of items).
    while fields and too_many(min(keep, KEPT_SECTIONS), fields):
        fields -= 1
    while keep and too_many(keep, fields):
        keep -= 1
    longest = max((len(e.get("content", "")) for e in _markdowns(card)), default=0)
    low, high = 0, longest
    while low < high:
        mid = (low + high + 1) // 2
        if fits(_build(message, mid, keep, fields)):
            low = mid
        else:
            high = mid - 1
    card = _build(message, low, keep, fields)
    while not fits(card) and keep:
        keep -= 1
        card = _build(message, low, keep, fields)
    return card


def _spell_reactions(message: Message, reactions: Reactions) -> Message:
    """The message with its reaction spans as the configured keys' names."""

    def spell(spans: Rich) -> Rich:
        return [
            TextSpan(text=markdown.reaction_label(s, reactions.get(s.intent, ())))
            if isinstance(s, ReactionSpan)
            else s
            for s in spans
        ]

    return message.model_copy(
        update={
            "title": spell(message.title),
            "sections": [s.model_copy(update={"body": spell(s.body)}) for s in message.sections],
            "fields": [f.model_copy(update={"value": spell(f.value)}) for f in message.fields],
            "context": spell(message.context),
        }
    )


def _markdowns(card: JSON) -> list[JSON]:
    found: list[JSON] = []

    def walk(elements: list[JSON]) -> None:
        for e in elements:
            if e.get("tag") == "markdown":
                found.append(e)
            for column in e.get("columns", []):
                walk(column["elements"])

    walk(card["body"]["elements"])
    return found


def callback_answer(toast: str, *, kind: str = "info", card: JSON | None = None) -> JSON:
    """The answer to a card callback: a toast, and the card to show instead, if any.

    `kind` is Feishu's toast type: info, success, error or warning.
    """
    answer: JSON = {"toast": {"type": kind, "content": cut(toast, 200)}}
    if card is not None:
        answer["card"] = {"type": "raw", "data": card}
    return answer
