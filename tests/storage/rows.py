"""Rows of every table for a workspace, made from the tables themselves (purge tests)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Column, Connection, Table, func, insert, select

from storage.models import Base, UTCDateTime

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _value(table: Table, column: Column[Any], tag: str) -> Any:
    kind = column.type.python_type
    if isinstance(column.type, UTCDateTime) or kind is datetime:
        return NOW
    if kind is time:
        return time(9, 0)
    if kind is bool:
        return False
    if kind is int:
        return 1
    if kind is dict:
        return {}
    if kind is list:
        return []
    if kind is bytes:
        return f"{tag}-{table.name}-{column.name}".encode()
    text = f"{tag}-{table.name}-{column.name}"
    length = getattr(column.type, "length", None)
    return text[-length:] if length else text


def fill(conn: Connection, platform: str, external_id: str) -> dict[str, int]:
    """One row in every table for the workspace; ids by table."""
    ids: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:  # parents before children
        values: dict[str, Any] = {}
        for column in table.columns:
            if column.foreign_keys:
                values[column.name] = ids[next(iter(column.foreign_keys)).column.table.name]
            elif column.primary_key and column.type.python_type is int:
                continue  # generated
            elif column.name == "platform":
                values[column.name] = platform
            elif column.name in ("workspace", "external_id"):
                values[column.name] = external_id
            else:  # nullable ones too: every column holds something of this workspace
                values[column.name] = _value(table, column, external_id)
        key = list(table.primary_key.columns)[0]
        ids[table.name] = conn.execute(insert(table).values(**values).returning(key)).scalar_one()
    return ids


def totals(conn: Connection) -> dict[str, int]:
    """Rows per table."""
    return {
        t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
        for t in Base.metadata.sorted_tables
    }
