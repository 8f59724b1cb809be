"""Requests shaped like the ones Slack sends to an app: shared ids, and slash commands.

Builders return the exact body Slack would POST (a form-encoded string for
slash commands and interactivity, a JSON string for the Events API; see
`payloads_interactive` and `payloads_events`). Ids default to one small
workspace: team ``T1``, app ``A1``, bot user ``UBOT`` (bot ``BBOT``), the same
defaults as `FakeSlack`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlencode

JSON = dict[str, Any]

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


def channel_type_of(channel: str) -> str:
    if channel.startswith("D"):
        return "im"
    if channel.startswith("G"):
        return "group"
    return "channel"


def rich_text(text: str) -> list[JSON]:
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


def interactive_body(payload: JSON) -> str:
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
