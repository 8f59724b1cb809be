"""Events API bodies as Slack sends them: the envelope and the events xdept handles."""

from __future__ import annotations

import json
import time
import uuid

from tests.fakes.slack.payloads import (
    APP_ID,
    BOT_USER_ID,
    JSON,
    TEAM_ID,
    VERIFICATION_TOKEN,
    channel_type_of,
    new_event_id,
    new_ts,
    rich_text,
)

# ---------------------------------------------------------------------- events


def event_payload(
    event: JSON,
    *,
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
) -> JSON:
    """The Events API envelope (`event_callback`) as a dict (see `event_body`)."""
    if event_time is None:
        stamp = event.get("event_ts") or event.get("ts")
        event_time = int(float(stamp)) if stamp else int(time.time())
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def event_body(
    event: JSON,
    *,
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
) -> str:
    """An Events API request body (JSON); reuse `event_id` to play Slack's retries."""
    return json.dumps(
        event_payload(
            event,
            team_id=team_id,
            event_id=event_id,
            event_time=event_time,
            api_app_id=api_app_id,
            bot_user_id=bot_user_id,
        ),
        ensure_ascii=False,
    )


def url_verification_body(challenge: str, *, token: str = VERIFICATION_TOKEN) -> str:
    """The handshake Slack sends when the events URL is configured."""
    return json.dumps({"token": token, "challenge": challenge, "type": "url_verification"})


def message_event(
    channel: str,
    user: str | None,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    edited: str | JSON | None = None,
    *,
    parent_user_id: str | None = None,
    team_id: str = TEAM_ID,
    channel_type: str | None = None,
    blocks: list[JSON] | None = None,
) -> JSON:
    """A `message` event; with `bot_id` it is a bot's message, with `thread_ts` a reply."""
    ts = ts or new_ts()
    event: JSON = {"type": "message"}
    if subtype:
        event["subtype"] = subtype
    if user is not None:
        event["user"] = user
    event["text"] = text
    event["ts"] = ts
    if bot_id:
        event["bot_id"] = bot_id
        event["app_id"] = APP_ID
    else:
        event["client_msg_id"] = str(uuid.uuid4())
    event["team"] = team_id
    event["blocks"] = blocks if blocks is not None else rich_text(text)
    if thread_ts:
        event["thread_ts"] = thread_ts
        if parent_user_id:
            event["parent_user_id"] = parent_user_id
    if edited is not None:
        event["edited"] = edited if isinstance(edited, dict) else {"user": user, "ts": edited}
    event["channel"] = channel
    event["event_ts"] = ts
    event["channel_type"] = channel_type or channel_type_of(channel)
    return event


def message_changed_event(
    channel: str,
    *,
    user: str,
    message_ts: str,
    text: str,
    previous_text: str,
    thread_ts: str | None = None,
    ts: str | None = None,
    team_id: str = TEAM_ID,
) -> JSON:
    """A `message_changed` event: `user` edited the message at `message_ts`."""
    ts = ts or new_ts()
    message: JSON = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": message_ts,
        "client_msg_id": str(uuid.uuid4()),
        "team": team_id,
        "blocks": rich_text(text),
        "edited": {"user": user, "ts": ts},
    }
    previous: JSON = {
        "type": "message",
        "user": user,
        "text": previous_text,
        "ts": message_ts,
        "team": team_id,
        "blocks": rich_text(previous_text),
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
        previous["thread_ts"] = thread_ts
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": message,
        "previous_message": previous,
        "channel": channel,
        "hidden": True,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type_of(channel),
    }


def message_deleted_event(
    channel: str,
    *,
    deleted_ts: str,
    user: str | None = None,
    previous_text: str = "",
    thread_ts: str | None = None,
    ts: str | None = None,
    team_id: str = TEAM_ID,
) -> JSON:
    """A `message_deleted` event for the message at `deleted_ts`."""
    ts = ts or new_ts()
    previous: JSON = {"type": "message", "text": previous_text, "ts": deleted_ts, "team": team_id}
    if user:
        previous["user"] = user
    if thread_ts:
        previous["thread_ts"] = thread_ts
    return {
        "type": "message",
        "subtype": "message_deleted",
        "previous_message": previous,
        "channel": channel,
        "hidden": True,
        "deleted_ts": deleted_ts,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type_of(channel),
    }


def reaction_added_event(
    user: str,
    reaction: str,
    channel: str,
    ts: str,
    item_user: str | None = BOT_USER_ID,
    *,
    event_ts: str | None = None,
) -> JSON:
    """A `reaction_added` event: `user` put `reaction` (no colons) on the message at `ts`."""
    event: JSON = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": event_ts or new_ts(),
    }
    if item_user is not None:
        event["item_user"] = item_user
    return event


def reaction_removed_event(
    user: str,
    reaction: str,
    channel: str,
    ts: str,
    item_user: str | None = BOT_USER_ID,
    *,
    event_ts: str | None = None,
) -> JSON:
    """A `reaction_removed` event."""
    event = reaction_added_event(user, reaction, channel, ts, item_user, event_ts=event_ts)
    event["type"] = "reaction_removed"
    return event


def app_home_opened_event(
    user: str,
    tab: str = "home",
    *,
    channel: str | None = None,
    view: JSON | None = None,
) -> JSON:
    """An `app_home_opened` event; `view` is the Home view already published, if any."""
    event: JSON = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel or f"D{user}",
        "tab": tab,
        "event_ts": new_ts(),
    }
    if view is not None:
        event["view"] = view
    return event


def app_mention_event(
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    *,
    team_id: str = TEAM_ID,
) -> JSON:
    """An `app_mention` event (`text` should contain ``<@UBOT>``)."""
    ts = ts or new_ts()
    event: JSON = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "client_msg_id": str(uuid.uuid4()),
        "team": team_id,
        "blocks": rich_text(text),
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event
