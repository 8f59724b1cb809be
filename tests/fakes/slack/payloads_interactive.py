"""Interactivity payloads as Slack sends them: block actions, shortcuts, view submissions."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.fakes.slack.payloads import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    JSON,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    default_response_url,
    interactive_body,
    new_trigger_id,
    new_ts,
    rich_text,
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
    return interactive_body(
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
        "blocks": rich_text(text),
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
    return interactive_body(payload)


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
    return interactive_body(payload)


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
    return interactive_body(
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
