"""`reaction_added` on a tracking message: ✅ marks done, 👀 acknowledges, others are ignored.

Someone who may not do that is told why, privately (chat.postEphemeral).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import compose
from handlers.slack.reaction_names import reaction_intent
from handlers.slack.runtime import Deps, team_of

log = logging.getLogger(__name__)


def register(bolt: App, deps: Deps) -> None:
    """Listen for reactions."""

    def on_reaction(body: dict[str, Any], event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        name = str(event.get("reaction") or "")
        if item.get("type") != "message" or reaction_intent(name) is None:
            return
        where = f"{event.get('user')} in {item.get('channel')}"
        deps.background(f"reaction {name} by {where}", react, body, event, request=body)

    bolt.event("reaction_added")(on_reaction)


def react(deps: Deps, body: dict[str, Any], event: dict[str, Any]) -> None:
    """Apply the reaction as the person who reacted."""
    item = event["item"]
    channel, user = str(item.get("channel") or ""), str(event.get("user") or "")
    intent = reaction_intent(str(event.get("reaction") or ""))
    if intent is None:
        return
    ctx = None
    try:
        ctx = deps.resolver.context(team_id=team_of(body), user_id=user, channel_id=channel)
        acting = ctx
        outcome = deps.core.perform(
            lambda: deps.core.items.react(
                ctx=acting,
                channel_id=channel,
                message_id=str(item.get("ts") or ""),
                reaction=intent,
            ),
            now=ctx.now,
        )
    except Exception:
        log.exception("the reaction of %s in %s failed", user, channel)
        deps.tell_privately(channel, user, deps.failure(ctx, "slack.what.reaction"))
        return
    if outcome.refused:
        deps.tell_privately(channel, user, compose.error_reply(outcome.refused))
