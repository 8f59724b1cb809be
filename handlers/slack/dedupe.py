"""Exactly once: a request Slack retries or delivers twice is acknowledged and dropped.

Slack retries an event it thinks went unanswered (same `event_id`, with
`X-Slack-Retry-Num`) and a network can deliver one request twice. Each
request's key is recorded in the database before any listener runs; a key
seen before (by any worker or replica) means the request was handled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

from bot.i18n import t
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


def retry_number(req: BoltRequest) -> int:
    """Slack's X-Slack-Retry-Num (0 for a first delivery)."""
    values = req.headers.get("x-slack-retry-num") or []
    try:
        return int(values[0]) if values else 0
    except ValueError:
        return 0


def dedupe_middleware(
    store: Store, *, locale: str, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Callable[..., BoltResponse | None]:
    """A Bolt middleware that drops requests already handled."""

    def dedupe(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], None]
    ) -> BoltResponse | None:
        body = req.body
        key = request_key(body)
        if key is None:
            next()
            return None
        try:
            with store.unit_of_work() as uow:
                first = uow.events.first_time(PLATFORM, key, now())
        except Exception:
            log.exception("could not record Slack request %s", key)
            if body.get("command"):
                # The person sees this instead of Slack's generic failure.
                return BoltResponse(
                    status=200,
                    body={"response_type": "ephemeral", "text": t(locale, "slack.db_down")},
                )
            return BoltResponse(status=500, body="")  # Slack retries events later
        if not first:
            log.info("dropped a repeated Slack request %s (retry %d)", key, retry_number(req))
            return BoltResponse(status=200, body="")
        next()
        return None

    return dedupe
