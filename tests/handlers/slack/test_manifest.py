"""The app manifest: command, shortcuts, interactivity, events, exactly the scopes used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handlers.slack.listeners.minutes import SHORTCUT as MINUTES_SHORTCUT
from handlers.slack.listeners.track import SHORTCUT

yaml = pytest.importorskip("yaml")

SLACK = Path(__file__).resolve().parents[3] / "handlers" / "slack"

# The bot scope each Web API method the adapter calls needs (None: no scope).
METHOD_SCOPES: dict[str, str | None] = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_getPermalink": None,
    "auth_test": None,  # which team SLACK_BOT_TOKEN belongs to
    "conversations_join": "channels:join",
    "conversations_open": "im:write",
    "conversations_info": "channels:read groups:read",
    # Was a message sent before a crash? (its outbox key in the message metadata)
    "conversations_history": "channels:history groups:history im:history",
    "conversations_replies": "channels:history groups:history",
    "users_info": "users:read",
    "usergroups_list": "usergroups:read",
    "usergroups_users_list": "usergroups:read",
    "views_open": None,
    "views_publish": None,
    "files_upload_v2": "files:write",
}
EVENT_SCOPES = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "app_uninstalled": None,
    "tokens_revoked": None,
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "reaction_added": "reactions:read",
    "user_change": "users:read",
}


def _manifest() -> dict:
    return yaml.safe_load((SLACK / "manifest.yml").read_text(encoding="utf-8"))


def _methods_called() -> set[str]:
    found: set[str] = set()
    for path in SLACK.rglob("*.py"):
        found |= set(re.findall(r"client\.(\w+)\(", path.read_text(encoding="utf-8")))
    return found


def test_every_method_called_is_known() -> None:
    assert _methods_called() <= set(METHOD_SCOPES)


def test_exactly_the_scopes_used() -> None:
    needed = {"commands"}  # the slash command and the shortcut
    for method in _methods_called():
        needed |= set((METHOD_SCOPES[method] or "").split())
    for event in _manifest()["settings"]["event_subscriptions"]["bot_events"]:
        needed |= {EVENT_SCOPES[event]} - {None}
    assert set(_manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_command_shortcut_interactivity_and_events() -> None:
    manifest = _manifest()
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/xdept" and command["should_escape"] is True
    assert command["url"].endswith("/slack/events")
    track, minutes = manifest["features"]["shortcuts"]
    assert track == {
        **track,
        "type": "message",
        "callback_id": SHORTCUT,
        "name": "Track as request",
    }
    assert minutes == {
        **minutes,
        "type": "message",
        "callback_id": MINUTES_SHORTCUT,
        "name": "Turn into action items",
    }
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert set(settings["event_subscriptions"]["bot_events"]) == set(EVENT_SCOPES)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert len(manifest["display_information"]["long_description"]) >= 174


def test_both_modes_are_covered() -> None:
    manifest = _manifest()
    # The distributed app's OAuth redirect is the route `xdept serve` answers.
    from handlers.slack.oauth import BOT_SCOPES, REDIRECT_PATH

    assert [u.endswith(REDIRECT_PATH) for u in manifest["oauth_config"]["redirect_urls"]] == [True]
    assert set(BOT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])
    # Removal events: they stop a workspace's sending.
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )
