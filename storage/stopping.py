"""Stopping one workspace's pending work when the app is removed from it.

Its waiting requests (inbox) and messages (outbox) are cancelled in the
transaction that records the removal: none is retried, none is sent with a
token that no longer works, and the rows stay for the audit until a purge.
A worker that holds one of its rows meanwhile finds its claim gone and drops
what it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.inbox import TaskState
from storage.models import InboxTask, OutboxMessage, Workspace

# The outbox state of a row that will never be sent (not "failed": nobody must be told).
OUTBOX_CANCELLED = "cancelled"
_OUTBOX_OPEN = ("pending", "sending")
_INBOX_OPEN = (TaskState.PENDING.value, TaskState.WORKING.value)
REASON = "the app was removed from this workspace"


@dataclass(frozen=True)
class Stopped:
    """How many rows were cancelled."""

    inbox: int
    outbox: int


def cancel_pending(
    session: Session, *, platform: str, workspace: str, now: datetime, reason: str = REASON
) -> Stopped:
    """Cancel every open inbox and outbox row of one workspace (the caller commits)."""
    inbox = session.execute(
        update(InboxTask)
        .where(
            InboxTask.platform == platform,
            InboxTask.workspace == workspace,
            InboxTask.state.in_(_INBOX_OPEN),
        )
        .values(state=TaskState.CANCELLED.value, claim=None, finished_at=now, last_error=reason)
    )
    ws_id = session.scalar(
        select(Workspace.id).where(
            Workspace.platform == platform, Workspace.external_id == workspace
        )
    )
    outbox_count = 0
    if ws_id is not None:
        outbox = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.workspace_id == ws_id, OutboxMessage.state.in_(_OUTBOX_OPEN))
            .values(state=OUTBOX_CANCELLED, last_error=reason)
        )
        outbox_count = int(getattr(outbox, "rowcount", 0) or 0)
    return Stopped(inbox=int(getattr(inbox, "rowcount", 0) or 0), outbox=outbox_count)
