"""What the tick reads from the database: light rows, fetched in a few bounded queries.

Every query here is bounded by the work due (the items whose next check has
come, the departments whose stand-up is now) or by the number of departments,
never by the number of stored items; each has an index (see storage.models).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.calendar import WorkCalendar, build_calendar, calendar_for
from bot.domain import ACTIVE, ItemKind, Role, Status, UpdateKind
from scheduler.rules import ItemClock, Policy
from storage.models import (
    Department,
    DepartmentPerson,
    Item,
    OutboxMessage,
    Person,
    Update,
    Workspace,
)

ACTIVE_VALUES = [s.value for s in ACTIVE]
# Without a department (commitments, action items) the defaults of a new department apply.
DEFAULT_FOLLOWUP = time(9, 30)


@dataclass(frozen=True)
class DeptInfo:
    """A department's scheduling settings and where it talks."""

    id: int
    workspace_id: int
    key: str
    name: str
    channel_id: str
    channel_name: str | None
    timezone: str
    locale: str | None
    workdays: str
    day_start: time
    day_end: time
    holidays: tuple[str, ...]
    standup_time: time | None
    first_response_minutes: int
    escalate_after_minutes: int
    escalation_contact_id: str | None
    created_at: datetime
    removed_at: datetime | None

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The department's business calendar."""
        return calendar_for(self)

    @cached_property
    def policy(self) -> Policy:
        """Thresholds for the reminder rules; follow-ups at stand-up time, else at opening."""
        return Policy(
            calendar=self.calendar,
            followup_time=self.standup_time or self.day_start,
            first_response=timedelta(minutes=self.first_response_minutes),
            escalate_after=timedelta(minutes=self.escalate_after_minutes),
        )


@dataclass(frozen=True)
class PersonInfo:
    """What the scheduler needs of a person: absence, language, zone."""

    user_id: str
    away_until: datetime | None
    locale: str | None
    timezone: str | None
    deactivated: bool = False  # left the workspace: away for good

    def away(self, now: datetime) -> bool:
        """Out of office at `now` (or gone)."""
        return self.deactivated or (self.away_until is not None and self.away_until > now)


@dataclass(frozen=True)
class ItemRow:
    """An item as the tick sees it."""

    id: int
    workspace_id: int
    number: int
    kind: ItemKind
    status: Status
    text: str
    requester_id: str
    owner_id: str | None
    department_id: int | None
    due_at: datetime | None
    created_at: datetime
    first_response_at: datetime | None
    snoozed_until: datetime | None
    escalated_at: datetime | None
    channel_id: str | None
    permalink: str | None
    version: int
    clock_started_at: datetime | None = None
    moves: int = 0

    @property
    def code(self) -> str:
        """XD-<n>."""
        return f"XD-{self.number}"


@dataclass(frozen=True)
class Written:
    """A scheduled message already in the outbox for an item."""

    key: str
    kind: str
    state: str


_DEPT_COLUMNS = (
    Department.id,
    Department.workspace_id,
    Department.key,
    Department.name,
    Department.channel_id,
    Department.channel_name,
    Department.timezone,
    Department.locale,
    Department.workdays,
    Department.day_start,
    Department.day_end,
    Department.holidays,
    Department.standup_time,
    Department.first_response_minutes,
    Department.escalate_after_minutes,
    Department.escalation_contact_id,
    Department.created_at,
    Department.removed_at,
)

_ITEM_COLUMNS = (
    Item.id,
    Item.workspace_id,
    Item.number,
    Item.kind,
    Item.status,
    Item.text,
    Item.requester_id,
    Item.owner_id,
    Item.department_id,
    Item.due_at,
    Item.created_at,
    Item.first_response_at,
    Item.snoozed_until,
    Item.escalated_at,
    Item.channel_id,
    Item.permalink,
    Item.version,
    Item.clock_started_at,
    Item.moves,
)


def _dept(row: object) -> DeptInfo:
    values = dict(row._mapping)  # type: ignore[attr-defined]
    values["holidays"] = tuple(values["holidays"] or ())
    return DeptInfo(**values)


def _item(row: Sequence[Any]) -> ItemRow:
    # Positional, in _ITEM_COLUMNS' order (a test checks it matches ItemRow's fields): the
    # stand-up tick builds thousands of these, and a dict per row cost a third of it.
    ws, number, kind, status, *rest = row[1:]
    return ItemRow(row[0], ws, number, ItemKind(kind), Status(status), *rest)


def departments(session: Session, ids: Iterable[int] | None = None) -> dict[int, DeptInfo]:
    """Departments by id: all of them (stand-ups look at each), or the given ones."""
    stmt = select(*_DEPT_COLUMNS)
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        stmt = stmt.where(Department.id.in_(wanted))
    return {d.id: d for d in map(_dept, session.execute(stmt))}


def workspace_zones(session: Session) -> dict[int, str]:
    """Each workspace's default zone."""
    return {ws_id: tz for ws_id, tz in session.execute(select(Workspace.id, Workspace.timezone))}


def roles(session: Session, department_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """Leads and members of each department, in the order they were added."""
    ids = sorted(set(department_ids))
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "member": []})
    if not ids:
        return found
    rows = session.execute(
        select(DepartmentPerson.department_id, DepartmentPerson.role, DepartmentPerson.user_id)
        .where(DepartmentPerson.department_id.in_(ids))
        .order_by(DepartmentPerson.id)
    )
    for dept_id, role, user_id in rows:
        found[dept_id].setdefault(role, []).append(user_id)
    return found


def people(
    session: Session, wanted: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], PersonInfo]:
    """Known people among (workspace, user id) pairs."""
    by_ws: dict[int, set[str]] = defaultdict(set)
    for ws_id, user_id in wanted:
        by_ws[ws_id].add(user_id)
    found: dict[tuple[int, str], PersonInfo] = {}
    for ws_id, ids in by_ws.items():
        rows = session.execute(
            select(
                Person.user_id,
                Person.away_until,
                Person.language,
                Person.locale,
                Person.timezone,
                Person.deactivated_at,
            ).where(Person.workspace_id == ws_id, Person.user_id.in_(sorted(ids)))
        )
        for user_id, away_until, chosen, locale, tz, gone in rows:
            # A language the person chose wins over the platform's.
            found[(ws_id, user_id)] = PersonInfo(
                user_id, away_until, chosen or locale, tz, deactivated=gone is not None
            )
    return found


def departments_of_people(
    session: Session, workspace_id: int, user_ids: Iterable[str]
) -> dict[str, list[int]]:
    """The departments each person belongs to (lead or member), for nudges of the away."""
    ids = sorted(set(user_ids))
    found: dict[str, list[int]] = defaultdict(list)
    if not ids:
        return found
    rows = session.execute(
        select(DepartmentPerson.user_id, DepartmentPerson.department_id)
        .join(Department, Department.id == DepartmentPerson.department_id)
        .where(
            Department.workspace_id == workspace_id,
            Department.removed_at.is_(None),
            DepartmentPerson.user_id.in_(ids),
        )
        .order_by(DepartmentPerson.id)
    )
    for user_id, dept_id in rows:
        if dept_id not in found[user_id]:
            found[user_id].append(dept_id)
    return found


def due_items(session: Session, now: datetime, *, limit: int) -> list[ItemRow]:
    """Items whose next check has come, oldest first; rows another transaction holds are left."""
    stmt = (
        select(*_ITEM_COLUMNS)
        .where(Item.next_check_at <= now)
        .order_by(Item.next_check_at, Item.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # A use case changing the item right now sets next_check_at again; take it next tick.
        stmt = stmt.with_for_update(skip_locked=True, of=Item)
    return [_item(r) for r in session.execute(stmt)]


def written(
    session: Session, item_ids: Sequence[int], kinds: Iterable[str]
) -> dict[int, list[Written]]:
    """Scheduled messages already written for these items, by item."""
    found: dict[int, list[Written]] = defaultdict(list)
    if not item_ids:
        return found
    rows = session.execute(
        select(
            OutboxMessage.item_id,
            OutboxMessage.dedupe_key,
            OutboxMessage.kind,
            OutboxMessage.state,
        ).where(OutboxMessage.item_id.in_(list(item_ids)), OutboxMessage.kind.in_(list(kinds)))
    )
    for item_id, key, kind, state in rows:
        if item_id is not None:
            found[item_id].append(Written(key, kind, state))
    return found


def due_set_at(session: Session, item_ids: Sequence[int]) -> dict[int, datetime]:
    """When each item's due time was last changed (items never changed are absent)."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(Update.item_id, func.max(Update.at))
        .where(Update.item_id.in_(list(item_ids)), Update.kind == UpdateKind.DUE_CHANGED.value)
        .group_by(Update.item_id)
    )
    return {item_id: at for item_id, at in rows}


def active_items_of_many(
    session: Session, department_ids: Sequence[int]
) -> dict[int, list[ItemRow]]:
    """Departments' open and acknowledged items (the stand-ups list them), soonest due first.

    One query over the index on (department, status, due): it reads active items only,
    however many closed ones the departments have.
    """
    found: dict[int, list[ItemRow]] = defaultdict(list)
    if not department_ids:
        return found
    rows = session.execute(
        select(*_ITEM_COLUMNS)
        .where(Item.department_id.in_(sorted(set(department_ids))), Item.status.in_(ACTIVE_VALUES))
        .order_by(Item.department_id, Item.due_at.is_(None), Item.due_at, Item.number)
    )
    for row in rows:
        item = _item(row)
        found[item.department_id or 0].append(item)
    return found


def clock_of(item: ItemRow, *, due_set: datetime | None, dept: DeptInfo | None) -> ItemClock:
    """The rule engine's view of an item."""
    return ItemClock(
        item_id=item.id,
        kind=item.kind,
        status=item.status,
        created_at=item.clock_started_at or item.created_at,
        due_at=item.due_at,
        due_set_at=due_set,
        first_response_at=item.first_response_at,
        snoozed_until=item.snoozed_until,
        escalated_at=item.escalated_at,
        can_escalate=bool(dept and dept.escalation_contact_id and dept.removed_at is None),
        round=item.moves,
    )


def default_policy(tz: str) -> Policy:
    """The rules for items without a department: a new department's defaults in that zone."""
    return Policy(calendar=build_calendar(tz=tz), followup_time=DEFAULT_FOLLOWUP)


def leads_of(found: dict[int, dict[str, list[str]]], department_id: int) -> list[str]:
    """A department's leads from a roles() answer."""
    return list(found.get(department_id, {}).get(Role.LEAD.value, []))


# How far back a stand-up's "last stand-up" is looked for: bounded, so the query reads
# a month of stand-ups per department, not their whole history.
PREVIOUS_STANDUP_WINDOW = timedelta(days=31)


def last_standup_replies(
    session: Session, before: Mapping[int, str]
) -> dict[int, tuple[str, list[tuple[str, str]]]]:
    """The replies to each department's previous stand-up (the last before its local date,
    within a month), by department: that stand-up's date and (who, text) of each reply,
    oldest first. Departments whose previous stand-up had no replies are absent.

    Two queries for every department given, whatever their number.
    """
    from storage.models import Standup, StandupReply

    if not before:
        return {}
    latest: dict[int, tuple[int, str]] = {}
    for day in sorted(set(before.values())):
        ids = sorted(d for d, local in before.items() if local == day)
        since = (date.fromisoformat(day) - PREVIOUS_STANDUP_WINDOW).isoformat()
        rows = session.execute(
            select(Standup.id, Standup.department_id, Standup.local_date).where(
                Standup.department_id.in_(ids),
                Standup.local_date < day,
                Standup.local_date >= since,
            )
        )
        for standup_id, dept_id, local in rows:
            if dept_id not in latest or local > latest[dept_id][1]:
                latest[dept_id] = (standup_id, local)
    if not latest:
        return {}
    owner = {standup_id: dept_id for dept_id, (standup_id, _local) in latest.items()}
    replies = session.execute(
        select(StandupReply.standup_id, StandupReply.user_id, StandupReply.text)
        .where(StandupReply.standup_id.in_(sorted(owner)))
        .order_by(StandupReply.standup_id, StandupReply.at, StandupReply.id)
    )
    found: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for standup_id, user, body in replies:
        dept_id = owner[standup_id]
        found.setdefault(dept_id, (latest[dept_id][1], []))[1].append((user, body))
    return found
