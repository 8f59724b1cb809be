"""`app_mention`: a short help, shown only to the person who mentioned the bot."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import compose
from bot.i18n import tr
from handlers.slack.runtime import Deps, team_of

log = logging.getLogger(__name__)


def register(bolt: App, deps: Deps) -> None:
    """Listen for mentions of the bot."""

    def on_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        deps.background("mention help", answer, body, event, request=body)

    bolt.event("app_mention")(on_mention)


def answer(deps: Deps, body: dict[str, Any], event: dict[str, Any]) -> None:
    """Show the help privately in the channel where the bot was mentioned."""
    channel, user = str(event.get("channel") or ""), str(event.get("user") or "")
    if not user or event.get("bot_id"):
        return
    ctx = deps.resolver.context(team_id=team_of(body), user_id=user, channel_id=channel)
    message = compose.reply(tr(deps.core.locale(ctx), "slack.mention_help"))
    deps.tell_privately(channel, user, message)
