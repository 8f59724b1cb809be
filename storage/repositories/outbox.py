"""The outbox: every message the bot will send, keyed so nothing goes twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    OutboxMessage,
)
from storage.repositories.base import Repository, insert_ignoring_duplicates, insert_many_as_json


class OutboxRepository(Repository):
    """The outbox: every message the bot will send, keyed so nothing goes twice."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        # Ids this transaction added, so its use case can deliver exactly those.
        self.queued: list[int] = []

    def enqueue(self, **values: Any) -> bool:
        """Add a message unless one with the same dedupe key exists; True if added."""
        values.setdefault("state", "pending")
        values.setdefault("attempts", 0)
        values.setdefault("payload", {})
        values.setdefault("next_attempt_at", values["created_at"])
        row_id = insert_ignoring_duplicates(self.session, OutboxMessage.__table__, values)
        if row_id is not None:
            self.queued.append(int(row_id))
        return row_id is not None

    def enqueue_many(self, rows: Sequence[dict[str, Any]]) -> set[str]:
        """Add many messages in one batched statement, skipping existing dedupe keys; new keys."""
        if not rows:
            return set()
        table: Any = OutboxMessage.__table__
        maker = pg_insert if self._is_postgres else sqlite_insert
        batch = []
        for values in rows:
            row = dict(values)
            row.setdefault("state", "pending")
            row.setdefault("attempts", 0)
            row.setdefault("payload", {})
            row.setdefault("next_attempt_at", row["created_at"])
            batch.append(row)
        # Every row needs the same columns for one cached statement over all of them.
        columns = set().union(*batch)
        batch = [{c: row.get(c) for c in columns} for row in batch]
        if self._is_postgres:
            return set(insert_many_as_json(self.session, table, batch, "dedupe_key", "dedupe_key"))
        stmt = (
            maker(table)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(table.c.dedupe_key)
        )
        # executemany with RETURNING: SQLAlchemy batches it into multi-row INSERTs itself.
        return set(self.session.scalars(stmt, batch))

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage | None:
        """One outbox row."""
        stmt = select(OutboxMessage).where(OutboxMessage.id == message_id)
        if lock and self._is_postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        return self.session.scalar(stmt)

    def due_ids(self, now: datetime, *, limit: int, workspace_id: int | None = None) -> list[int]:
        """Ids of pending rows whose next attempt is due, oldest first."""
        stmt = select(OutboxMessage.id).where(
            OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now
        )
        if workspace_id is not None:
            stmt = stmt.where(OutboxMessage.workspace_id == workspace_id)
        return list(self.session.scalars(stmt.order_by(OutboxMessage.id).limit(limit)))

    def candidates(
        self, ids: Sequence[int] | None = None, *, due: datetime | None = None, limit: int = 500
    ) -> Sequence[Row[int, int, str, int | None, str | None, str | None]]:
        """What delivery needs to choose rows (no payloads): the given pending rows, or the
        pending rows due at `due`, oldest first."""
        stmt = select(
            OutboxMessage.id,
            OutboxMessage.workspace_id,
            OutboxMessage.action,
            OutboxMessage.item_id,
            OutboxMessage.channel_id,
            OutboxMessage.user_id,
        ).where(OutboxMessage.state == "pending")
        if ids is not None:
            stmt = stmt.where(OutboxMessage.id.in_(sorted(set(ids))))
        if due is not None:
            stmt = stmt.where(OutboxMessage.next_attempt_at <= due)
        return self.session.execute(stmt.order_by(OutboxMessage.id).limit(limit)).all()

    def claim(
        self, ids: Sequence[int], *, token: str, now: datetime, early: Sequence[int] = ()
    ) -> set[int]:
        """Take pending rows for sending; the ids taken. A row is taken once it is due, or
        at once if it is among `early` (its Retry-After was waited out in this run)."""
        if not ids:
            return set()
        due = OutboxMessage.next_attempt_at <= now
        stmt = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(sorted(set(ids))),
                OutboxMessage.state == "pending",
                or_(due, OutboxMessage.id.in_(sorted(set(early)))) if early else due,
            )
            .values(state="sending", claim=token, claimed_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        return {int(i) for i in self.session.scalars(stmt)}

    def release_stale(self, cutoff: datetime) -> int:
        """Give back rows whose sender has held them since before `cutoff` (it died, most
        likely); each remembers from when its message may already be out."""
        claimed = func.coalesce(OutboxMessage.claimed_at, OutboxMessage.next_attempt_at)
        result = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "sending", claimed < cutoff)
            .values(
                state="pending",
                claim=None,
                unsure_since=func.coalesce(OutboxMessage.unsure_since, claimed),
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def held(self, ids: Sequence[int], token: str) -> list[OutboxMessage]:
        """The rows among `ids` that this claim still holds, oldest first."""
        if not ids:
            return []
        return list(
            self.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id.in_(sorted(set(ids))), OutboxMessage.claim == token)
                .order_by(OutboxMessage.id)
            )
        )

    def pending_for_item(self, item_id: int) -> list[OutboxMessage]:
        """Rows not yet sent for an item."""
        return list(
            self.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.item_id == item_id, OutboxMessage.state == "pending")
                .order_by(OutboxMessage.id)
            )
        )

    def by_key(self, dedupe_key: str) -> OutboxMessage | None:
        """The row with that dedupe key."""
        return self.session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
