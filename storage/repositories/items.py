"""Items, their audit trail, and the keys of the items a person may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, union, update

from storage.models import (
    Item,
    PastMessage,
    Update,
)
from storage.repositories.base import Repository


class ItemRepository(Repository):
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
        """The item whose tracking message is this one, now or before the platform had it
        posted again (people keep replying under the old copy)."""
        stmt = select(Item).where(Item.channel_id == channel_id, Item.message_id == message_id)
        if lock and self._is_postgres:
            stmt = stmt.with_for_update(of=Item)
        item = self.session.scalar(stmt)
        if item is not None:
            return item
        past = (
            select(PastMessage.item_id)
            .where(PastMessage.channel_id == channel_id, PastMessage.message_id == message_id)
            .order_by(PastMessage.id.desc())
            .limit(1)
        )
        item_id = self.session.scalar(past)
        return self.by_id(item_id, lock=lock) if item_id is not None else None

    def place_tracking(self, item: Item, *, chat: str, message_id: str, at: datetime) -> None:
        """The tracking message now lives at (chat, message_id); where it was before (a
        copy the platform made it post again) stays known to `by_thread`."""
        if (
            item.channel_id
            and item.message_id
            and (item.channel_id, item.message_id)
            != (
                chat,
                message_id,
            )
        ):
            self.session.add(
                PastMessage(
                    workspace_id=item.workspace_id,
                    item_id=item.id,
                    channel_id=item.channel_id,
                    message_id=item.message_id,
                    replaced_at=at,
                )
            )
        item.channel_id, item.message_id = chat, message_id

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

    def updates_of(self, item_ids: Sequence[int]) -> dict[int, list[Update]]:
        """Every update of these items, oldest first, by item (one query per 500 items)."""
        found: dict[int, list[Update]] = {item_id: [] for item_id in item_ids}
        ids = list(item_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.session.scalars(
                select(Update)
                .where(Update.item_id.in_(chunk))
                .order_by(Update.item_id, Update.at, Update.id)
            )
            for row in rows:
                found[row.item_id].append(row)
        return found

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
