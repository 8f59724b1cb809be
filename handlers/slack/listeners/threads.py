"""`message` events: replies in a tracking (or stand-up) thread become updates.

Bots' messages are ignored (Bolt already drops the bot's own); an edit or a
deletion of a reply is kept as a new entry, so the trail stays whole.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from handlers.slack.runtime import Deps, team_of

log = logging.getLogger(__name__)

# Messages people write; other subtypes (joins, topic changes...) are not replies.
_REPLY_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


def register(bolt: App, deps: Deps) -> None:
    """Listen for messages in channels the bot is in."""

    def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype in ("message_changed", "message_deleted"):
            if _thread_of_change(event):
                deps.background("thread reply change", record_change, body, event, request=body)
        elif subtype in _REPLY_SUBTYPES and _is_human_reply(event):
            where = f"{event.get('user')} in {event.get('channel')}"
            deps.background(f"thread reply by {where}", record_reply, body, event, request=body)

    bolt.event("message")(on_message)


def _is_human_reply(event: dict[str, Any]) -> bool:
    thread = event.get("thread_ts")
    return bool(
        thread and thread != event.get("ts") and event.get("user") and not event.get("bot_id")
    )


def _thread_of_change(event: dict[str, Any]) -> str | None:
    inner = event.get("message") or event.get("previous_message") or {}
    if inner.get("bot_id") or inner.get("subtype") == "bot_message":
        return None
    thread = inner.get("thread_ts")
    if not thread or thread == inner.get("ts"):
        return None
    return str(thread)


def record_reply(deps: Deps, body: dict[str, Any], event: dict[str, Any]) -> None:
    """Store the reply; the first by anyone but the requester acknowledges the item."""
    channel, user = str(event.get("channel") or ""), str(event["user"])
    ctx = None
    try:
        ctx = deps.resolver.context(team_id=team_of(body), user_id=user, channel_id=channel)
        acting = ctx
        deps.core.perform(
            lambda: deps.core.items.record_reply(
                ctx=acting,
                channel_id=channel,
                thread_id=str(event["thread_ts"]),
                message_id=str(event.get("ts") or ""),
                text=str(event.get("text") or ""),
            ),
            now=ctx.now,
        )
    except Exception:
        log.exception("recording the reply of %s in %s failed", user, channel)
        deps.tell_privately(channel, user, deps.failure(ctx, "slack.what.reply"))


def record_change(deps: Deps, body: dict[str, Any], event: dict[str, Any]) -> None:
    """Keep an edit (new text) or a deletion (no text) of a thread reply."""
    channel = str(event.get("channel") or "")
    deleted = event.get("subtype") == "message_deleted"
    inner = (event.get("previous_message") if deleted else event.get("message")) or {}
    user = inner.get("user") or (event.get("previous_message") or {}).get("user")
    if not user:
        log.info("a change in %s without an author was not recorded", channel)
        return
    ctx = deps.resolver.context(team_id=team_of(body), user_id=str(user), channel_id=channel)
    deps.core.items.record_reply_change(
        ctx=ctx,
        channel_id=channel,
        thread_id=str(inner.get("thread_ts")),
        message_id=str(event.get("deleted_ts") or inner.get("ts") or ""),
        text=None if deleted else str(inner.get("text") or ""),
    )
