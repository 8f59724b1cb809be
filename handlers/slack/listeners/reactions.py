"""`reaction_added` on a tracking message: ✅ marks done, 👀 acknowledges, others are ignored.

Someone who may not do that is told why, privately (chat.postEphemeral).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt import App

from bot import compose
from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.listeners.commands import bare_context
from handlers.slack.payloads import EventEnvelope, ReactionAdded, parse
from handlers.slack.reaction_names import reaction_intent
from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

KIND = "slack.reaction"


def register(bolt: App, deps: Deps) -> None:
    """Listen for reactions."""
    from handlers.slack.app import guarded

    @guarded
    def on_reaction(body: dict[str, Any], event: dict[str, Any]) -> None:
        envelope = parse(EventEnvelope, body, what="reaction event")
        reaction = parse(ReactionAdded, event, what="reaction") if envelope else None
        if envelope is None or reaction is None:
            return
        if reaction_intent(reaction.reaction) is None:
            return
        key = f"event:{envelope.event_id}"
        deps.store(kind=KIND, key=key, team=envelope.team_id, payload=reaction)

    bolt.event("reaction_added")(on_reaction)


def routes(deps: Deps) -> dict[str, Route]:
    """The inbox handler of reactions."""
    return {KIND: Route(functools.partial(react, deps), functools.partial(give_up, deps))}


def react(deps: Deps, task: Task, finish: Finish) -> None:
    """Apply the reaction as the person who reacted; a refusal is told privately."""
    reaction = ReactionAdded.model_validate(task.payload)
    intent = reaction_intent(reaction.reaction)
    if intent is None:
        return
    channel = reaction.item.channel
    ctx = deps.context(task, team=task.workspace, user=reaction.user, channel=channel)
    with finish():
        outcome = deps.core.perform(
            lambda: deps.core.items.react(
                ctx=ctx,
                channel_id=channel,
                message_id=reaction.item.ts,
                reaction=intent,
            ),
            now=ctx.now,
        )
        if outcome.refused:
            deps.answer(task, ctx, compose.error_reply(outcome.refused), chat=channel)


def give_up(deps: Deps, task: Task) -> None:
    """Tell the person their reaction could not be applied."""
    reaction = ReactionAdded.model_validate(task.payload)
    channel = reaction.item.channel
    ctx = bare_context(task, task.workspace, reaction.user, channel)
    message = deps.failure(ctx, "slack.what.reaction")
    deps.answer(task, ctx, message, chat=channel, name="failed")
