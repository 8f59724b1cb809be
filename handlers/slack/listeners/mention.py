"""`app_mention`: a short help, shown only to the person who mentioned the bot."""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt import App

from bot import compose
from bot.i18n import tr
from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.payloads import EventEnvelope, Mention, parse
from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

KIND = "slack.mention"


def register(bolt: App, deps: Deps) -> None:
    """Listen for mentions of the bot."""
    from handlers.slack.app import guarded

    @guarded
    def on_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        envelope = parse(EventEnvelope, body, what="app_mention event")
        mention = parse(Mention, event, what="app_mention") if envelope else None
        if envelope is None or mention is None or event.get("bot_id"):
            return
        key = f"event:{envelope.event_id}"
        deps.store(kind=KIND, key=key, team=envelope.team_id, payload=mention)

    bolt.event("app_mention")(on_mention)


def routes(deps: Deps) -> dict[str, Route]:
    """The inbox handler of mentions."""
    return {KIND: Route(functools.partial(answer, deps))}


def answer(deps: Deps, task: Task, finish: Finish) -> None:
    """Show the help privately in the channel where the bot was mentioned."""
    mention = Mention.model_validate(task.payload)
    ctx = deps.context(task, team=task.workspace, user=mention.user, channel=mention.channel)
    with finish():
        message = compose.reply(tr(deps.core.locale(ctx), "slack.mention_help"))
        deps.answer(task, ctx, message, chat=mention.channel)
