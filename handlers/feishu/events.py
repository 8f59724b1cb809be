"""Feishu events as plain values: messages, reactions, card clicks, menu clicks, chats,
people leaving.

Message text keeps Feishu's ``@_user_N`` placeholders, with a map from each
placeholder to the person it names, so the grammar can resolve targets
without a second lookup; the bot's own mention is removed (it only says
"this is for you"), and so is a leading ``/xdept``. A malformed event is
logged once and ignored: nothing here raises on what Feishu, or someone
posing as it, sends. Each value has a dedupe key, because Feishu redelivers
(same event id), re-sends a message under a new event id after a reconnect,
and people double-click.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from bot.commands.targets import Target, TargetKind, fold
from bot.commands.words import lookup_subcommand
from bot.config import Settings
from bot.domain import Reaction as Intent
from handlers.feishu.verify import Envelope

log = logging.getLogger(__name__)

JSON = dict[str, Any]

MESSAGE_RECEIVE = "im.message.receive_v1"
REACTION_CREATED = "im.message.reaction.created_v1"
CARD_ACTION = "card.action.trigger"
BOT_MENU = "application.bot.menu_v6"
P2P_CHAT_ENTERED = "im.chat.access_event.bot_p2p_chat_entered_v1"
BOT_ADDED = "im.chat.member.bot.added_v1"
BOT_REMOVED = "im.chat.member.bot.deleted_v1"
# A person left the tenant (deleted), or was marked resigned or back (updated).
USER_DELETED = "contact.user.deleted_v3"
USER_UPDATED = "contact.user.updated_v3"

# A registered slash command, or the bot's name typed as text rather than picked from
# Feishu's @ menu: either way the message is addressed to the bot.
_COMMAND_PREFIX = re.compile(r"^[/@]xdept(?:\s+|$)", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True)
class ReactionKeys:
    """Which emoji keys mean done and which acknowledge (FEISHU_*_REACTIONS)."""

    done: frozenset[str]
    acknowledge: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> ReactionKeys:
        """The keys from settings."""
        done, acknowledge = settings.feishu_reactions
        return cls(done=done, acknowledge=acknowledge)

    @staticmethod
    def named(settings: Settings) -> dict[Intent, tuple[str, ...]]:
        """The keys in the settings' order, for texts that ask for a reaction."""

        def keys(value: str) -> tuple[str, ...]:
            return tuple(k.strip() for k in value.split(",") if k.strip())

        return {
            Intent.DONE: keys(settings.feishu_done_reactions),
            Intent.ACKNOWLEDGE: keys(settings.feishu_ack_reactions),
        }

    def intent(self, emoji: str) -> Intent | None:
        """What a reaction means to the core, if anything."""
        if emoji in self.done:
            return Intent.DONE
        if emoji in self.acknowledge:
            return Intent.ACKNOWLEDGE
        return None


@dataclass(frozen=True)
class _Event:
    """What every event carries: its id (Feishu's redelivery key) and its tenant."""

    event_id: str
    tenant_key: str

    @property
    def dedupe_key(self) -> str:
        """The event id: a redelivery of the same event is one event."""
        return f"feishu:event:{self.event_id}"


@dataclass(frozen=True)
class IncomingMessage(_Event):
    """A message someone sent where the bot sees it."""

    message_id: str
    chat_id: str
    chat_type: str  # p2p | group
    sender: str  # open_id
    text: str  # placeholders kept, the bot's mention and a leading /xdept removed
    # "@_user_1" -> the person it stands for, as the grammar's targets.
    mentions: dict[str, Target] = field(default_factory=dict)
    mentions_bot: bool = False
    # Addressed to the bot: its mention, or a leading `/xdept` (a slash command) or `@xdept`
    # typed as text.
    addressed: bool = False
    root_id: str | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    message_type: str = "text"

    @property
    def direct(self) -> bool:
        """Sent in the bot's direct chat."""
        return self.chat_type == "p2p"

    @property
    def dedupe_key(self) -> str:
        """The message id: the same message can come back under a new event id."""
        return f"feishu:message:{self.message_id}"


@dataclass(frozen=True)
class Reaction(_Event):
    """Someone added a reaction to a message (Feishu does not say in which chat).

    A reaction removed and added again is a new event, so the event id dedupes it.
    """

    message_id: str
    operator: str
    emoji: str
    intent: Intent | None


@dataclass(frozen=True)
class CardAction(_Event):
    """A click on a card button, or a form submitted from a card."""

    operator: str
    action: str  # the button value's "action", e.g. xdept_ack
    value: JSON
    form: dict[str, str]
    message_id: str
    chat_id: str
    token: str  # for a late update of the card (30 minutes)
    name: str | None = None

    @property
    def dedupe_key(self) -> str:
        """Message, person and what they sent: a double click is one click."""
        what = json.dumps([self.value, self.form], sort_keys=True, ensure_ascii=False)
        return f"feishu:click:{self.message_id}:{self.operator}:{what}"


@dataclass(frozen=True)
class MenuClick(_Event):
    """A click in the bot's chat menu."""

    operator: str
    key: str


@dataclass(frozen=True)
class ChatOpened(_Event):
    """Someone opened their direct chat with the bot (time to show "My items")."""

    chat_id: str
    operator: str


@dataclass(frozen=True)
class BotMembership(_Event):
    """The bot was added to or removed from a group."""

    chat_id: str
    added: bool


@dataclass(frozen=True)
class PersonLeft(_Event):
    """A person left the tenant (`left`), or came back after being marked resigned."""

    user: str
    left: bool


FeishuEvent = (
    IncomingMessage | Reaction | CardAction | MenuClick | ChatOpened | BotMembership | PersonLeft
)


def _open_id(ids: Any) -> str:
    value = ids.get("open_id") if isinstance(ids, dict) else None
    if not isinstance(value, str) or not value:
        raise ValueError("no open_id")
    return value


def _str(data: JSON, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"no {key}")
    return value


def _opt(data: JSON, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _post_text(content: JSON) -> str:
    """The text of a rich-text (post) message, mentions as their placeholders."""
    body = content if "content" in content else next(iter(content.values()), {})
    lines = []
    for paragraph in body.get("content") or []:
        parts = []
        for element in paragraph or []:
            tag = element.get("tag")
            if tag in ("text", "a", "md"):
                parts.append(str(element.get("text", "")))
            elif tag == "at":
                parts.append(str(element.get("user_id", "")))
        lines.append("".join(parts))
    title = body.get("title")
    return "\n".join([title, *lines] if title else lines)


def _text_of(message: JSON) -> str:
    kind = message.get("message_type")
    if kind not in ("text", "post"):
        return ""
    content = json.loads(_str(message, "content"))
    if not isinstance(content, dict):
        raise ValueError("content is not an object")
    return str(content.get("text", "")) if kind == "text" else _post_text(content)


def quoted_text(message: JSON) -> str:
    """The text of a message as GET im/v1/messages returns it, mentions by their names."""
    try:
        body = message.get("body") or {}
        text = _text_of({"message_type": message.get("msg_type"), "content": body.get("content")})
    except (ValueError, TypeError, AttributeError, StopIteration):
        return ""
    for entry in message.get("mentions") or []:
        if isinstance(entry, dict) and entry.get("key"):
            text = text.replace(str(entry["key"]), "@" + str(entry.get("name") or ""))
    return text.strip()


def _leading_bot(text: str, mentions: list[Any]) -> str | None:
    """While the bot's own open_id is unknown: the one mentioned first, when a subcommand
    follows (`@xdept ask ...`), is taken for the bot."""
    words = text.split()
    second = fold(words[1]).lower() if len(words) >= 2 else ""
    if second != "track" and lookup_subcommand(second) is None:
        return None
    for entry in mentions:
        if isinstance(entry, dict) and entry.get("key") == words[0]:
            open_id = (entry.get("id") or {}).get("open_id")
            return open_id if isinstance(open_id, str) and open_id else None
    return None


def _message(envelope: Envelope, bot_open_id: str | None) -> IncomingMessage:
    event = envelope.event
    message = event["message"]
    sender = event.get("sender") or {}
    if sender.get("sender_type") not in (None, "user"):
        raise _NotForUs("a message from another app")
    text = _text_of(message)
    mentions: dict[str, Target] = {}
    mentions_bot = False
    if not bot_open_id:
        bot_open_id = _leading_bot(text, message.get("mentions") or [])
    for entry in message.get("mentions") or []:
        key = _str(entry, "key")
        open_id = (entry.get("id") or {}).get("open_id") or ""
        if bot_open_id and open_id == bot_open_id:
            mentions_bot = True
            text = text.replace(key, " ")
        elif open_id:
            name = str(entry.get("name") or "") or None
            mentions[key] = Target(kind=TargetKind.PERSON, id=open_id, name=name)
    text = _SPACES.sub(" ", text).strip()
    prefixed = _COMMAND_PREFIX.match(text) is not None
    text = _COMMAND_PREFIX.sub("", text).strip()
    return IncomingMessage(
        event_id=envelope.event_id,
        tenant_key=envelope.tenant_key,
        message_id=_str(message, "message_id"),
        chat_id=_str(message, "chat_id"),
        chat_type=_str(message, "chat_type"),
        sender=_open_id(sender.get("sender_id")),
        text=text,
        mentions=mentions,
        mentions_bot=mentions_bot,
        addressed=mentions_bot or prefixed,
        root_id=_opt(message, "root_id"),
        parent_id=_opt(message, "parent_id"),
        thread_id=_opt(message, "thread_id"),
        message_type=str(message.get("message_type") or ""),
    )


def _reaction(envelope: Envelope, keys: ReactionKeys) -> Reaction:
    event = envelope.event
    if event.get("operator_type") not in (None, "user"):
        raise _NotForUs("a reaction by an app")
    emoji = _str(event["reaction_type"], "emoji_type")
    return Reaction(
        event_id=envelope.event_id,
        tenant_key=envelope.tenant_key,
        message_id=_str(event, "message_id"),
        operator=_open_id(event.get("user_id")),
        emoji=emoji,
        intent=keys.intent(emoji),
    )


def _card_action(envelope: Envelope) -> CardAction:
    event = envelope.event
    action = event["action"]
    value = action.get("value") or {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError("the button value is not an object")
    form = action.get("form_value") or {}
    if not isinstance(form, dict):
        raise ValueError("form_value is not an object")
    context = event.get("context") or {}
    return CardAction(
        event_id=envelope.event_id,
        tenant_key=envelope.tenant_key,
        operator=_open_id(event.get("operator")),
        action=str(value.get("action", "")),
        value=value,
        form={str(k): v if isinstance(v, str) else json.dumps(v) for k, v in form.items()},
        message_id=_str(context, "open_message_id"),
        chat_id=str(context.get("open_chat_id") or ""),
        token=str(event.get("token") or ""),
        name=_opt(action, "name"),
    )


def _resigned(user: Any) -> bool | None:
    status = user.get("status") if isinstance(user, dict) else None
    value = status.get("is_resigned") if isinstance(status, dict) else None
    return value if isinstance(value, bool) else None


def _person_left(envelope: Envelope) -> PersonLeft:
    """Deleted: gone. Updated: gone when now resigned, back when it was resigned before
    (`old_object` holds only what changed); any other change is no concern of the bot."""
    event = envelope.event
    if envelope.event_type == USER_DELETED or _resigned(event.get("object")):
        left = True
    elif _resigned(event.get("object")) is False and _resigned(event.get("old_object")):
        left = False
    else:
        raise _NotForUs("a profile change other than leaving or coming back")
    return PersonLeft(envelope.event_id, envelope.tenant_key, _open_id(event.get("object")), left)


class _NotForUs(Exception):
    """A well-formed event the bot has nothing to do with (its own messages, say)."""


def parse(
    envelope: Envelope, *, bot_open_id: str | None, reactions: ReactionKeys
) -> FeishuEvent | None:
    """The event as a plain value; None for events the bot ignores or cannot read."""
    kind = envelope.event_type
    event = envelope.event
    try:
        if kind == MESSAGE_RECEIVE:
            return _message(envelope, bot_open_id)
        if kind == REACTION_CREATED:
            return _reaction(envelope, reactions)
        if kind == CARD_ACTION:
            return _card_action(envelope)
        if kind == BOT_MENU:
            operator = _open_id((event.get("operator") or {}).get("operator_id"))
            key = _str(event, "event_key")
            return MenuClick(envelope.event_id, envelope.tenant_key, operator, key)
        if kind == P2P_CHAT_ENTERED:
            return ChatOpened(
                envelope.event_id,
                envelope.tenant_key,
                _str(event, "chat_id"),
                _open_id(event.get("operator_id")),
            )
        if kind in (BOT_ADDED, BOT_REMOVED):
            chat_id = _str(event, "chat_id")
            return BotMembership(envelope.event_id, envelope.tenant_key, chat_id, kind == BOT_ADDED)
        if kind in (USER_DELETED, USER_UPDATED):
            return _person_left(envelope)
    except _NotForUs as why:
        log.debug("ignoring %s %s: %s", kind, envelope.event_id, why)
        return None
    except (KeyError, TypeError, ValueError, AttributeError, StopIteration) as exc:
        log.warning("ignoring a malformed %s event %s: %s", kind, envelope.event_id, exc)
        return None
    log.debug("ignoring a %s event (%s)", kind, envelope.event_id)
    return None
