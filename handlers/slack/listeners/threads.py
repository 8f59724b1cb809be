"""`message` events: replies in a tracking (or stand-up) thread become updates.

Bots' messages are ignored (Bolt already drops the bot's own); an edit or a
deletion of a reply is kept as a new entry, so the trail stays whole. Only
thread replies, and changes to them, are stored in the inbox; other messages
concern no item.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt import App

from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.listeners.commands import bare_context
from handlers.slack.payloads import EventEnvelope, ReplyChange, ThreadReply, parse
from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

REPLY_KIND = "slack.thread_reply"
CHANGE_KIND = "slack.reply_change"
# Messages people write; other subtypes (joins, topic changes...) are not replies.
_REPLY_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


def register(bolt: App, deps: Deps) -> None:
    """Listen for messages in channels the bot is in."""
    from handlers.slack.app import guarded

    @guarded
    def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        envelope = parse(EventEnvelope, body, what="message event")
        if envelope is None:
            return
        subtype = event.get("subtype")
        key = f"event:{envelope.event_id}"
        if subtype in ("message_changed", "message_deleted"):
            change = parse(ReplyChange, event, what="message change")
            if change is not None and _thread_of_change(change):
                deps.store(kind=CHANGE_KIND, key=key, team=envelope.team_id, payload=change)
        elif subtype in _REPLY_SUBTYPES and _may_be_reply(event):
            reply = parse(ThreadReply, event, what="thread reply")
            if reply is not None and reply.thread_ts != reply.ts:
                deps.store(kind=REPLY_KIND, key=key, team=envelope.team_id, payload=reply)

    bolt.event("message")(on_message)


def routes(deps: Deps) -> dict[str, Route]:
    """The inbox handlers of thread replies and their changes."""
    return {
        REPLY_KIND: Route(functools.partial(record_reply, deps), functools.partial(give_up, deps)),
        CHANGE_KIND: Route(functools.partial(record_change, deps)),
    }


def _may_be_reply(event: dict[str, Any]) -> bool:
    return bool(event.get("thread_ts") and not event.get("bot_id"))


def _thread_of_change(change: ReplyChange) -> str | None:
    inner = change.message or change.previous_message
    if inner is None or inner.bot_id or inner.subtype == "bot_message":
        return None
    if not inner.thread_ts or inner.thread_ts == inner.ts:
        return None
    return inner.thread_ts


def record_reply(deps: Deps, task: Task, finish: Finish) -> None:
    """Store the reply; the first by anyone but the requester acknowledges the item."""
    reply = ThreadReply.model_validate(task.payload)
    ctx = deps.context(task, team=task.workspace, user=reply.user, channel=reply.channel)
    with finish():
        deps.core.perform(
            lambda: deps.core.items.record_reply(
                ctx=ctx,
                channel_id=reply.channel,
                thread_id=reply.thread_ts,
                message_id=reply.ts,
                text=reply.text,
            ),
            now=ctx.now,
        )


def give_up(deps: Deps, task: Task) -> None:
    """Tell the person their reply could not be recorded."""
    reply = ThreadReply.model_validate(task.payload)
    ctx = bare_context(task, task.workspace, reply.user, reply.channel)
    deps.answer(task, ctx, deps.failure(ctx, "slack.what.reply"), chat=reply.channel, name="failed")


def record_change(deps: Deps, task: Task, finish: Finish) -> None:
    """Keep an edit (new text) or a deletion (no text) of a thread reply."""
    change = ReplyChange.model_validate(task.payload)
    deleted = change.subtype == "message_deleted"
    inner = (change.previous_message if deleted else change.message) or change.previous_message
    user = (inner.user if inner else None) or (
        change.previous_message.user if change.previous_message else None
    )
    thread = _thread_of_change(change)
    if not user or inner is None or thread is None:
        log.info("a change in %s without an author was not recorded", change.channel)
        return
    ctx = deps.context(task, team=task.workspace, user=user, channel=change.channel)
    with finish():
        deps.core.items.record_reply_change(
            ctx=ctx,
            channel_id=change.channel,
            thread_id=thread,
            message_id=change.deleted_ts or inner.ts or "",
            text=None if deleted else (inner.text or ""),
        )
