"""Buttons: Acknowledge, Done, Snooze 1 day on the tracking message; Escalate in the DM.

Each click runs the matching command as the person who clicked. The
tracking message is edited in place by the delivery that follows; the
clicker is answered privately when refused, and for snooze and escalate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot import commands as c
from bot.messages import ButtonAction, MessageKind
from handlers.slack.runtime import Deps, channel_of, reply_via, team_of, user_of

log = logging.getLogger(__name__)

COMMANDS: dict[ButtonAction, Callable[[str], c.Command]] = {
    ButtonAction.ACK: lambda code: c.Ack(code=code),
    ButtonAction.DONE: lambda code: c.Done(code=code),
    ButtonAction.SNOOZE: lambda code: c.Snooze(code=code, when="1 day"),
    ButtonAction.ESCALATE: lambda code: c.Escalate(code=code),
}
# The edited tracking message is the answer to these; a reply would only repeat it.
QUIET = frozenset({ButtonAction.ACK, ButtonAction.DONE})


def register(bolt: App, deps: Deps) -> None:
    """Listen for the buttons that map straight to a command."""
    for action in COMMANDS:
        bolt.action(action.value)(_listener(deps, action))


def _listener(deps: Deps, action: ButtonAction) -> Callable[..., None]:
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        deps.background(
            f"{action.value} by {user_of(body)}", press, action.value, body, request=body
        )

    on_click.__name__ = f"on_{action.value}"
    return on_click


def clicked_value(body: dict[str, Any]) -> str:
    """The value of the clicked button (the item code)."""
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def press(deps: Deps, action_id: str, body: dict[str, Any]) -> None:
    """Run the button's command as the clicker; answer privately when there is news."""
    action = ButtonAction(action_id)
    user = user_of(body)
    code = clicked_value(body)
    ctx = None
    try:
        ctx = deps.resolver.context(
            team_id=team_of(body), user_id=user, channel_id=channel_of(body)
        )
        reply = deps.core.execute(ctx, COMMANDS[action](code))
    except Exception:
        log.exception("button %s on %r by %s failed", action.value, code, user)
        reply = deps.failure(ctx, "slack.what.button")
    if reply.kind is MessageKind.ERROR or action not in QUIET:
        reply_via(body.get("response_url"), reply, what=f"{action.value} {code} by {user}")
