"""Buttons: Acknowledge, Done, Snooze 1 day on the tracking message; Escalate in the DM.

Each click is stored in the inbox and acknowledged; a worker runs the
matching command as the person who clicked. The tracking message is edited
in place by the delivery that follows; the clicker is answered privately
when refused, and for snooze and escalate.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot import commands as c
from bot.messages import ButtonAction, MessageKind
from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.listeners.commands import bare_context
from handlers.slack.payloads import ButtonClick, parse
from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

KIND = "slack.button"
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
    from handlers.slack.app import guarded

    @guarded
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        click = parse(ButtonClick, body, what="button click")
        if click is not None:
            deps.store_interaction(KIND, click)
        ack()

    for action in COMMANDS:
        bolt.action(action.value)(on_click)


def routes(deps: Deps) -> dict[str, Route]:
    """The inbox handler of button clicks."""
    return {KIND: Route(functools.partial(press, deps), functools.partial(give_up, deps))}


def press(deps: Deps, task: Task, finish: Finish) -> None:
    """Run the button's command as the clicker; answer privately when there is news."""
    click = ButtonClick.model_validate(task.payload)
    action = ButtonAction(click.action.action_id)
    code = click.action.value or ""
    ctx = deps.context(task, team=click.team_id, user=click.user_id, channel=click.channel_id)
    with finish():
        reply = deps.core.execute(ctx, COMMANDS[action](code))
        if reply.kind is MessageKind.ERROR or action not in QUIET:
            deps.answer(task, ctx, reply, response_url=click.response_url, chat=click.channel_id)


def give_up(deps: Deps, task: Task) -> None:
    """Tell the clicker the click could not be done."""
    click = ButtonClick.model_validate(task.payload)
    ctx = bare_context(task, click.team_id, click.user_id, click.channel_id)
    message = deps.failure(ctx, "slack.what.button")
    deps.answer(task, ctx, message, response_url=click.response_url, name="failed")
