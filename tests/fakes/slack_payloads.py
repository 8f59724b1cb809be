"""Requests shaped like the ones Slack sends to an app, and Slack's request signing.

Builders return the exact body Slack would POST (a form-encoded string for
slash commands and interactivity, a JSON string for the Events API); `sign`
and `signed_post` add the `X-Slack-Signature` headers Slack computes, so a
Bolt app verifies them with its real signing secret. Ids default to one small
workspace: team ``T1``, app ``A1``, bot user ``UBOT`` (bot ``BBOT``), the same
defaults as `FakeSlack`.

Example::

    body = slash_command_body("ask @logistics 3 pallets by Friday", user_id="U1",
                              response_url=slack.response_url("ask"))
    status, headers, text = signed_post(app_url, SECRET, body)
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from typing import Any, NamedTuple
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import ProxyHandler, Request, build_opener

JSON = dict[str, Any]

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"

TEAM_ID = "T1"
TEAM_DOMAIN = "xdept-test"
APP_ID = "A1"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
# Slack still sends the deprecated verification token in every payload.
VERIFICATION_TOKEN = "verification-token"

_counter = itertools.count(1)
_ts_lock = threading.Lock()
_last_ts = 0


# ---------------------------------------------------------------------- signing


def sign(secret: str, body: bytes | str, timestamp: int) -> dict[str, str]:
    """The headers Slack adds to a request: timestamp and ``v0=`` HMAC-SHA256 signature."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


class SignedResponse(NamedTuple):
    """What the app answered: status, headers (lower-cased names) and body text."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


# Bypass any HTTP(S)_PROXY from the environment: requests go to a local app.
_opener = build_opener(ProxyHandler({}))


def signed_post(
    url: str,
    secret: str,
    body: bytes | str,
    content_type: str | None = None,
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> SignedResponse:
    """POST a body signed like Slack does; returns (status, headers, body) for any status.

    `content_type` defaults to JSON for a body starting with ``{`` and to a form
    otherwise. `retry_num` / `retry_reason` add Slack's retry headers.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if content_type is None:
        content_type = JSON_TYPE if raw.lstrip().startswith(b"{") else FORM
    ts = int(time.time()) if timestamp is None else timestamp
    all_headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        **sign(secret, raw, ts),
    }
    if retry_num is not None:
        all_headers["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        all_headers["X-Slack-Retry-Reason"] = retry_reason
    all_headers.update(headers or {})
    request = Request(url, data=raw, headers=all_headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return SignedResponse(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read().decode("utf-8"),
            )
    except HTTPError as error:  # 4xx/5xx are answers too: the test asserts on them
        with error:
            return SignedResponse(
                error.code,
                {k.lower(): v for k, v in error.headers.items()},
                error.read().decode("utf-8"),
            )


# ---------------------------------------------------------------------- ids


def new_ts() -> str:
    """A fresh message ts ("seconds.micros") from the clock, strictly increasing."""
    global _last_ts
    with _ts_lock:
        micros = max(int(time.time() * 1_000_000), _last_ts + 1)
        _last_ts = micros
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def new_trigger_id() -> str:
    """A trigger_id shaped like Slack's."""
    return f"{int(time.time())}.{next(_counter)}.{uuid.uuid4().hex}"


def new_event_id() -> str:
    """An event_id shaped like Slack's (``Ev`` + 9 characters), unique per call."""
    return f"Ev{uuid.uuid4().hex[:9].upper()}"


def default_response_url(team_id: str = TEAM_ID) -> str:
    """A response_url shaped like Slack's (nothing listens there: pass a fake's instead)."""
    return f"https://hooks.slack.com/commands/{team_id}/{next(_counter)}/{uuid.uuid4().hex[:24]}"


def _channel_type(channel: str) -> str:
    if channel.startswith("D"):
        return "im"
    if channel.startswith("G"):
        return "group"
    return "channel"


def _rich_text(text: str) -> list[JSON]:
    """The rich_text block Slack's clients attach to a typed message."""
    return [
        {
            "type": "rich_text",
            "block_id": uuid.uuid4().hex[:5],
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def _interactive_body(payload: JSON) -> str:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


# ---------------------------------------------------------------------- commands


def slash_command_body(
    text: str,
    *,
    user_id: str,
    user_name: str = "alice",
    channel_id: str = "C1",
    channel_name: str = "general",
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    command: str = "/xdept",
    response_url: str | None = None,
    trigger_id: str | None = None,
    api_app_id: str = APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> str:
    """A slash command, form-encoded with the fields Slack sends (no enterprise fields)."""
    return urlencode(
        {
            "token": token,
            "team_id": team_id,
            "team_domain": team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or default_response_url(team_id),
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


# ---------------------------------------------------------------------- interactivity


def _team(team_id: str, team_domain: str) -> JSON:
    return {"id": team_id, "domain": team_domain}


def _user(user_id: str, user_name: str, team_id: str) -> JSON:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def block_actions_payload(
    *,
    action_id: str,
    value: str | None = None,
    user_id: str,
    channel_id: str | None = "C1",
    message_ts: str | None = None,
    team_id: str = TEAM_ID,
    block_id: str | None = None,
    response_url: str | None = None,
    container: JSON | None = None,
    message: JSON | None = None,
    view: JSON | None = None,
    user_name: str = "alice",
    channel_name: str = "general",
    action_type: str = "button",
    button_text: str = "Button",
    selected_option: JSON | None = None,
    trigger_id: str | None = None,
    is_ephemeral: bool = False,
    api_app_id: str = APP_ID,
    team_domain: str = TEAM_DOMAIN,
    bot_user_id: str = BOT_USER_ID,
    bot_id: str = BOT_ID,
) -> JSON:
    """The `block_actions` payload as a dict (see `block_actions_body`)."""
    block_id = block_id or uuid.uuid4().hex[:5]
    action: JSON = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": new_ts(),
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": button_text, "emoji": True}
    if selected_option is not None:
        action["selected_option"] = selected_option
    if value is not None:
        action["value"] = value
    payload: JSON = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
    }
    if view is not None:
        # An action in a modal or on the Home tab: no channel, no message.
        payload["container"] = container or {"type": "view", "view_id": view.get("id")}
        payload["trigger_id"] = trigger_id or new_trigger_id()
        payload["team"] = _team(team_id, team_domain)
        payload["enterprise"] = None
        payload["is_enterprise_install"] = False
        payload["view"] = view
    else:
        ts = message_ts or new_ts()
        if message is None:
            element: JSON = {k: v for k, v in action.items() if k not in ("block_id", "action_ts")}
            message = {
                "user": bot_user_id,
                "type": "message",
                "ts": ts,
                "bot_id": bot_id,
                "app_id": api_app_id,
                "text": "",
                "team": team_id,
                "blocks": [{"type": "actions", "block_id": block_id, "elements": [element]}],
            }
        payload["container"] = container or {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
        payload["trigger_id"] = trigger_id or new_trigger_id()
        payload["team"] = _team(team_id, team_domain)
        payload["enterprise"] = None
        payload["is_enterprise_install"] = False
        payload["channel"] = {"id": channel_id, "name": channel_name}
        if not is_ephemeral:
            payload["message"] = message
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url or default_response_url(team_id)
    payload["actions"] = [action]
    return payload


def block_actions_body(
    *,
    action_id: str,
    value: str | None = None,
    user_id: str,
    channel_id: str | None = "C1",
    message_ts: str | None = None,
    team_id: str = TEAM_ID,
    block_id: str | None = None,
    response_url: str | None = None,
    container: JSON | None = None,
    message: JSON | None = None,
    **extra: Any,
) -> str:
    """A button click (or select) on a message, as ``payload=<json>``.

    Pass `message` (e.g. ``FakeSlack.message(...).to_api(...)``) to carry the
    clicked message's real blocks; pass ``view=`` for an action in a modal or
    the Home tab. Other keywords: see `block_actions_payload`.
    """
    return _interactive_body(
        block_actions_payload(
            action_id=action_id,
            value=value,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
            team_id=team_id,
            block_id=block_id,
            response_url=response_url,
            container=container,
            message=message,
            **extra,
        )
    )


def message_shortcut_body(
    callback_id: str,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    text: str,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    message_user: str = "U0AUTHOR",
    thread_ts: str | None = None,
    user_name: str = "alice",
    channel_name: str = "general",
    response_url: str | None = None,
    api_app_id: str = APP_ID,
    team_domain: str = TEAM_DOMAIN,
) -> str:
    """A message shortcut ("Track as request") on a message, as ``payload=<json>``."""
    message: JSON = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": message_user,
        "ts": message_ts,
        "team": team_id,
        "blocks": _rich_text(text),
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload: JSON = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "team": _team(team_id, team_domain),
        "user": _user(user_id, user_name, team_id),
        "channel": {"id": channel_id, "name": channel_name},
        "is_enterprise_install": False,
        "enterprise": None,
        "api_app_id": api_app_id,
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "response_url": response_url or default_response_url(team_id),
        "message_ts": message_ts,
        "message": message,
    }
    return _interactive_body(payload)


def global_shortcut_body(
    callback_id: str,
    *,
    user_id: str,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    user_name: str = "alice",
    team_domain: str = TEAM_DOMAIN,
) -> str:
    """A global shortcut (from the shortcuts menu), as ``payload=<json>``."""
    payload: JSON = {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "team": _team(team_id, team_domain),
        "user": {"id": user_id, "username": user_name, "team_id": team_id},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return _interactive_body(payload)


# State values, as Slack reports each input element in view.state.values.


def plain_text_value(value: str | None) -> JSON:
    """A plain_text_input's state."""
    return {"type": "plain_text_input", "value": value}


def static_select_value(value: str | None, text: str | None = None) -> JSON:
    """A static_select's state (`None`: nothing selected)."""
    selected = None
    if value is not None:
        selected = {"text": {"type": "plain_text", "text": text or value}, "value": value}
    return {"type": "static_select", "selected_option": selected}


def users_select_value(user_id: str | None) -> JSON:
    """A users_select's state."""
    return {"type": "users_select", "selected_user": user_id}


def conversations_select_value(channel_id: str | None) -> JSON:
    """A conversations_select's state."""
    return {"type": "conversations_select", "selected_conversation": channel_id}


def datepicker_value(date: str | None) -> JSON:
    """A datepicker's state (``YYYY-MM-DD``)."""
    return {"type": "datepicker", "selected_date": date}


def timepicker_value(time_of_day: str | None, timezone: str = "UTC") -> JSON:
    """A timepicker's state (``HH:MM``)."""
    return {"type": "timepicker", "selected_time": time_of_day, "timezone": timezone}


def _state_values(values: dict[str, dict[str, Any]]) -> JSON:
    """Slack's view.state.values; a plain string stands for a plain_text_input."""
    return {
        block_id: {
            action_id: plain_text_value(state) if isinstance(state, str) or state is None else state
            for action_id, state in actions.items()
        }
        for block_id, actions in values.items()
    }


def view_submission_payload(
    callback_id: str,
    *,
    user_id: str,
    values: dict[str, dict[str, Any]],
    private_metadata: str = "",
    team_id: str = TEAM_ID,
    view_id: str | None = None,
    blocks: list[JSON] | None = None,
    title: str = "xdept",
    external_id: str = "",
    view_hash: str | None = None,
    response_urls: list[JSON] | None = None,
    trigger_id: str | None = None,
    user_name: str = "alice",
    api_app_id: str = APP_ID,
    team_domain: str = TEAM_DOMAIN,
    bot_id: str = BOT_ID,
) -> JSON:
    """The `view_submission` payload as a dict (see `view_submission_body`)."""
    view_id = view_id or f"V{uuid.uuid4().hex[:10].upper()}"
    return {
        "type": "view_submission",
        "team": _team(team_id, team_domain),
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks if blocks is not None else [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": _state_values(values)},
            "hash": view_hash or f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": api_app_id,
            "external_id": external_id,
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        },
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission_body(
    callback_id: str,
    *,
    user_id: str,
    values: dict[str, dict[str, Any]],
    private_metadata: str = "",
    team_id: str = TEAM_ID,
    view_id: str | None = None,
    **extra: Any,
) -> str:
    """A modal's submission, as ``payload=<json>``.

    `values` is ``{block_id: {action_id: state}}``; a state is a string (a
    plain_text_input's value) or one of the ``*_value`` helpers' dicts. Other
    keywords: see `view_submission_payload`.
    """
    return _interactive_body(
        view_submission_payload(
            callback_id,
            user_id=user_id,
            values=values,
            private_metadata=private_metadata,
            team_id=team_id,
            view_id=view_id,
            **extra,
        )
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
    event["blocks"] = blocks if blocks is not None else _rich_text(text)
    if thread_ts:
        event["thread_ts"] = thread_ts
        if parent_user_id:
            event["parent_user_id"] = parent_user_id
    if edited is not None:
        event["edited"] = edited if isinstance(edited, dict) else {"user": user, "ts": edited}
    event["channel"] = channel
    event["event_ts"] = ts
    event["channel_type"] = channel_type or _channel_type(channel)
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
        "blocks": _rich_text(text),
        "edited": {"user": user, "ts": ts},
    }
    previous: JSON = {
        "type": "message",
        "user": user,
        "text": previous_text,
        "ts": message_ts,
        "team": team_id,
        "blocks": _rich_text(previous_text),
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
        "channel_type": _channel_type(channel),
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
        "channel_type": _channel_type(channel),
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
        "blocks": _rich_text(text),
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event
