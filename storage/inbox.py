"""The inbox: requests stored before they are acknowledged, claimed by workers with a lease.

A row is written once per idempotency key (a platform's retry finds it and
changes nothing). A worker claims the oldest row that may run with a
conditional UPDATE: on PostgreSQL the candidate is picked `FOR UPDATE SKIP
LOCKED`, so two workers never wait on each other; on SQLite the transaction
already holds the database's write lock (storage.db). The claim writes a
fresh token and a lease; only the holder of the token may finish the row, so
a worker that lost its lease (it stalled, and another reclaimed the row) can
never complete the same request a second time.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from storage.models import InboxTask


class TaskState(StrEnum):
    """Where an inbox row stands."""

    PENDING = "pending"  # waiting for a worker (or for its retry time)
    WORKING = "working"  # claimed; `available_at` is when the claim lapses
    DONE = "done"  # finished, in the same transaction as its use case
    FAILED = "failed"  # given up after repeated failures; the person was told
    CANCELLED = "cancelled"  # its workspace removed the app before a worker got to it


_OPEN = (TaskState.PENDING.value, TaskState.WORKING.value)
_CLOSED = (TaskState.DONE.value, TaskState.FAILED.value, TaskState.CANCELLED.value)


@dataclass(frozen=True)
class Claimed:
    """A claimed row as plain values: what to do, and the token that lets its holder finish it."""

    id: int
    platform: str
    workspace: str
    key: str
    kind: str
    payload: dict[str, Any]
    received_at: datetime
    attempts: int
    claim: str


def request_row(
    *,
    platform: str,
    workspace: str,
    key: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    claim: str | None = None,
    lease_until: datetime | None = None,
) -> dict[str, Any]:
    """The values of a new row: pending, or claimed by `claim` until `lease_until`."""
    claimed = claim is not None
    return {
        "platform": platform,
        "workspace": workspace,
        "key": key,
        "kind": kind,
        "payload": payload,
        "state": TaskState.WORKING.value if claimed else TaskState.PENDING.value,
        "received_at": now,
        "available_at": lease_until if claimed and lease_until else now,
        "claim": claim,
        "attempts": 1 if claimed else 0,
    }


def store_request(connection: Connection, values: dict[str, Any]) -> int | None:
    """Store a request in one statement: the new row's id, or None if that key was
    stored before.

    On a connection that autocommits, the acknowledgement waits on this one round
    trip, not on a session and a transaction around it.
    """
    row_id = connection.execute(_insert_request(connection.dialect.name), values).scalar()
    return int(row_id) if row_id is not None else None


def store_request_now(engine: Engine, values: dict[str, Any]) -> int | None:
    """`store_request` in a statement that commits on its own, for the acknowledgement.

    On PostgreSQL it goes straight to the driver on a pooled connection, as a
    prepared statement: the acknowledgement of every request waits on it, and
    SQLAlchemy's connection and execution layers cost more CPU than the insert
    itself. Failures come back as SQLAlchemy's errors all the same.
    """
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            return store_request(connection.execution_options(isolation_level="AUTOCOMMIT"), values)
    return store_requests_on_postgres(engine, [values]).get((values["platform"], values["key"]))


def store_requests_on_postgres(
    engine: Engine, rows: Sequence[dict[str, Any]]
) -> dict[tuple[str, str], int]:
    """Store several requests in one statement that commits on its own; the new rows' ids
    by (platform, key). A key stored before (or twice in `rows`) is stored once."""
    from psycopg.types.json import Json

    dialect = engine.dialect
    columns = tuple(rows[0])
    params = [
        value
        for row in rows
        for value in (Json(row[c]) if c == "payload" else row[c] for c in columns)
    ]
    sql = _postgres_insert_sql(columns, len(rows))
    raw = None
    try:
        raw = engine.raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        driver.autocommit = True  # no round trip: the next statement commits itself
        try:
            stored = driver.execute(sql, params, prepare=True).fetchall()
        finally:
            if not driver.closed:
                driver.autocommit = False  # back to the pool as SQLAlchemy lent it
    except dialect.loaded_dbapi.Error as exc:
        dropped = raw is not None and dialect.is_disconnect(exc, raw.driver_connection, None)
        if dropped and raw is not None:
            raw.invalidate(exc)  # the pool replaces it (and checks the others)
        raise DBAPIError.instance(
            sql, params, exc, dialect.loaded_dbapi.Error, connection_invalidated=dropped
        ) from exc
    finally:
        if raw is not None:
            raw.close()
    return {(platform, key): int(row_id) for row_id, platform, key in stored}


@functools.cache
def _postgres_insert_sql(columns: tuple[str, ...], rows: int) -> str:
    table = InboxTask.__tablename__
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)} "
        "ON CONFLICT (platform, key) DO NOTHING RETURNING id, platform, key"
    )


@functools.cache
def _insert_request(dialect: str) -> Any:
    # Built once per dialect: the acknowledgement must not pay for building a statement.
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    table: Any = InboxTask.__table__
    return maker(table).on_conflict_do_nothing().returning(table.c.id)


class InboxRepository:
    """Stores, claims and finishes inbox rows; never commits (the unit of work does)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _is_postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def add(self, values: dict[str, Any]) -> int | None:
        """Store a request (`request_row`'s values) in this transaction, once per key; its
        id, or None if that key was stored before."""
        return store_request(self.session.connection(), values)

    def claim_next(self, *, token: str, now: datetime, lease_until: datetime) -> Claimed | None:
        """Claim the oldest row that may run now (pending, or a claim that lapsed), or None."""
        candidate = (
            select(InboxTask.id)
            .where(InboxTask.state.in_(_OPEN), InboxTask.available_at <= now)
            .order_by(InboxTask.id)
            .limit(1)
        )
        if self._is_postgres:
            candidate = candidate.with_for_update(skip_locked=True)
        stmt = (
            update(InboxTask)
            .where(InboxTask.id == candidate.scalar_subquery())
            .values(
                state=TaskState.WORKING.value,
                claim=token,
                available_at=lease_until,
                attempts=InboxTask.attempts + 1,
            )
            .returning(
                InboxTask.id,
                InboxTask.platform,
                InboxTask.workspace,
                InboxTask.key,
                InboxTask.kind,
                InboxTask.payload,
                InboxTask.received_at,
                InboxTask.attempts,
            )
        )
        row = self.session.execute(stmt).first()
        if row is None:
            return None
        return Claimed(
            id=int(row.id),
            platform=row.platform,
            workspace=row.workspace,
            key=row.key,
            kind=row.kind,
            payload=dict(row.payload or {}),
            received_at=row.received_at,
            attempts=int(row.attempts),
            claim=token,
        )

    def finish(
        self,
        task_id: int,
        token: str,
        *,
        now: datetime,
        state: TaskState = TaskState.DONE,
        error: str | None = None,
    ) -> bool:
        """Close a row this claim holds; False if the claim is no longer in force.

        Run first in the use case's transaction: it locks the row, so nobody can
        reclaim it while the use case runs.
        """
        return self._if_held(task_id, token, state=state.value, finished_at=now, last_error=error)

    def release(self, task_id: int, token: str, *, retry_at: datetime, error: str | None) -> bool:
        """Hand a claimed row back to wait until `retry_at`; False if the claim lapsed."""
        return self._if_held(
            task_id,
            token,
            state=TaskState.PENDING.value,
            claim=None,
            available_at=retry_at,
            last_error=error,
        )

    def _if_held(self, task_id: int, token: str, **values: Any) -> bool:
        """Update a row only while `token` is the claim in force on it."""
        result = self.session.execute(
            update(InboxTask)
            .where(
                InboxTask.id == task_id,
                InboxTask.claim == token,
                InboxTask.state == TaskState.WORKING.value,
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def get(self, task_id: int) -> InboxTask | None:
        """One row."""
        return self.session.get(InboxTask, task_id)

    def by_key(self, platform: str, key: str) -> InboxTask | None:
        """The row stored for that request, if any."""
        return self.session.scalar(
            select(InboxTask).where(InboxTask.platform == platform, InboxTask.key == key)
        )

    def open_count(self) -> int:
        """Rows not finished yet (waiting, or being worked)."""
        stmt = select(func.count()).select_from(InboxTask).where(InboxTask.state.in_(_OPEN))
        return int(self.session.scalar(stmt) or 0)

    def forget_before(self, cutoff: datetime) -> int:
        """Drop finished rows received before `cutoff` (retries come within minutes)."""
        result = self.session.execute(
            delete(InboxTask).where(InboxTask.state.in_(_CLOSED), InboxTask.received_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
