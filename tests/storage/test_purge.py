"""`xdept workspace purge`: every row of one workspace goes, nothing of any other.

The rows are made generically: one in every table for each of two workspaces,
each pointing at its own workspace's parents. So a table added later is
filled and purged here too: if it is tied to workspaces without ON DELETE
CASCADE, or not tied at all, these tests fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, func, select

from storage.db import Store
from storage.models import Base
from storage.purge import (
    SHARED_TABLES,
    PurgeIncomplete,
    UnownedTable,
    ownership,
    purge_workspace,
    workspace_rows,
)
from tests.storage.rows import fill, totals


@pytest.fixture
def two_workspaces(store: Store) -> dict[str, dict[str, int]]:
    """Workspaces T-A and T-B, each with a row in every table."""
    with store.engine.begin() as conn:
        return {"T-A": fill(conn, "slack", "T-A"), "T-B": fill(conn, "slack", "T-B")}


def test_every_table_belongs_to_a_workspace_through_cascades_or_is_declared_shared() -> None:
    owned = ownership()
    names = {t.name for t in Base.metadata.sorted_tables}
    assert names == set(owned) | {"workspaces"} | (SHARED_TABLES & names)
    for name, own in owned.items():
        for fk in own.path:
            assert fk.ondelete == "CASCADE", f"{name}: {fk.parent} must cascade from workspaces"


def test_purge_deletes_every_row_of_one_workspace_and_nothing_else(
    store: Store, two_workspaces: dict[str, dict[str, int]]
) -> None:
    with store.engine.connect() as conn:
        before = totals(conn)
    with store.unit_of_work() as uow:
        b_before = workspace_rows(uow.session, platform="slack", external_id="T-B")
        deleted = purge_workspace(uow.session, platform="slack", external_id="T-A")
    # Every table that belongs to a workspace had a row of T-A, and lost exactly it.
    assert set(deleted) == set(ownership()) | {"workspaces"}
    assert all(n == 1 for n in deleted.values())
    with store.engine.connect() as conn:
        after = totals(conn)
    for name, count in before.items():
        assert after[name] == count - deleted.get(name, 0), name
    with store.unit_of_work() as uow:
        assert workspace_rows(uow.session, platform="slack", external_id="T-A") == {}
        assert workspace_rows(uow.session, platform="slack", external_id="T-B") == b_before
    # No orphan points at the purged workspace's id.
    gone = two_workspaces["T-A"]["workspaces"]
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "workspace_id" in table.c:
                left = conn.scalar(
                    select(func.count()).select_from(table).where(table.c.workspace_id == gone)
                )
                assert left == 0, table.name


def test_purging_an_unknown_workspace_deletes_nothing(
    store: Store, two_workspaces: dict[str, dict[str, int]]
) -> None:
    with store.engine.connect() as conn:
        before = totals(conn)
    with store.unit_of_work() as uow:
        assert purge_workspace(uow.session, platform="slack", external_id="T-Z") == {}
    with store.engine.connect() as conn:
        assert totals(conn) == before


@pytest.fixture
def late_table(store: Store) -> Iterator[Table]:
    """A table added after the purge was written, tied to workspaces without a cascade."""
    table = Table(
        "late_notes",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
        Column("note", String(40)),
    )
    table.create(store.engine)
    try:
        yield table
    finally:
        table.drop(store.engine)
        Base.metadata.remove(table)


def test_a_table_tied_without_cascade_stops_the_purge_and_keeps_everything(
    store: Store, late_table: Table
) -> None:
    with store.engine.begin() as conn:
        fill(conn, "slack", "T-A")
        before = totals(conn)
    with pytest.raises(PurgeIncomplete, match="ON DELETE CASCADE"), store.unit_of_work() as uow:
        purge_workspace(uow.session, platform="slack", external_id="T-A")
    with store.engine.connect() as conn:
        assert totals(conn) == before
    with pytest.raises(AssertionError, match="must cascade"):
        test_every_table_belongs_to_a_workspace_through_cascades_or_is_declared_shared()


def test_a_table_not_tied_to_any_workspace_must_be_declared_shared() -> None:
    table = Table("loose_notes", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        with pytest.raises(UnownedTable, match="loose_notes"):
            ownership()
    finally:
        Base.metadata.remove(table)
