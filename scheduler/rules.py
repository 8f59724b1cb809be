"""When each reminder of an item falls due, and which of them to send now.

Pure: no database, no clock. The tick feeds in an item's facts, its
department's calendar and thresholds, the dedupe keys already written for it,
and `now`; it gets back what to send, what a catch-up makes obsolete, and
when to look at the item again.

The rules (SPEC.md, "Decisions → Scheduled messages"):

- due-soon: once, one work day before the due time; skipped if the due time
  was set with less than that left, and pointless once the item is overdue;
- overdue: at the due time, then at the department's stand-up time on each
  following work day, at most 5 in all;
- unanswered: once, `first_response` business time after filing, for requests
  nobody has answered;
- escalation suggestion: once, `escalate_after` business time after filing
  with no first response, or two work days after the due time, whichever
  comes first, for requests that can be escalated and were not.

A reminder that would land outside work time (a weekend, a holiday, the
night) waits for the next opening. Snoozed items are quiet until the snooze
ends. A reminder more than `LATE` behind, or one that fell due during a
snooze, makes the tick a catch-up for that item: only the most relevant
reminder goes, and the other due ones are recorded as superseded.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from bot.calendar import WorkCalendar
from bot.domain import ItemKind, Status

MAX_OVERDUE = 5
# Later than this, a reminder is a catch-up after downtime (the stand-up rule uses it too).
LATE = timedelta(hours=2)


class ReminderKind(StrEnum):
    """The scheduled messages about one item; values double as outbox kinds."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    UNANSWERED = "unanswered"
    ESCALATION_SUGGESTION = "escalation_suggestion"


# Which reminder wins a catch-up: the one that asks the most of someone.
RELEVANCE = {
    ReminderKind.ESCALATION_SUGGESTION: 4,
    ReminderKind.OVERDUE: 3,
    ReminderKind.UNANSWERED: 2,
    ReminderKind.DUE_SOON: 1,
}


@dataclass(frozen=True)
class Policy:
    """A department's scheduling settings (or the defaults, for items without one)."""

    calendar: WorkCalendar
    followup_time: time = time(9, 30)
    first_response: timedelta = timedelta(hours=8)
    escalate_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class ItemClock:
    """What the rules need to know about an item."""

    item_id: int
    kind: ItemKind
    status: Status
    created_at: datetime
    due_at: datetime | None = None
    due_set_at: datetime | None = None  # when the current due time was set (None: at filing)
    first_response_at: datetime | None = None
    snoozed_until: datetime | None = None
    escalated_at: datetime | None = None
    can_escalate: bool = False  # a request whose department has an escalation contact
    round: int = 0  # moves to another department: each restarts the once-only reminders


@dataclass(frozen=True)
class Reminder:
    """One scheduled message about an item, with its dedupe key and the instant it is due."""

    kind: ReminderKind
    key: str
    fire_at: datetime
    slot: int | None = None  # the overdue follow-up's number, 1 to 5


@dataclass(frozen=True)
class Decision:
    """What the tick does with an item now."""

    send: list[Reminder] = field(default_factory=list)
    superseded: list[Reminder] = field(default_factory=list)
    next_check_at: datetime | None = None
    catch_up: bool = False


def due_token(due_at: datetime) -> str:
    """The due time in a key, so moving the due date gives its reminders fresh keys."""
    return due_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def due_soon_key(item_id: int, due_at: datetime) -> str:
    """Dedupe key of the due-soon nudge for one due time."""
    return f"due_soon:item:{item_id}:{due_token(due_at)}"


def overdue_key(item_id: int, due_at: datetime, slot: int) -> str:
    """Dedupe key of the n-th overdue follow-up for one due time."""
    return f"overdue:item:{item_id}:{due_token(due_at)}:n{slot}"


def _round(round_: int) -> str:
    return f":m{round_}" if round_ else ""


def unanswered_key(item_id: int, round_: int = 0) -> str:
    """Dedupe key of the unanswered nudge (once per item and department it was sent to)."""
    return f"unanswered:item:{item_id}{_round(round_)}"


def escalation_key(item_id: int, round_: int = 0) -> str:
    """Dedupe key of the escalation suggestion (once per item and department)."""
    return f"escalation_suggestion:item:{item_id}{_round(round_)}"


def overdue_slots(policy: Policy, due_at: datetime) -> list[datetime]:
    """The instants of the five overdue follow-ups: the due time, then the following work days."""
    cal = policy.calendar
    slots = [cal.within_work_time(due_at)]
    # Count the following work days from the first follow-up, which a weekend may have moved.
    day = cal.local_date(slots[0])
    while len(slots) < MAX_OVERDUE:
        day = cal.next_workday(day)
        at = cal.local_instant(day, policy.followup_time)
        if at > slots[-1]:
            slots.append(at)
    return slots


def due_soon_at(policy: Policy, due_at: datetime) -> datetime:
    """One work day before the due time, moved into work hours."""
    return policy.calendar.within_work_time(policy.calendar.workdays_before(due_at, 1))


def unanswered_at(policy: Policy, created_at: datetime) -> datetime:
    """When a request without a first response gets its nudge."""
    return policy.calendar.add_business_time(created_at, policy.first_response)


def escalation_at(policy: Policy, clock: ItemClock) -> datetime | None:
    """When the requester is offered escalation, or None if that no longer applies."""
    candidates = []
    if clock.first_response_at is None:
        candidates.append(
            policy.calendar.add_business_time(clock.created_at, policy.escalate_after)
        )
    if clock.due_at is not None:
        two_days_late = policy.calendar.add_workdays(clock.due_at, 2)
        candidates.append(policy.calendar.within_work_time(two_days_late))
    return min(candidates) if candidates else None


def reminders(
    clock: ItemClock, policy: Policy, *, done: Collection[str], overdue_sent: int
) -> list[Reminder]:
    """Every reminder still to come for the item (due or not), leaving out what was written."""
    if clock.status.is_closed:
        return []
    found: list[Reminder] = []
    item = clock.item_id
    if clock.due_at is not None:
        due = clock.due_at
        soon = due_soon_at(policy, due)
        set_at = clock.due_set_at or clock.created_at
        if soon >= set_at and soon < due and due_soon_key(item, due) not in done:
            found.append(Reminder(ReminderKind.DUE_SOON, due_soon_key(item, due), soon))
        if overdue_sent < MAX_OVERDUE:
            # Follow-ups go in order: none at or before the last one written for this due time.
            last = _last_slot(done, overdue_key(item, due, 0)[:-1])
            for slot, at in enumerate(overdue_slots(policy, due), start=1):
                if slot > last:
                    found.append(
                        Reminder(ReminderKind.OVERDUE, overdue_key(item, due, slot), at, slot)
                    )
    is_request = clock.kind is ItemKind.REQUEST
    unanswered, offered = unanswered_key(item, clock.round), escalation_key(item, clock.round)
    if is_request and clock.first_response_at is None and unanswered not in done:
        found.append(
            Reminder(
                ReminderKind.UNANSWERED,
                unanswered,
                unanswered_at(policy, clock.created_at),
            )
        )
    if is_request and clock.can_escalate and clock.escalated_at is None and offered not in done:
        offer = escalation_at(policy, clock)
        if offer is not None:
            found.append(Reminder(ReminderKind.ESCALATION_SUGGESTION, offered, offer))
    return found


def _last_slot(done: Collection[str], prefix: str) -> int:
    """The highest follow-up number among keys starting with `prefix` (0 if none)."""
    slots = [int(k[len(prefix) :]) for k in done if k.startswith(prefix)]
    return max(slots, default=0)


def decide(
    clock: ItemClock,
    policy: Policy,
    *,
    now: datetime,
    done: Collection[str] = (),
    overdue_sent: int = 0,
) -> Decision:
    """What to send about the item at `now`, and when to look at it again."""
    pending = reminders(clock, policy, done=done, overdue_sent=overdue_sent)
    if not pending:
        return Decision()
    if clock.snoozed_until is not None and clock.snoozed_until > now:
        return Decision(next_check_at=clock.snoozed_until)
    due = [r for r in pending if r.fire_at <= now]
    due = _drop_stale(due, clock, now)
    later = [r for r in pending if r.fire_at > now]
    catch_up = any(r.fire_at < now - LATE for r in due) or (
        clock.snoozed_until is not None and any(r.fire_at < clock.snoozed_until for r in due)
    )
    send, superseded = due, []
    if catch_up and len(due) > 1:
        best = max(due, key=lambda r: (RELEVANCE[r.kind], r.fire_at))
        send, superseded = [best], [r for r in due if r is not best]
    overdue_left = MAX_OVERDUE - overdue_sent - sum(r.kind is ReminderKind.OVERDUE for r in send)
    upcoming = [r for r in later if r.kind is not ReminderKind.OVERDUE or overdue_left > 0]
    next_at = min((r.fire_at for r in upcoming), default=None)
    return Decision(send=send, superseded=superseded, next_check_at=next_at, catch_up=catch_up)


def _drop_stale(due: list[Reminder], clock: ItemClock, now: datetime) -> list[Reminder]:
    """Drop what no longer means anything: earlier overdue slots, a due-soon once overdue."""
    overdue = [r for r in due if r.kind is ReminderKind.OVERDUE]
    latest = max(overdue, key=lambda r: r.fire_at) if overdue else None
    kept = []
    for r in due:
        if r.kind is ReminderKind.OVERDUE and r is not latest:
            continue  # an earlier follow-up nobody sent in time is replaced by the latest
        if r.kind is ReminderKind.DUE_SOON and clock.due_at is not None and now >= clock.due_at:
            continue
        kept.append(r)
    return kept
