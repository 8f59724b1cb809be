"""Event payloads shaped as Feishu sends them (schema 2.0), before encryption.

Each builder returns the plain event body; `crypto.build_request` (or
`FakeFeishu.deliver`) encrypts and signs it. Mentions in message text use
Feishu's placeholders: the text says ``@_user_1`` and ``mentions`` maps the
key to the person (or the bot).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

MESSAGE_RECEIVE = "im.message.receive_v1"
REACTION_CREATED = "im.message.reaction.created_v1"
CARD_ACTION = "card.action.trigger"
BOT_MENU = "application.bot.menu_v6"
P2P_CHAT_ENTERED = "im.chat.access_event.bot_p2p_chat_entered_v1"
USER_DELETED = "contact.user.deleted_v3"
USER_UPDATED = "contact.user.updated_v3"


@dataclass(frozen=True)
class Mention:
    """Someone mentioned in a message: the placeholder's person."""

    open_id: str
    name: str


def _ids(open_id: str) -> JSON:
    return {"open_id": open_id, "union_id": "on_" + open_id[3:], "user_id": open_id[3:11]}


def envelope(
    event_type: str,
    event: JSON,
    *,
    app_id: str,
    tenant_key: str,
    token: str,
    event_id: str | None = None,
    create_time: float | None = None,
) -> JSON:
    """A schema 2.0 event: header (id, type, token, app, tenant) and the event."""
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id or secrets.token_hex(16),
            "event_type": event_type,
            "create_time": str(int((create_time or time.time()) * 1000)),
            "token": token,
            "app_id": app_id,
            "tenant_key": tenant_key,
        },
        "event": event,
    }


def message_event(
    *,
    chat_id: str,
    sender: str,
    text: str,
    mentions: list[Mention] | None = None,
    chat_type: str = "group",
    message_id: str | None = None,
    root_id: str | None = None,
    parent_id: str | None = None,
    thread_id: str | None = None,
    tenant_key: str = "",
    create_time: float | None = None,
) -> JSON:
    """The `event` of im.message.receive_v1 for a text message.

    `text` names mentioned people by placeholder (``@_user_1`` is mentions[0]).
    """
    millis = str(int((create_time or time.time()) * 1000))
    message: JSON = {
        "message_id": message_id or "om_" + secrets.token_hex(16),
        "create_time": millis,
        "update_time": millis,
        "chat_id": chat_id,
        "chat_type": chat_type,
        "message_type": "text",
        "content": json.dumps({"text": text}, ensure_ascii=False),
        "user_agent": "Mozilla/5.0 Lark/7.30.0",
    }
    for key, value in (("root_id", root_id), ("parent_id", parent_id), ("thread_id", thread_id)):
        if value:
            message[key] = value
    if mentions:
        message["mentions"] = [
            {
                "key": f"@_user_{i}",
                "id": _ids(m.open_id),
                "name": m.name,
                "tenant_key": tenant_key,
            }
            for i, m in enumerate(mentions, start=1)
        ]
    return {
        "sender": {"sender_id": _ids(sender), "sender_type": "user", "tenant_key": tenant_key},
        "message": message,
    }


def reaction_event(*, message_id: str, operator: str, emoji: str) -> JSON:
    """The `event` of im.message.reaction.created_v1 (no chat id: Feishu sends none)."""
    return {
        "message_id": message_id,
        "reaction_type": {"emoji_type": emoji},
        "operator_type": "user",
        "user_id": _ids(operator),
        "action_time": str(int(time.time() * 1000)),
    }


def card_action_event(
    *,
    operator: str,
    value: JSON,
    message_id: str,
    chat_id: str,
    token: str,
    form_value: JSON | None = None,
    name: str | None = None,
    tenant_key: str = "",
) -> JSON:
    """The `event` of card.action.trigger for a button click (or a form submit)."""
    action: JSON = {"value": value, "tag": "button"}
    if form_value is not None:
        action["form_value"] = form_value
    if name is not None:
        action["name"] = name
    return {
        "operator": {"tenant_key": tenant_key, **_ids(operator)},
        "token": token,
        "action": action,
        "host": "im_message",
        "context": {"open_message_id": message_id, "open_chat_id": chat_id},
    }


def bot_menu_event(*, operator: str, event_key: str, name: str = "") -> JSON:
    """The `event` of application.bot.menu_v6 (a click in the bot's chat menu)."""
    return {
        "operator": {"operator_name": name, "operator_id": _ids(operator)},
        "event_key": event_key,
        "timestamp": int(time.time()),
    }


def p2p_chat_entered_event(*, chat_id: str, operator: str) -> JSON:
    """The `event` sent when a person opens the bot's direct chat."""
    return {
        "chat_id": chat_id,
        "operator_id": _ids(operator),
        "last_message_id": "",
        "last_message_create_time": "",
    }


def _user(open_id: str, name: str, *, resigned: bool) -> JSON:
    return {
        **_ids(open_id),
        "name": name,
        "status": {
            "is_frozen": False,
            "is_resigned": resigned,
            "is_activated": not resigned,
            "is_exited": False,
            "is_unjoin": False,
        },
        "department_ids": [],
    }


def user_deleted_event(*, open_id: str, name: str = "") -> JSON:
    """The `event` of contact.user.deleted_v3 (a person removed from the tenant)."""
    return {
        "object": _user(open_id, name, resigned=True),
        "old_object": {"department_ids": ["od-ops"], "open_id": open_id},
    }


def user_updated_event(
    *, open_id: str, name: str = "", resigned: bool, was_resigned: bool | None = None
) -> JSON:
    """The `event` of contact.user.updated_v3; `old_object` holds only what changed (the
    status when `was_resigned` is given, else the name)."""
    old: JSON = {"name": name + "（旧）"}
    if was_resigned is not None:
        old = {"status": _user(open_id, name, resigned=was_resigned)["status"]}
    return {"object": _user(open_id, name, resigned=resigned), "old_object": old}


def url_verification(*, token: str, challenge: str | None = None) -> JSON:
    """The request Feishu sends when a request URL is saved in the console."""
    return {
        "challenge": challenge or secrets.token_hex(8),
        "token": token,
        "type": "url_verification",
    }
