"""`/xdept <text>`: stored in the inbox, acknowledged; the answer follows through response_url."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_bolt.request.internals import extract_team_id

from bot import commands as c
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


# Subcommands that may open a form within the request (the trigger lives 3 seconds).
_FORMS = frozenset({"status", "minutes"})


def register(bolt: App, deps: Deps) -> None:
    """Listen for the slash command."""
    from handlers.slack.app import guarded

    @guarded
    def on_command(ack: Ack, body: dict[str, Any]) -> None:
        command = parse(SlashCommand, body, what="slash command")
        if command is not None:
            _take(deps, command)
        ack()

    bolt.command(COMMAND)(on_command)


def take_directly(deps: Deps, form: dict[str, str]) -> BoltResponse | None:
    """A slash command straight from the front door, without Bolt's dispatch.

    Every command is acknowledged in the time it takes to store it, and Bolt's
    routing costs more than that; this does what the gate and the listener
    would. None leaves the request to Bolt: another command, or one that opens
    a form (which needs the team's client).
    """
    if not COMMAND.match(form.get("command", "")):
        return None
    refusal = deps.tenancy.admit(form, extract_team_id(form))
    if refusal is not None:
        return refusal
    command = parse(SlashCommand, form, what="slash command")
    if command is not None:
        if _opens_form(command):
            return None
        _store(deps, command)
    return BoltResponse(status=200, body="")


def _opens_form(command: SlashCommand) -> bool:
    return c.subcommand_of(neutral_text(command.text).text) in _FORMS


def _take(deps: Deps, command: SlashCommand) -> None:
    """Open the command's form now, or store the command for the workers."""
    parsed = _read(command) if _opens_form(command) else None
    code = status.wants_form(parsed)
    if code is not None:
        status.open_form(deps, command, code)
    elif minutes.wants_form(parsed):
        minutes.open_from_command(deps, command)
    else:
        _store(deps, command)


def _store(deps: Deps, command: SlashCommand) -> None:
    key = f"command:{command.trigger_id}"
    deps.store(kind=KIND, key=key, team=command.team_id, payload=command)


def _read(command: SlashCommand) -> c.Command | None:
    """The command as typed, or None if it cannot be read (the worker explains why)."""
    try:
        return c.parse_command(neutral_text(command.text).text)
    except c.CommandError:
        return None


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
