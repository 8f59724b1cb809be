"""What the bot says, as platform-neutral models; adapters render them (blocks, cards, text).

User text is kept in TextSpans and never parsed for markup, so nobody can forge a
mention or a link; mentions, links and dates are spans of their own kinds.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.domain import Reaction


class TextSpan(BaseModel):
    """Plain text, shown as typed."""

    model_config = ConfigDict(frozen=True)
    type: Literal["text"] = "text"
    text: str
    bold: bool = False


class MentionSpan(BaseModel):
    """A person, notified where the platform notifies mentions."""

    model_config = ConfigDict(frozen=True)
    type: Literal["mention"] = "mention"
    user_id: str


class ChannelSpan(BaseModel):
    """A channel reference."""

    model_config = ConfigDict(frozen=True)
    type: Literal["channel"] = "channel"
    channel_id: str


class LinkSpan(BaseModel):
    """A link with a label."""

    model_config = ConfigDict(frozen=True)
    type: Literal["link"] = "link"
    url: str
    label: str


class DateSpan(BaseModel):
    """An instant; platforms that can show it in each reader's zone do, else `fallback`."""

    model_config = ConfigDict(frozen=True)
    type: Literal["date"] = "date"
    at: datetime
    fallback: str


class CommandSpan(BaseModel):
    """The bot's command word as its platform types it ("/xdept", "@xdept").

    Scheduled messages are written before anyone knows where they will be read, so
    the adapter that renders them puts in its own way of typing a command.
    """

    model_config = ConfigDict(frozen=True)
    type: Literal["command"] = "command"
    fallback: str = "/xdept"


class ReactionSpan(BaseModel):
    """The reaction that acknowledges (or marks done) a tracking message, as its platform
    names it (an emoji, or the reaction keys the bot is configured to read).

    Like CommandSpan: scheduled texts are written before anyone knows where they are read.
    """

    model_config = ConfigDict(frozen=True)
    type: Literal["reaction"] = "reaction"
    intent: Reaction
    fallback: str


def reaction(intent: Reaction) -> ReactionSpan:
    """The span of the reaction that means `intent`, 👀 or ✅ where nothing renders it."""
    return ReactionSpan(intent=intent, fallback="✅" if intent is Reaction.DONE else "👀")


Span = Annotated[
    TextSpan | MentionSpan | ChannelSpan | LinkSpan | DateSpan | CommandSpan | ReactionSpan,
    Field(discriminator="type"),
]
SPAN_TYPES = (TextSpan, MentionSpan, ChannelSpan, LinkSpan, DateSpan, CommandSpan, ReactionSpan)
Rich = list[Span]


class MessageKind(StrEnum):
    """What a message is for (renderers and tests key on it)."""

    TRACKING = "tracking"
    REPLY = "reply"
    ERROR = "error"
    NOTE = "note"
    HELP = "help"
    LIST = "list"
    DETAIL = "detail"
    DEPARTMENT = "department"
    STANDUP = "standup"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    UNANSWERED = "unanswered"
    ESCALATION_SUGGESTION = "escalation_suggestion"
    ESCALATION = "escalation"
    SUMMARY = "summary"
    DELIVERY_FAILURE = "delivery_failure"


class ButtonAction(StrEnum):
    """Buttons the bot puts on messages; the value carries the item id."""

    ACK = "xdept_ack"
    DONE = "xdept_done"
    SNOOZE = "xdept_snooze"
    DECLINE = "xdept_decline"
    ESCALATE = "xdept_escalate"


class Button(BaseModel):
    """An action button."""

    model_config = ConfigDict(frozen=True)
    action: ButtonAction
    label: str
    value: str
    style: Literal["primary", "danger"] | None = None


class MessageField(BaseModel):
    """A labelled value (shown two to a row where the platform can)."""

    model_config = ConfigDict(frozen=True)
    label: str
    value: Rich


class Section(BaseModel):
    """A titled block of text, e.g. one of the four parts of an escalation."""

    model_config = ConfigDict(frozen=True)
    heading: str | None = None
    body: Rich


class Message(BaseModel):
    """One message: title, sections, fields, buttons, context line, and an image."""

    model_config = ConfigDict(frozen=True)
    kind: MessageKind
    title: Rich = []
    sections: list[Section] = []
    fields: list[MessageField] = []
    buttons: list[Button] = []
    context: Rich = []
    image_title: str | None = None

    def plain(self) -> str:
        """A plain-text rendering, for notifications and for tests."""
        parts = [plain(self.title)] if self.title else []
        for section in self.sections:
            body = plain(section.body)
            parts.append(f"{section.heading}: {body}" if section.heading else body)
        parts.extend(f"{f.label}: {plain(f.value)}" for f in self.fields)
        if self.context:
            parts.append(plain(self.context))
        return "\n".join(p for p in parts if p)


def plain(spans: Rich, names: dict[str, str] | None = None) -> str:
    """Spans as plain text; mentions as @name when a name is known."""
    out: list[str] = []
    for span in spans:
        if isinstance(span, TextSpan):
            out.append(span.text)
        elif isinstance(span, MentionSpan):
            out.append("@" + (names or {}).get(span.user_id, span.user_id))
        elif isinstance(span, ChannelSpan):
            out.append("#" + (names or {}).get(span.channel_id, span.channel_id))
        elif isinstance(span, LinkSpan):
            out.append(f"{span.label} ({span.url})")
        else:
            out.append(span.fallback)
    return "".join(out)


def text(value: str, *, bold: bool = False) -> TextSpan:
    """A plain text span."""
    return TextSpan(text=value, bold=bold)


def mention(user_id: str) -> MentionSpan:
    """A mention span."""
    return MentionSpan(user_id=user_id)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, /, **params: Any) -> Rich:
    """Fill a `{name}` template; a param may be text, a span, or a list of spans."""
    spans: Rich = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > pos:
            spans.append(TextSpan(text=template[pos : match.start()]))
        spans.extend(_as_spans(params[match.group(1)]))
        pos = match.end()
    if pos < len(template):
        spans.append(TextSpan(text=template[pos:]))
    return spans


def _as_spans(value: Any) -> Rich:
    if isinstance(value, SPAN_TYPES):
        return [value]
    if isinstance(value, list):
        return list(value)
    return [TextSpan(text=str(value))]


def join(items: list[Rich], sep: str = ", ") -> Rich:
    """Join span lists with a separator."""
    out: Rich = []
    for i, part in enumerate(items):
        if i:
            out.append(TextSpan(text=sep))
        out.extend(part)
    return out
