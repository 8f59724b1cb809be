"""Exactly once: a request Slack retries or delivers twice is handled once.

Slack retries an event it thinks went unanswered (same `event_id`, with
`X-Slack-Retry-Num`) and a network can deliver one request twice. Every
request is acknowledged at once; its key travels with the work it leaves
(`handlers.slack.jobs`), and the work first records the key in the database
(processed_events, unique): a key recorded before, by any worker, process
or replica, means the request was handled and the work is dropped. Keeping
the database out of the acknowledgement keeps it as fast as Bolt's own.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from handlers.slack.resolver import PLATFORM
from storage.db import Store

log = logging.getLogger(__name__)

# Message subtypes that never concern an item: no need to remember them.
_THREAD_SUBTYPES = frozenset(
    {None, "thread_broadcast", "file_share", "message_changed", "message_deleted"}
)


def request_key(body: dict[str, Any]) -> str | None:
    """The idempotency key of a Slack request, or None for one that changes nothing."""
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") or {}
        if event.get("type") == "message" and not _may_concern_item(event):
            return None
        event_id = body.get("event_id")
        return f"event:{event_id}" if event_id else None
    trigger = body.get("trigger_id")
    if body.get("command") and trigger:
        return f"command:{trigger}"
    if kind in ("block_actions", "message_action", "shortcut", "view_submission") and trigger:
        return f"interaction:{trigger}"
    return None


def _may_concern_item(event: dict[str, Any]) -> bool:
    """Only thread replies, and edits or deletions of them, can touch an item."""
    subtype = event.get("subtype")
    if subtype not in _THREAD_SUBTYPES:
        return False
    if subtype in ("message_changed", "message_deleted"):
        inner = event.get("message") or event.get("previous_message") or {}
        return bool(inner.get("thread_ts"))
    return bool(event.get("thread_ts"))


def first_time(store: Store, key: str) -> bool:
    """Record a request's key; False if it was recorded before (a retry or a duplicate)."""
    with store.unit_of_work() as uow:
        return uow.events.first_time(PLATFORM, key, datetime.now(UTC))
