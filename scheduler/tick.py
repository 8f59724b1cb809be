"""The tick: ask the database what is due at `now` and write it to the outbox.

No message is sent here (delivery does that) and no job lives in a job store:
the items' `next_check_at` and the departments' stand-up times are the
schedule. Every row written carries a dedupe key under a unique constraint,
so ticking twice at one instant, or on two replicas, writes each message once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.domain import UpdateKind
from bot.lookup import normalize_locale
from scheduler import facts, lease, nudges
from scheduler.audience import leads_to_tell, owner_or_leads
from scheduler.facts import DeptInfo, ItemRow, PersonInfo
from scheduler.rules import Decision, Policy, Reminder, ReminderKind, decide
from scheduler.standup import DueStandup, due_standups, standup_prompt
from scheduler.summary import post_due_summaries, summary_may_be_due
from scheduler.writer import SKIPPED, TickWriter
from storage.db import Store
from storage.models import OutboxMessage, Standup
from storage.repositories import FileRepository

# Items looked at per tick; after a long outage the rest wait for the next tick.
BATCH = 2000
REMINDER_KINDS = [k.value for k in ReminderKind]


@dataclass
class TickReport:
    """What one tick wrote."""

    now: datetime
    ticked: bool = True  # False when another replica held the tick lock
    items_checked: int = 0
    backlog: bool = False  # more items were due than one tick takes
    written: Counter[str] = field(default_factory=Counter)  # new outbox rows by kind
    superseded: int = 0

    @property
    def messages(self) -> int:
        """Messages queued by this tick."""
        return sum(self.written.values())

    def record(self, rows: list[tuple[str, str, str]]) -> None:
        """Count the rows a flush wrote."""
        for _key, kind, state in rows:
            if state == SKIPPED:
                self.superseded += 1
            else:
                self.written[kind] += 1

    def lines(self) -> list[str]:
        """A short account for a person reading the log."""
        if not self.ticked:
            return [f"tick {self.now.isoformat()}: another replica is ticking; nothing done"]
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.written.items())) or "nothing"
        out = [f"tick {self.now.isoformat()}: {self.items_checked} item(s) checked; queued {kinds}"]
        if self.superseded:
            out.append(f"  {self.superseded} reminder(s) superseded by a catch-up message")
        if self.backlog:
            out.append("  more items are due than one tick takes; the next tick continues")
        return out


# How long finished inbox rows are kept: platforms retry within minutes, so a week is plenty.
EVENT_MEMORY = timedelta(days=7)
# How long stored outbox files (the weekly chart) are kept: a summary unsent after two
# weeks is stale, and its rows then fail with a message saying the file is gone.
FILE_MEMORY = timedelta(days=14)


def tick(
    store: Store,
    settings: Settings,
    *,
    now: datetime,
    batch: int = BATCH,
    use_lease: bool = True,
) -> TickReport:
    """Write every message due at `now` to the outbox (stand-ups, reminders, weekly summaries)."""
    if now.tzinfo is None:
        raise ValueError("tick(now=...) must be timezone-aware")
    now = now.astimezone(UTC)
    report = TickReport(now=now)
    with store.unit_of_work() as uow:
        session = uow.session
        if use_lease and not lease.acquire(session):
            report.ticked = False
            return report
        uow.inbox.forget_before(now - EVENT_MEMORY)
        FileRepository(session).forget_before(now - FILE_MEMORY)
        depts = facts.departments(session)
        writer = TickWriter(session, now)
        _plan_standups(session, settings, depts, now, writer)
        _plan_reminders(session, settings, depts, now, writer, report, batch)
        report.record(writer.flush())
    with store.unit_of_work() as uow:
        # The weekly summary is heavier (metrics, a chart): its own transaction, same lock.
        if not summary_may_be_due(uow.session, settings, now):
            return report
        if use_lease and not lease.acquire(uow.session):
            return report
        queued = post_due_summaries(uow, settings, now=now)
        if queued:
            report.written["summary"] += queued
    return report


# -- stand-ups ---------------------------------------------------------------------------------


def _plan_standups(
    session: Session,
    settings: Settings,
    depts: dict[int, DeptInfo],
    now: datetime,
    writer: TickWriter,
) -> None:
    due = due_standups(depts.values(), now)
    if not due:
        return
    existing = set(
        session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_([d.key for d in due])
            )
        )
    )
    todo = [d for d in due if d.key not in existing]
    if not todo:
        return
    team = facts.roles(session, [d.dept.id for d in todo])
    wanted = {(d.dept.workspace_id, u) for d in todo for u in facts.leads_of(team, d.dept.id)}
    known = facts.people(session, wanted)
    # One query for every department's active items, one statement for the stand-up rows,
    # two for the previous stand-ups' replies: the cost follows the departments due, not
    # one round trip per department.
    active = facts.active_items_of_many(session, [d.dept.id for d in todo])
    rows = _standup_rows(session, todo, now)
    previous = facts.last_standup_replies(session, {d.dept.id: d.local_date for d in todo})
    for standup in todo:
        dept = standup.dept
        leads = facts.leads_of(team, dept.id)
        who = leads_to_tell(leads, _AwayCheck(known, dept.workspace_id, now))
        message = standup_prompt(
            dept,
            active.get(dept.id, []),
            who=who,
            at=standup.at,
            now=now,
            locale=normalize_locale(dept.locale, settings.xdept_locale),
            previous=previous.get(dept.id),
        )
        writer.channel(
            workspace_id=dept.workspace_id,
            channel_id=dept.channel_id,
            message=message,
            key=standup.key,
            department_id=dept.id,
            # Delivery stores where the prompt landed, so replies in its thread are kept.
            extra={"standup_id": rows[(dept.id, standup.local_date)]},
        )


def _standup_rows(
    session: Session, due: list[DueStandup], now: datetime
) -> dict[tuple[int, str], int]:
    """The stand-ups' rows (one per department and local date), created where missing."""
    table: Any = Standup.__table__
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        maker(table).on_conflict_do_nothing(),
        [
            {
                "workspace_id": s.dept.workspace_id,
                "department_id": s.dept.id,
                "local_date": s.local_date,
                "posted_at": now,
                "channel_id": None,
                "message_id": None,
            }
            for s in due
        ],
    )
    found = session.execute(
        select(Standup.department_id, Standup.local_date, Standup.id).where(
            Standup.department_id.in_([s.dept.id for s in due]),
            Standup.local_date.in_(sorted({s.local_date for s in due})),
        )
    )
    rows = {(dept_id, day): int(row_id) for dept_id, day, row_id in found}
    assert all((s.dept.id, s.local_date) in rows for s in due)
    return rows


# -- reminders about items -----------------------------------------------------------------------


@dataclass
class _Context:
    """What the reminder pass loaded once for all due items."""

    settings: Settings
    now: datetime
    depts: dict[int, DeptInfo]
    team: dict[int, dict[str, list[str]]]
    people: dict[tuple[int, str], PersonInfo]
    zones: dict[int, str]
    # For items without a department: the departments their owner belongs to.
    owner_depts: dict[tuple[int, str], list[int]]

    def away(self, workspace_id: int) -> _AwayCheck:
        return _AwayCheck(self.people, workspace_id, self.now)

    def locale(self, workspace_id: int, user_id: str | None) -> str:
        person = self.people.get((workspace_id, user_id or ""))
        return normalize_locale(person.locale if person else None, self.settings.xdept_locale)

    def zone(self, item: ItemRow) -> str:
        dept = self.depts.get(item.department_id or 0)
        if dept is not None:
            return dept.timezone
        owner = self.people.get((item.workspace_id, item.owner_id or ""))
        if owner is not None and owner.timezone:
            return owner.timezone
        return self.zones.get(item.workspace_id, self.settings.xdept_timezone)


class _AwayCheck:
    """Is this person of this workspace away now?"""

    def __init__(self, people: dict[tuple[int, str], PersonInfo], ws: int, now: datetime):
        self._people, self._ws, self._now = people, ws, now

    def __call__(self, user_id: str) -> bool:
        person = self._people.get((self._ws, user_id))
        return person is not None and person.away(self._now)


def _plan_reminders(
    session: Session,
    settings: Settings,
    depts: dict[int, DeptInfo],
    now: datetime,
    writer: TickWriter,
    report: TickReport,
    batch: int,
) -> None:
    items = facts.due_items(session, now, limit=batch + 1)
    report.backlog = len(items) > batch
    items = items[:batch]
    report.items_checked = len(items)
    if not items:
        return
    ids = [i.id for i in items]
    written = facts.written(session, ids, REMINDER_KINDS)
    due_sets = facts.due_set_at(session, ids)
    ctx = _load_context(session, settings, depts, items, now)
    for item in items:
        dept = depts.get(item.department_id or 0)
        policy = dept.policy if dept is not None else facts.default_policy(ctx.zone(item))
        rows = written.get(item.id, [])
        decision = decide(
            facts.clock_of(item, due_set=due_sets.get(item.id), dept=dept),
            policy,
            now=now,
            done={w.key for w in rows},
            overdue_sent=sum(
                1 for w in rows if w.kind == ReminderKind.OVERDUE.value and w.state != SKIPPED
            ),
        )
        nudged_before = sum(
            1
            for w in rows
            if w.state != SKIPPED and w.kind != ReminderKind.ESCALATION_SUGGESTION.value
        )
        _write_decision(writer, ctx, item, dept, policy, decision, nudged_before)
        writer.next_check(item.id, item.version, decision.next_check_at)


def _load_context(
    session: Session,
    settings: Settings,
    depts: dict[int, DeptInfo],
    items: list[ItemRow],
    now: datetime,
) -> _Context:
    team = facts.roles(session, {i.department_id for i in items if i.department_id})
    wanted: set[tuple[int, str]] = set()
    for item in items:
        wanted.update((item.workspace_id, u) for u in (item.owner_id, item.requester_id) if u)
        if item.department_id:
            wanted.update((item.workspace_id, u) for u in facts.leads_of(team, item.department_id))
    people = facts.people(session, wanted)
    zones = facts.workspace_zones(session) if any(not i.department_id for i in items) else {}
    # An away owner of an item without a department: their own department's leads are told.
    owner_depts: dict[tuple[int, str], list[int]] = {}
    away_owners: dict[int, set[str]] = {}
    for item in items:
        owner = people.get((item.workspace_id, item.owner_id or ""))
        if not item.department_id and owner is not None and owner.away(now):
            away_owners.setdefault(item.workspace_id, set()).add(owner.user_id)
    for ws_id, owners in away_owners.items():
        for user_id, dept_ids in facts.departments_of_people(session, ws_id, owners).items():
            owner_depts[(ws_id, user_id)] = dept_ids
    if owner_depts:
        extra = facts.roles(session, {d for ids in owner_depts.values() for d in ids})
        team.update(extra)
        more = {
            (ws_id, lead)
            for (ws_id, _owner), ids in owner_depts.items()
            for d in ids
            for lead in facts.leads_of(extra, d)
        }
        people.update(facts.people(session, more - set(people)))
    return _Context(settings, now, depts, team, people, zones, owner_depts)


def _write_decision(
    writer: TickWriter,
    ctx: _Context,
    item: ItemRow,
    dept: DeptInfo | None,
    policy: Policy,
    decision: Decision,
    nudged_before: int,
) -> None:
    nudges_now = sum(1 for r in decision.send if r.kind is not ReminderKind.ESCALATION_SUGGESTION)
    for reminder in decision.send:
        if reminder.kind is ReminderKind.ESCALATION_SUGGESTION:
            assert dept is not None  # only requests to a department with a contact get one
            _suggest_escalation(
                writer, ctx, item, dept, policy, reminder, nudged_before + nudges_now
            )
        else:
            _nudge(writer, ctx, item, dept, policy, reminder)
    best = decision.send[0].key if decision.send else ""
    for reminder in decision.superseded:
        writer.superseded(
            workspace_id=item.workspace_id,
            item_id=item.id,
            kind=reminder.kind.value,
            key=reminder.key,
            by=best,
        )


def _nudge(
    writer: TickWriter,
    ctx: _Context,
    item: ItemRow,
    dept: DeptInfo | None,
    policy: Policy,
    reminder: Reminder,
) -> None:
    """A due-soon, overdue or unanswered nudge in the item's thread."""
    away = ctx.away(item.workspace_id)
    if dept is not None:
        leads = facts.leads_of(ctx.team, dept.id)
        locale = normalize_locale(dept.locale, ctx.settings.xdept_locale)
    else:
        owner_dept_ids = ctx.owner_depts.get((item.workspace_id, item.owner_id or ""), [])
        leads = [lead for d in owner_dept_ids for lead in facts.leads_of(ctx.team, d)]
        locale = ctx.locale(item.workspace_id, item.owner_id)
    tz = ctx.zone(item)
    if reminder.kind is ReminderKind.UNANSWERED:
        who = leads_to_tell(leads, away)
        waited = policy.calendar.business_time_between(item.created_at, ctx.now)
        message = nudges.unanswered(
            item, who=who, waited_seconds=waited.total_seconds(), locale=locale
        )
    elif reminder.kind is ReminderKind.DUE_SOON:
        who = owner_or_leads(item.owner_id, leads, away)
        message = nudges.due_soon(item, who=who, tz=tz, locale=locale, now=ctx.now)
    else:
        who = owner_or_leads(item.owner_id, leads, away)
        message = nudges.overdue(
            item, who=who, slot=reminder.slot or 1, tz=tz, locale=locale, now=ctx.now
        )
    data: dict[str, object] = {"reminder": reminder.kind.value, "to": who, "key": reminder.key}
    if reminder.slot is not None:
        data["slot"] = reminder.slot
    writer.thread(
        workspace_id=item.workspace_id,
        item_id=item.id,
        channel_id=item.channel_id,
        message=message,
        key=reminder.key,
        update={"kind": UpdateKind.NUDGED.value, "data": data},
    )


def _suggest_escalation(
    writer: TickWriter,
    ctx: _Context,
    item: ItemRow,
    dept: DeptInfo,
    policy: Policy,
    reminder: Reminder,
    nudged: int,
) -> None:
    """The private offer to the requester to escalate."""
    waited = policy.calendar.business_time_between(item.created_at, ctx.now)
    locale = ctx.locale(item.workspace_id, item.requester_id)
    requester = ctx.people.get((item.workspace_id, item.requester_id))
    tz = (requester.timezone if requester and requester.timezone else None) or dept.timezone
    message = nudges.escalation_suggestion(
        item,
        dept,
        waited_seconds=waited.total_seconds(),
        nudges=nudged,
        tz=tz,
        locale=locale,
        now=ctx.now,
    )
    key = reminder.key
    writer.direct(
        workspace_id=item.workspace_id,
        user_id=item.requester_id,
        message=message,
        key=key,
        item_id=item.id,
        update={
            "kind": UpdateKind.ESCALATION_SUGGESTED.value,
            "data": {"to": item.requester_id, "contact": dept.escalation_contact_id, "key": key},
        },
    )
