"""What every repository shares: its session, the dialect, and inserts that may race."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(session: Session, table: Any, values: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING; the new row's primary key, or None if it existed."""
    dialect = session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    key = next(iter(table.primary_key.columns))
    # RETURNING tells reliably whether a row was written; rowcount varies by driver.
    stmt = maker(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(stmt).scalar()


class Repository:
    """Queries over one session; the unit of work that owns the session commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _is_postgres(self) -> bool:
        # Row locks (FOR UPDATE) and some upserts only mean something on PostgreSQL.
        return self.session.get_bind().dialect.name == "postgresql"


def and_all(*clauses: ColumnElement[bool]) -> ColumnElement[bool]:
    """AND of the clauses (true when none)."""
    return and_(*clauses) if clauses else and_(True)
