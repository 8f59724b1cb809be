"""Weekly figures per department, computed from items and their updates.

Durations are business hours in the department's own calendar. Each query is
bounded by the period (indexed on the time column) or by what is still
active, never by the whole history.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import ACTIVE, ItemKind, Status, UpdateKind
from scheduler.facts import DeptInfo
from storage.models import Item, Standup, StandupReply, Update

CLOSING = {
    UpdateKind.DONE.value: "done",
    UpdateKind.DECLINED.value: "declined",
    UpdateKind.CANCELLED.value: "cancelled",
}


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by the nearest-rank method (a value that occurred), or None."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass(frozen=True)
class Unanswered:
    """The request that has waited longest for a first response."""

    code: str
    created_at: datetime
    waited_hours: float


@dataclass
class DeptWeek:
    """One department's figures for a period."""

    dept_id: int
    key: str
    name: str
    opened: int = 0
    closed: dict[str, int] = field(
        default_factory=lambda: {"done": 0, "declined": 0, "cancelled": 0}
    )
    overdue: int = 0
    first_response_hours: list[float] = field(default_factory=list)
    done_hours: list[float] = field(default_factory=list)
    oldest_unanswered: Unanswered | None = None
    standup_replies: int = 0
    standup_people: set[str] = field(default_factory=set)
    escalated: list[str] = field(default_factory=list)  # codes escalated in the period
    responders: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def closed_total(self) -> int:
        """Done, declined and cancelled together."""
        return sum(self.closed.values())

    @property
    def has_news(self) -> bool:
        """Anything to report: activity in the period, or something overdue or unanswered."""
        return bool(
            self.opened
            or self.closed_total
            or self.overdue
            or self.first_response_hours
            or self.oldest_unanswered
            or self.standup_replies
            or self.escalated
        )

    def fastest(self, n: int = 3) -> list[tuple[str, float, int]]:
        """The people who answered fastest: (user id, median hours, requests answered)."""
        ranked = [
            (user, statistics.median(hours), len(hours))
            for user, hours in self.responders.items()
            if hours
        ]
        ranked.sort(key=lambda r: (r[1], -r[2], r[0]))
        return ranked[:n]


def _hours(dept: DeptInfo, start: datetime, end: datetime) -> float:
    return dept.calendar.business_time_between(start, end).total_seconds() / 3600


def week_metrics(
    session: Session,
    workspace_id: int,
    depts: dict[int, DeptInfo],
    *,
    start: datetime,
    end: datetime,
    standup_dates: tuple[str, str],
) -> dict[int, DeptWeek]:
    """Figures for [start, end) of every department given; `standup_dates` is [first, last]."""
    weeks = {d.id: DeptWeek(d.id, d.key, d.name) for d in depts.values()}
    _opened(session, workspace_id, weeks, start, end)
    _closings_and_escalations(session, workspace_id, weeks, depts, start, end)
    _first_responses(session, workspace_id, weeks, depts, start, end)
    _overdue(session, workspace_id, weeks, end)
    _unanswered(session, workspace_id, weeks, depts, end)
    _standups(session, workspace_id, weeks, standup_dates)
    return weeks


def _opened(
    session: Session, ws: int, weeks: dict[int, DeptWeek], start: datetime, end: datetime
) -> None:
    rows = session.execute(
        select(Item.department_id).where(
            Item.workspace_id == ws,
            Item.created_at >= start,
            Item.created_at < end,
            Item.department_id.is_not(None),
        )
    )
    for (dept_id,) in rows:
        if dept_id in weeks:
            weeks[dept_id].opened += 1


def _closings_and_escalations(
    session: Session,
    ws: int,
    weeks: dict[int, DeptWeek],
    depts: dict[int, DeptInfo],
    start: datetime,
    end: datetime,
) -> None:
    updates = session.execute(
        select(Update.item_id, Update.kind, Update.at)
        .where(
            Update.workspace_id == ws,
            Update.kind.in_([*CLOSING, UpdateKind.ESCALATED.value]),
            Update.at >= start,
            Update.at < end,
        )
        .order_by(Update.at, Update.id)
    ).all()
    # The items by primary key, in a second query: joined, the planner misjudged how few
    # updates a week has and hashed the whole items table (it grew with the archive).
    items = {
        item_id: (dept_id, created_at, number)
        for item_id, dept_id, created_at, number in session.execute(
            select(Item.id, Item.department_id, Item.created_at, Item.number).where(
                Item.id.in_(sorted({u.item_id for u in updates}))
            )
        )
    }
    rows = [(u.item_id, u.kind, u.at, *items[u.item_id]) for u in updates if u.item_id in items]
    counted: set[tuple[int, str]] = set()
    done_at: dict[int, tuple[int, datetime, datetime]] = {}
    for item_id, kind, at, dept_id, created_at, number in rows:
        if dept_id not in weeks:
            continue
        if kind == UpdateKind.ESCALATED.value:
            weeks[dept_id].escalated.append(f"XD-{number}")
            continue
        label = CLOSING[kind]
        if (item_id, label) not in counted:
            counted.add((item_id, label))
            weeks[dept_id].closed[label] += 1
        if label == "done":
            done_at[item_id] = (dept_id, created_at, at)  # the last time it was done counts
    for dept_id, created_at, at in done_at.values():
        weeks[dept_id].done_hours.append(_hours(depts[dept_id], created_at, at))


def _first_responses(
    session: Session,
    ws: int,
    weeks: dict[int, DeptWeek],
    depts: dict[int, DeptInfo],
    start: datetime,
    end: datetime,
) -> None:
    rows = session.execute(
        select(
            Item.department_id, Item.created_at, Item.first_response_at, Item.first_response_by
        ).where(
            Item.workspace_id == ws,
            Item.first_response_at >= start,
            Item.first_response_at < end,
            Item.kind == ItemKind.REQUEST.value,
        )
    )
    for dept_id, created_at, answered_at, answered_by in rows:
        if dept_id is None or dept_id not in weeks or answered_at is None:
            continue
        hours = _hours(depts[dept_id], created_at, answered_at)
        weeks[dept_id].first_response_hours.append(hours)
        if answered_by:
            weeks[dept_id].responders[answered_by].append(hours)


def _overdue(session: Session, ws: int, weeks: dict[int, DeptWeek], end: datetime) -> None:
    """Items past due and not closed when the period ended."""
    # Two narrow queries rather than one OR, so each can use its index: active items by
    # (workspace, status, due), and items closed since the period ended by (workspace, closed).
    still_active = select(Item.department_id).where(
        Item.workspace_id == ws,
        Item.status.in_([s.value for s in ACTIVE]),
        Item.due_at < end,
        Item.created_at < end,
    )
    closed_after = select(Item.department_id).where(
        Item.workspace_id == ws,
        Item.closed_at >= end,
        Item.due_at < end,
        Item.created_at < end,
    )
    for stmt in (still_active, closed_after):
        for (dept_id,) in session.execute(stmt):
            if dept_id is not None and dept_id in weeks:
                weeks[dept_id].overdue += 1


def _unanswered(
    session: Session,
    ws: int,
    weeks: dict[int, DeptWeek],
    depts: dict[int, DeptInfo],
    end: datetime,
) -> None:
    rows = session.execute(
        select(Item.department_id, Item.number, Item.created_at)
        .where(
            Item.status == Status.OPEN.value,
            Item.first_response_at.is_(None),
            Item.workspace_id == ws,
            Item.kind == ItemKind.REQUEST.value,
            Item.created_at < end,
        )
        .order_by(Item.created_at)
    )
    for dept_id, number, created_at in rows:
        week = weeks.get(dept_id) if dept_id is not None else None
        if dept_id is None or week is None or week.oldest_unanswered is not None:
            continue
        waited = _hours(depts[dept_id], created_at, end)
        week.oldest_unanswered = Unanswered(f"XD-{number}", created_at, waited)


def _standups(
    session: Session, ws: int, weeks: dict[int, DeptWeek], dates: tuple[str, str]
) -> None:
    standups = dict(
        session.execute(
            select(Standup.id, Standup.department_id).where(
                Standup.workspace_id == ws,
                Standup.local_date >= dates[0],
                Standup.local_date <= dates[1],
            )
        ).all()
    )
    if not standups:
        return
    # Replies by stand-up id, in a second query: joined, the planner read every reply ever
    # stored (a hash over the whole table) to find one week's.
    replies = session.execute(
        select(StandupReply.standup_id, StandupReply.user_id).where(
            StandupReply.standup_id.in_(sorted(standups))
        )
    )
    rows = [(standups[standup_id], user_id) for standup_id, user_id in replies]
    for dept_id, user_id in rows:
        week = weeks.get(dept_id)
        if week is not None:
            week.standup_replies += 1
            week.standup_people.add(user_id)
