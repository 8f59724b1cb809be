"""`/xdept <text>`: acknowledged at once; the reply follows through response_url."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from handlers.slack.escapes import neutral_text
from handlers.slack.runtime import Deps, reply_via

log = logging.getLogger(__name__)

# `/xdept`, and variants such as `/xdept-dev` for a second app on the same workspace.
COMMAND = re.compile(r"^/xdept(?:[-_][a-z0-9]+)?$")


def register(bolt: App, deps: Deps) -> None:
    """Listen for the slash command."""

    def on_command(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        deps.background(f"/xdept from {body.get('user_id')}", run, body, request=body)

    bolt.command(COMMAND)(on_command)


def run(deps: Deps, body: dict[str, Any]) -> None:
    """Run the command as the person who typed it and answer them privately."""
    user = str(body.get("user_id") or "")
    text = str(body.get("text") or "")
    ctx = None
    try:
        ctx = deps.resolver.context(
            team_id=str(body.get("team_id") or ""),
            user_id=user,
            channel_id=body.get("channel_id"),
        )
        command = neutral_text(text)
        reply = deps.core.run_command(ctx, command.text, mentions=command.mentions)
    except Exception:
        log.exception("/xdept %r by %s failed", text, user)
        reply = deps.failure(ctx, "slack.what.command")
    reply_via(body.get("response_url"), reply, what=f"/xdept {text!r} by {user}")
