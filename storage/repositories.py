"""Repositories: queries and inserts, never commits (the unit of work commits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import (
    Department,
    DepartmentAlias,
    DepartmentPerson,
    Item,
    OutboxMessage,
    Person,
    Standup,
    StandupReply,
    Update,
    Workspace,
)


def insert_ignoring_duplicates(session: Session, table: Any, values: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING; the new row's primary key, or None if it existed."""
    dialect = session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    key = next(iter(table.primary_key.columns))
    # RETURNING tells reliably whether a row was written; rowcount varies by driver.
    stmt = maker(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(stmt).scalar()


class _Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _is_postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"


class WorkspaceRepository(_Repository):
    """Workspaces and their item counters."""

    def get(self, platform: str, external_id: str) -> Workspace | None:
        """The workspace, if known."""
        return self.session.scalar(
            select(Workspace).where(
                Workspace.platform == platform, Workspace.external_id == external_id
            )
        )

    def get_or_create(
        self, platform: str, external_id: str, *, now: datetime, timezone: str
    ) -> Workspace:
        """The workspace, created on first sight (safe when two requests race)."""
        found = self.get(platform, external_id)
        if found is not None:
            return found
        insert_ignoring_duplicates(
            self.session,
            Workspace.__table__,
            {
                "platform": platform,
                "external_id": external_id,
                "timezone": timezone,
                "last_item_number": 0,
                "created_at": now,
            },
        )
        created = self.get(platform, external_id)
        assert created is not None
        return created

    def next_item_number(self, workspace_id: int) -> int:
        """The next XD number; the UPDATE's row lock serialises concurrent filers."""
        number = self.session.execute(
            update(Workspace)
            .where(Workspace.id == workspace_id)
            .values(last_item_number=Workspace.last_item_number + 1)
            .returning(Workspace.last_item_number)
        ).scalar_one()
        return int(number)


class PersonRepository(_Repository):
    """People: time zone, language, absence, admin flag."""

    def get(self, workspace_id: int, user_id: str) -> Person | None:
        """The person, if known."""
        return self.session.scalar(
            select(Person).where(Person.workspace_id == workspace_id, Person.user_id == user_id)
        )

    def get_or_create(self, workspace_id: int, user_id: str, *, now: datetime) -> Person:
        """The person, created on first sight."""
        person = self.get(workspace_id, user_id)
        if person is None:
            insert_ignoring_duplicates(
                self.session,
                Person.__table__,
                {
                    "workspace_id": workspace_id,
                    "user_id": user_id,
                    "is_admin": False,
                    "is_bot": False,
                    "updated_at": now,
                },
            )
            person = self.get(workspace_id, user_id)
            assert person is not None
        return person

    def away_among(self, workspace_id: int, user_ids: Iterable[str], now: datetime) -> set[str]:
        """Which of these people are away at `now`."""
        ids = list(set(user_ids))
        if not ids:
            return set()
        rows = self.session.scalars(
            select(Person.user_id).where(
                Person.workspace_id == workspace_id,
                Person.user_id.in_(ids),
                Person.away_until > now,
            )
        )
        return set(rows)

    def many(self, workspace_id: int, user_ids: Iterable[str]) -> dict[str, Person]:
        """The known people among these ids."""
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self.session.scalars(
            select(Person).where(Person.workspace_id == workspace_id, Person.user_id.in_(ids))
        )
        return {p.user_id: p for p in rows}


class DepartmentRepository(_Repository):
    """Departments, their aliases and people."""

    def all(self, workspace_id: int) -> Sequence[Department]:
        """Every department of the workspace, by key."""
        return self.session.scalars(
            select(Department)
            .where(Department.workspace_id == workspace_id, Department.removed_at.is_(None))
            .order_by(Department.key)
        ).all()

    def by_key(self, workspace_id: int, key: str) -> Department | None:
        """The department with that key."""
        return self.session.scalar(
            select(Department).where(
                Department.workspace_id == workspace_id, Department.key == key.lower()
            )
        )

    def by_alias(self, workspace_id: int, alias: str) -> Department | None:
        """The department that answers to that alias."""
        return self.session.scalar(
            select(Department)
            .join(DepartmentAlias, DepartmentAlias.department_id == Department.id)
            .where(
                DepartmentAlias.workspace_id == workspace_id,
                DepartmentAlias.alias == alias.lower(),
            )
        )

    def by_channel(self, workspace_id: int, channel_id: str) -> Department | None:
        """The department whose channel this is."""
        return self.session.scalar(
            select(Department)
            .where(
                Department.workspace_id == workspace_id,
                Department.channel_id == channel_id,
                Department.removed_at.is_(None),
            )
            .order_by(Department.id)
            .limit(1)
        )

    def by_usergroup(self, workspace_id: int, usergroup_id: str) -> Department | None:
        """The department bound to that user group."""
        return self.session.scalar(
            select(Department).where(
                Department.workspace_id == workspace_id,
                Department.usergroup_id == usergroup_id,
                Department.removed_at.is_(None),
            )
        )

    def of_person(self, workspace_id: int, user_id: str) -> Sequence[Department]:
        """Departments where the person is a lead or member."""
        # A subquery rather than DISTINCT: PostgreSQL can't compare the JSON holidays column.
        ids = select(DepartmentPerson.department_id).where(DepartmentPerson.user_id == user_id)
        return self.session.scalars(
            select(Department)
            .where(
                Department.workspace_id == workspace_id,
                Department.id.in_(ids),
                Department.removed_at.is_(None),
            )
            .order_by(Department.key)
        ).all()

    def alias_owner(self, workspace_id: int, alias: str) -> Department | None:
        """Which department already uses an alias (aliases are unique per workspace)."""
        return self.by_alias(workspace_id, alias)

    def add(self, department: Department) -> Department:
        """Insert a department."""
        self.session.add(department)
        self.session.flush()
        return department

    def remove(self, department: Department, *, now: datetime) -> None:
        """Remove a department (the caller checked it has no open items).

        One with closed items stays as a tombstone under a freed key, so history and
        metrics keep their department; one with no items is deleted outright.
        """
        has_items = self.session.scalar(
            select(func.count()).select_from(Item).where(Item.department_id == department.id)
        )
        if not has_items:
            self.session.delete(department)
        else:
            department.key = f"{department.key[:28]}~{department.id}"
            department.removed_at = now
            department.standup_time = None
            department.usergroup_id = None
            department.aliases.clear()
            department.people.clear()
        self.session.flush()


class ItemRepository(_Repository):
    """Items and their updates."""

    def add(self, item: Item) -> Item:
        """Insert an item."""
        self.session.add(item)
        self.session.flush()
        return item

    def by_number(self, workspace_id: int, number: int, *, lock: bool = False) -> Item | None:
        """The item XD-<number>; `lock` takes a row lock for a read-modify-write."""
        stmt = select(Item).where(Item.workspace_id == workspace_id, Item.number == number)
        if lock and self._is_postgres:
            stmt = stmt.with_for_update(of=Item)
        return self.session.scalar(stmt)

    def by_id(self, item_id: int, *, lock: bool = False) -> Item | None:
        """The item with that primary key."""
        stmt = select(Item).where(Item.id == item_id)
        if lock and self._is_postgres:
            stmt = stmt.with_for_update(of=Item)
        return self.session.scalar(stmt)

    def by_thread(self, channel_id: str, message_id: str, *, lock: bool = False) -> Item | None:
        """The item whose tracking message is this one."""
        stmt = select(Item).where(Item.channel_id == channel_id, Item.message_id == message_id)
        if lock and self._is_postgres:
            stmt = stmt.with_for_update(of=Item)
        return self.session.scalar(stmt)

    def add_update(
        self,
        item: Item,
        *,
        kind: str,
        actor_id: str | None,
        at: datetime,
        text: str | None = None,
        data: dict[str, Any] | None = None,
        source_ref: str | None = None,
    ) -> Update:
        """Append to the item's audit trail."""
        entry = Update(
            workspace_id=item.workspace_id,
            item_id=item.id,
            kind=kind,
            actor_id=actor_id,
            at=at,
            text=text,
            data=data or {},
            source_ref=source_ref,
        )
        self.session.add(entry)
        return entry

    def updates(self, item_id: int, *, last: int | None = None) -> list[Update]:
        """The item's updates, oldest first (only the last `last` if given)."""
        stmt = select(Update).where(Update.item_id == item_id)
        if last is None:
            return list(self.session.scalars(stmt.order_by(Update.at, Update.id)))
        rows = self.session.scalars(stmt.order_by(Update.at.desc(), Update.id.desc()).limit(last))
        return list(reversed(list(rows)))

    def update_by_source(self, item_id: int, source_ref: str) -> Update | None:
        """The update recorded from a given platform message."""
        return self.session.scalar(
            select(Update).where(Update.item_id == item_id, Update.source_ref == source_ref)
        )

    def page(self, candidates: Any, *, limit: int, offset: int = 0) -> tuple[list[Item], int]:
        """A page of the candidate items, soonest due first (no due date last), and the total.

        `candidates` selects (id, due_at, number), e.g. from item_keys() or visible_keys():
        sorting and counting run on those narrow rows, then only the page is loaded.
        """
        sub = candidates.subquery()
        # One pass gives the page and, through the window, the total.
        found = self.session.execute(
            select(sub.c.id, func.count().over())
            .order_by(sub.c.due_at.is_(None), sub.c.due_at, sub.c.number)
            .limit(limit)
            .offset(offset)
        ).all()
        if not found:
            total = self.session.scalar(select(func.count()).select_from(sub)) or 0
            return [], int(total)
        ids = [row[0] for row in found]
        total = found[0][1]
        rows = {i.id: i for i in self.session.scalars(select(Item).where(Item.id.in_(ids)))}
        return [rows[i] for i in ids if i in rows], int(total)

    def open_in_department(self, department_id: int, statuses: Iterable[str]) -> list[Item]:
        """Active items waiting on a department."""
        return list(
            self.session.scalars(
                select(Item)
                .where(Item.department_id == department_id, Item.status.in_(list(statuses)))
                .order_by(Item.number)
            )
        )

    def recheck_department(self, department_id: int, *, now: datetime) -> int:
        """Ask the scheduler to recompute the reminders of a department's active items."""
        result = self.session.execute(
            update(Item)
            .where(Item.department_id == department_id, Item.status.in_(["open", "acknowledged"]))
            .values(next_check_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def export_rows(
        self, workspace_id: int, *, where: ColumnElement[bool], since: datetime | None
    ) -> list[Item]:
        """Items for a CSV export, oldest first."""
        stmt = select(Item).where(Item.workspace_id == workspace_id, where)
        if since is not None:
            stmt = stmt.where(Item.created_at >= since)
        return list(self.session.scalars(stmt.order_by(Item.number)))


def item_keys(*conditions: ColumnElement[bool]) -> Any:
    """(id, due_at, number) of the items matching the conditions, for ItemRepository.page."""
    return select(Item.id, Item.due_at, Item.number).where(*conditions)


def visible_keys(
    workspace_id: int,
    user_id: str,
    department_ids: Sequence[int],
    *conditions: ColumnElement[bool],
) -> Any:
    """Keys of the items a person asked, owns, or that wait on their departments.

    A UNION with one indexed lookup per branch, rather than one OR: both planners then
    read a few hundred index entries instead of every item of the workspace.
    """
    parts = [
        item_keys(Item.workspace_id == workspace_id, Item.requester_id == user_id, *conditions),
        item_keys(Item.workspace_id == workspace_id, Item.owner_id == user_id, *conditions),
    ]
    if department_ids:
        # Department ids are already scoped to the workspace.
        parts.append(item_keys(Item.department_id.in_(list(department_ids)), *conditions))
    return union(*parts)


def visible_to(
    workspace_id: int,
    user_id: str,
    department_ids: Sequence[int],
    public_channels: Sequence[str],
) -> ColumnElement[bool]:
    """Items a person may see: asked, owned, of their departments, or tracked in public."""
    keys = visible_keys(workspace_id, user_id, department_ids).subquery()
    clauses: list[ColumnElement[bool]] = [Item.id.in_(select(keys.c.id))]
    if public_channels:
        clauses.append(
            (Item.workspace_id == workspace_id) & Item.channel_id.in_(list(public_channels))
        )
    return or_(*clauses)


class OutboxRepository(_Repository):
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


class StandupRepository(_Repository):
    """Stand-up prompts and their replies."""

    def by_thread(self, channel_id: str, message_id: str) -> Standup | None:
        """The stand-up whose prompt is this message."""
        return self.session.scalar(
            select(Standup).where(
                Standup.channel_id == channel_id, Standup.message_id == message_id
            )
        )

    def add_reply(
        self, standup: Standup, *, user_id: str, text: str, at: datetime, source_ref: str | None
    ) -> bool:
        """Store a reply once; False if that message was stored already."""
        try:
            with self.session.begin_nested():
                self.session.add(
                    StandupReply(
                        standup_id=standup.id,
                        user_id=user_id,
                        text=text,
                        at=at,
                        source_ref=source_ref,
                    )
                )
        except IntegrityError:
            return False
        return True


def and_all(*clauses: ColumnElement[bool]) -> ColumnElement[bool]:
    """AND of the clauses (true when none)."""
    return and_(*clauses) if clauses else and_(True)
