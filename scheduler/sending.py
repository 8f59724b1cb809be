"""Sending one planned message through its workspace's Messenger; no database work here.

A message whose earlier claim went stale may already be out (its sender died
between the platform's answer and the record): it is looked up by its key
first, and only sent if it is not found. Private answers and files carry no
key the platform keeps, so they can repeat after such a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.ports import MessageRef, Messenger
from scheduler.answers import send_answer
from scheduler.planning import Plan

# Hosts' clocks differ a little: look a minute further back than the claim.
CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class Result:
    """Where a message landed (None for edits and private answers)."""

    ref: MessageRef | None
    permalink: str | None = None
    found: bool = False  # it had gone out before: found by its key, not sent again


def send(plan: Plan, messenger: Messenger, *, links: Mapping[int, str]) -> Result:
    """Carry out a plan; `links` holds the permalinks of tracking messages posted earlier
    in the same round, for confirmations that link them."""
    if plan.answer is not None:
        answer = plan.answer
        if answer.item_id is not None:
            answer = answer.linked(links.get(answer.item_id))
        send_answer(messenger, answer)
        return Result(ref=None)
    if plan.kind == "update":
        assert plan.channel and plan.thread_id
        messenger.update(
            ref=MessageRef(chat=plan.channel, message_id=plan.thread_id), message=plan.message
        )
        return Result(ref=None)
    ref = _already_sent(plan, messenger)
    found = ref is not None
    if ref is None and plan.kind == "dm":
        assert plan.user
        ref = messenger.dm(user=plan.user, message=plan.message, idempotency_key=plan.key)
    elif ref is None:
        assert plan.channel
        ref = messenger.post(
            chat=plan.channel,
            message=plan.message,
            thread_id=plan.thread_id,
            idempotency_key=plan.key,
        )
    if plan.attachment is not None:
        name, content, title = plan.attachment
        messenger.upload(chat=ref.chat, filename=name, content=content, title=title)
    permalink = messenger.permalink(ref=ref) if plan.item_id is not None else None
    return Result(ref=ref, permalink=permalink, found=found)


def _already_sent(plan: Plan, messenger: Messenger) -> MessageRef | None:
    if plan.unsure_since is None:
        return None
    return messenger.find_sent(
        key=plan.key,
        since=plan.unsure_since - CLOCK_SKEW,
        chat=plan.channel if plan.kind != "dm" else None,
        user=plan.user if plan.kind == "dm" else None,
        thread_id=plan.thread_id,
    )
