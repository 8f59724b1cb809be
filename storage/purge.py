"""Deleting one workspace: every row of it, and nothing of any other.

Which rows are a workspace's is read from the tables themselves: a table
reaches `workspaces` through foreign keys (deleted by ON DELETE CASCADE), or
names the workspace by the platform's own id in `platform` and `workspace`
columns (deleted here). A table that does neither must be declared shared;
any other is an error, so a new table cannot slip past the purge unnoticed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ForeignKey, FromClause, MetaData, Select, Table, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Base, Workspace

# Tables whose rows belong to no workspace.
SHARED_TABLES = frozenset({"oauth_states"})
# The columns that name a workspace by the platform's id, where no foreign key can.
KEY_COLUMNS = ("platform", "workspace")


class UnownedTable(RuntimeError):
    """A table neither reaches workspaces, nor names one, nor is declared shared."""


class PurgeIncomplete(RuntimeError):
    """The database would have kept rows of the workspace; nothing was deleted."""


@dataclass(frozen=True)
class Ownership:
    """How a table's rows are tied to a workspace."""

    table: Table
    # Foreign keys from the table to `workspaces`, in order; empty when keyed by id.
    path: tuple[ForeignKey, ...]

    @property
    def keyed(self) -> bool:
        """True when the table names the workspace by platform and id."""
        return not self.path


def ownership(metadata: MetaData = Base.metadata) -> dict[str, Ownership]:
    """Every table that belongs to a workspace, and how; UnownedTable for a stray one."""
    workspaces = _workspaces()
    out: dict[str, Ownership] = {}
    for table in metadata.sorted_tables:
        if table is workspaces or table.name in SHARED_TABLES:
            continue
        path = _path_to(table, workspaces)
        if path:
            out[table.name] = Ownership(table, path)
        elif all(c in table.c for c in KEY_COLUMNS):
            out[table.name] = Ownership(table, ())
        else:
            raise UnownedTable(
                f"table {table.name} has no foreign key path to workspaces and no "
                f"{'/'.join(KEY_COLUMNS)} columns; give it one, or add it to SHARED_TABLES"
            )
    return out


def _path_to(start: Table, goal: Table) -> tuple[ForeignKey, ...]:
    """The shortest chain of foreign keys from `start` to `goal` (breadth first)."""
    queue: deque[tuple[Table, tuple[ForeignKey, ...]]] = deque([(start, ())])
    seen = {start.name}
    while queue:
        table, path = queue.popleft()
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            target = fk.column.table
            if target is goal:
                return (*path, fk)
            if target.name not in seen:
                seen.add(target.name)
                queue.append((target, (*path, fk)))
    return ()


def _workspaces() -> Table:
    table = Workspace.__table__
    assert isinstance(table, Table)
    return table


def count_rows(own: Ownership, *, platform: str, external_id: str) -> Select[int]:
    """SELECT COUNT(*) of the table's rows that belong to that workspace."""
    table = own.table
    query = select(func.count()).select_from(table)
    if own.keyed:
        return query.where(table.c.platform == platform, table.c.workspace == external_id)
    source: FromClause = table
    for fk in own.path:
        source = source.join(fk.column.table, fk.parent == fk.column)
    ws = _workspaces()
    return (
        select(func.count())
        .select_from(source)
        .where(ws.c.platform == platform, ws.c.external_id == external_id)
    )


def workspace_rows(session: Session, *, platform: str, external_id: str) -> dict[str, int]:
    """How many rows of each table belong to the workspace (tables with none left out)."""
    counts = {"workspaces": _count_workspace(session, platform, external_id)}
    for name, own in ownership().items():
        counts[name] = int(
            session.scalar(count_rows(own, platform=platform, external_id=external_id)) or 0
        )
    return {name: n for name, n in counts.items() if n}


def _count_workspace(session: Session, platform: str, external_id: str) -> int:
    ws = _workspaces()
    query = select(func.count()).where(ws.c.platform == platform, ws.c.external_id == external_id)
    return int(session.scalar(query) or 0)


def purge_workspace(session: Session, *, platform: str, external_id: str) -> Mapping[str, int]:
    """Delete every row of the workspace (the unit of work commits); rows deleted per table."""
    before = workspace_rows(session, platform=platform, external_id=external_id)
    if not before:
        return before
    for own in ownership().values():
        if own.keyed:
            table = own.table
            session.execute(
                delete(table).where(table.c.platform == platform, table.c.workspace == external_id)
            )
    # The rest goes with the workspace row, through ON DELETE CASCADE. A foreign key
    # without it makes the database refuse, and the unit of work keeps everything.
    ws = _workspaces()
    try:
        session.execute(
            delete(ws).where(ws.c.platform == platform, ws.c.external_id == external_id)
        )
    except IntegrityError as exc:
        raise PurgeIncomplete(
            "the database refused to delete the workspace: a table refers to it without "
            f"ON DELETE CASCADE ({str(exc.orig).splitlines()[0]}); nothing was deleted"
        ) from exc
    return before


def platforms_of(session: Session, external_id: str) -> list[str]:
    """The platforms that know a workspace by that id (in workspaces or id-keyed tables)."""
    found = set(
        session.scalars(select(Workspace.platform).where(Workspace.external_id == external_id))
    )
    for own in ownership().values():
        if own.keyed:
            table = own.table
            found.update(
                session.scalars(
                    select(table.c.platform).where(table.c.workspace == external_id).distinct()
                )
            )
    return sorted(found)
