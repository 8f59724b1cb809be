"""Engines, sessions and the unit of work: one transaction per use case.

`Store.transaction()` opens an ambient transaction: every unit of work begun
inside the block (the services' own) joins it as a savepoint instead of
committing on its own. A caller uses it to make a use case land together with
what it records about it (the inbox row that asked for it, the reply it
queues): all of it or none of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from storage.inbox import InboxRepository
from storage.repositories import (
    ChatPaceRepository,
    DepartmentRepository,
    ItemRepository,
    OutboxRepository,
    PersonRepository,
    StandupRepository,
    WorkspaceRepository,
)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite or PostgreSQL (psycopg 3), set up for concurrent use."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        _sqlite_write_transactions(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _sqlite_write_transactions(engine: Engine) -> None:
    # pysqlite opens transactions lazily and as readers; two such readers that both
    # try to write deadlock into "database is locked". BEGIN IMMEDIATE takes the
    # write lock up front so concurrent use cases queue instead of failing.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # a statement that commits on its own (Store.autocommit)
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# Outbox ids committed by the units of work of the current use case (Store.collect_queued).
_collected: ContextVar[list[int] | None] = ContextVar("xdept_collected_outbox", default=None)
# The transaction units of work join (Store.transaction), with the store that opened it.
_ambient: ContextVar[tuple[Store, UnitOfWork] | None] = ContextVar("xdept_ambient", default=None)


class UnitOfWork:
    """The repositories of one transaction; commit() is the only way anything lands."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.workspaces = WorkspaceRepository(session)
        self.people = PersonRepository(session)
        self.departments = DepartmentRepository(session)
        self.items = ItemRepository(session)
        self.outbox = OutboxRepository(session)
        self.pace = ChatPaceRepository(session)
        self.inbox = InboxRepository(session)
        self.standups = StandupRepository(session)

    def commit(self) -> None:
        """Make the transaction's changes durable."""
        self.session.commit()

    def rollback(self) -> None:
        """Discard the transaction's changes."""
        self.session.rollback()

    def flush(self) -> None:
        """Send pending changes to the database inside the transaction (ids, constraints)."""
        self.session.flush()


class Store:
    """Hands out units of work over one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=True)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Store:
        """A store over a new engine for that URL."""
        return cls(make_engine(url, **kwargs))

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends normally, rolled back otherwise.

        Inside `transaction()` it is a savepoint of the ambient transaction instead: a
        block that fails undoes only its own changes, and nothing lands before the
        ambient transaction commits.
        """
        ambient = _ambient.get()
        if ambient is not None and ambient[0] is self:
            yield from self._joined(ambient[1])
            return
        with self._sessions() as session:
            uow = UnitOfWork(session)
            try:
                yield uow
                session.commit()
            except BaseException:
                session.rollback()
                raise
        collected = _collected.get()
        if collected is not None:
            collected.extend(uow.outbox.queued)

    def _joined(self, outer: UnitOfWork) -> Iterator[UnitOfWork]:
        with outer.session.begin_nested():
            uow = UnitOfWork(outer.session)
            yield uow
        # Only a savepoint that held: its rows commit (and are collected) with the outer one.
        outer.outbox.queued.extend(uow.outbox.queued)

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """An ambient transaction for this thread: units of work inside the block join it."""
        if _ambient.get() is not None:
            raise RuntimeError("a transaction is already open in this context")
        with self.unit_of_work() as uow:
            token = _ambient.set((self, uow))
            try:
                yield uow
            finally:
                _ambient.reset(token)

    def in_transaction(self) -> bool:
        """True inside `transaction()`: nothing done now is committed yet."""
        ambient = _ambient.get()
        return ambient is not None and ambient[0] is self

    @contextmanager
    def collect_queued(self) -> Iterator[list[int]]:
        """The outbox ids that units of work commit inside the block (this thread only).

        A use case may span several transactions; its caller delivers what they queued
        and nothing else, so one person's command never sends another's messages.
        """
        outer = _collected.get()
        mine: list[int] = []
        token = _collected.set(mine)
        try:
            yield mine
        finally:
            _collected.reset(token)
            if outer is not None:
                outer.extend(mine)

    def ping(self) -> bool:
        """True if the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - health check reports, never raises
            return False

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
