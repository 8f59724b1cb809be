"""`/xdept <text>`: stored in the inbox, acknowledged; the answer follows through response_url."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.context import Actor, Context
from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.escapes import neutral_text
from handlers.slack.listeners import minutes, status
from handlers.slack.payloads import SlashCommand, parse
from handlers.slack.resolver import PLATFORM
from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

# `/xdept`, and variants such as `/xdept-dev` for a second app on the same workspace.
COMMAND = re.compile(r"^/xdept(?:[-_][a-z0-9]+)?$")
KIND = "slack.command"


def register(bolt: App, deps: Deps) -> None:
    """Listen for the slash command."""
    from handlers.slack.app import guarded

    @guarded
    def on_command(ack: Ack, body: dict[str, Any]) -> None:
        command = parse(SlashCommand, body, what="slash command")
        code = status.wants_form(command) if command is not None else None
        if command is not None and code is not None:
            status.open_form(deps, command, code)  # the trigger lives 3 seconds
        elif command is not None and minutes.wants_form(command):
            minutes.open_from_command(deps, command)
        elif command is not None:
            key = f"command:{command.trigger_id}"
            deps.store(kind=KIND, key=key, team=command.team_id, payload=command)
        ack()

    bolt.command(COMMAND)(on_command)


def routes(deps: Deps) -> dict[str, Route]:
    """The inbox handler of slash commands."""
    return {KIND: Route(functools.partial(run, deps), functools.partial(give_up, deps))}


def run(deps: Deps, task: Task, finish: Finish) -> None:
    """Run the command as the person who typed it and queue their private answer."""
    command = SlashCommand.model_validate(task.payload)
    ctx = deps.context(task, team=command.team_id, user=command.user_id, channel=command.channel_id)
    text = neutral_text(command.text)
    with finish():
        reply = deps.core.reply_to(ctx, text.text, mentions=text.mentions)
        deps.answer(
            task,
            ctx,
            reply.message,
            response_url=command.response_url,
            chat=command.channel_id,
            filed=reply.filed,
        )


def give_up(deps: Deps, task: Task) -> None:
    """Tell the person their command could not be done."""
    command = SlashCommand.model_validate(task.payload)
    ctx = bare_context(task, command.team_id, command.user_id, command.channel_id)
    deps.answer(
        task,
        ctx,
        deps.failure(ctx, "slack.what.command"),
        response_url=command.response_url,
        chat=command.channel_id,
        name="failed",
    )


def bare_context(task: Task, team: str, user: str, channel: str | None) -> Context:
    """A context without asking Slack anything (it may be Slack that keeps failing)."""
    return Context(
        platform=PLATFORM,
        workspace=team,
        actor=Actor(user_id=user),
        now=task.received_at,
        channel_id=channel,
    )
