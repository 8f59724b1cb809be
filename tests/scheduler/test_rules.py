"""The reminder rules on their own: instants, catch-up, snooze, the cap of five follow-ups."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import build_calendar
from bot.domain import ItemKind, Status
from scheduler.rules import (
    ItemClock,
    Policy,
    ReminderKind,
    decide,
    due_soon_at,
    escalation_at,
    overdue_slots,
    unanswered_at,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def policy(tz: str = "Asia/Shanghai", holidays: tuple[str, ...] = ()) -> Policy:
    return Policy(calendar=build_calendar(tz=tz, holidays=holidays), followup_time=time(9, 30))


def clock(**kw: object) -> ItemClock:
    values: dict[str, object] = {
        "item_id": 7,
        "kind": ItemKind.REQUEST,
        "status": Status.OPEN,
        "created_at": sh(2026, 11, 23, 10, 0),
        "can_escalate": True,
    }
    values.update(kw)
    return ItemClock(**values)  # type: ignore[arg-type]


def run(c: ItemClock, p: Policy, instants: list[datetime]) -> list[tuple[datetime, str]]:
    """Tick the rules at each instant as the scheduler does; (instant, key) of what goes."""
    done: set[str] = set()
    overdue = 0
    sent = []
    for now in instants:
        d = decide(c, p, now=now, done=done, overdue_sent=overdue)
        for r in d.send:
            sent.append((now, r.key))
            done.add(r.key)
            overdue += r.kind is ReminderKind.OVERDUE
        done.update(r.key for r in d.superseded)
    return sent


def every(
    start: datetime, end: datetime, step: timedelta = timedelta(minutes=15)
) -> list[datetime]:
    out, at = [], start
    while at <= end:
        out.append(at)
        at += step
    return out


def test_due_soon_is_one_work_day_before_at_the_same_wall_time() -> None:
    p = policy()
    assert due_soon_at(p, sh(2026, 11, 27, 18, 0)) == sh(2026, 11, 26, 18, 0)
    # Due on a Monday: the work day before is Friday.
    assert due_soon_at(p, sh(2026, 11, 30, 18, 0)) == sh(2026, 11, 27, 18, 0)


def test_due_soon_is_skipped_when_filed_with_less_than_a_work_day_left() -> None:
    p = policy()
    late = clock(created_at=sh(2026, 11, 26, 19, 0), due_at=sh(2026, 11, 27, 18, 0))
    sent = run(late, p, every(sh(2026, 11, 26, 19, 0), sh(2026, 11, 27, 17, 45)))
    assert not [k for _, k in sent if k.startswith("due_soon")]
    early = clock(created_at=sh(2026, 11, 23, 10, 0), due_at=sh(2026, 11, 27, 18, 0))
    sent = run(early, p, every(sh(2026, 11, 23, 10, 0), sh(2026, 11, 27, 17, 45)))
    assert [(t, k.split(":")[0]) for t, k in sent if k.startswith("due_soon")] == [
        (sh(2026, 11, 26, 18, 0), "due_soon")
    ]


def test_a_due_soon_that_falls_at_night_waits_for_the_morning() -> None:
    p = policy()
    assert p.calendar.within_work_time(sh(2026, 11, 26, 21, 0)) == sh(2026, 11, 27, 9, 0)
    assert p.calendar.within_work_time(sh(2026, 11, 28, 10, 0)) == sh(2026, 11, 30, 9, 0)
    assert p.calendar.within_work_time(sh(2026, 11, 26, 18, 0)) == sh(2026, 11, 26, 18, 0)


def test_overdue_follow_ups_at_due_then_stand_up_time_on_following_work_days() -> None:
    slots = overdue_slots(policy(), sh(2026, 11, 27, 18, 0))  # a Friday
    assert slots == [
        sh(2026, 11, 27, 18, 0),
        sh(2026, 11, 30, 9, 30),
        sh(2026, 12, 1, 9, 30),
        sh(2026, 12, 2, 9, 30),
        sh(2026, 12, 3, 9, 30),
    ]


def test_overdue_follow_ups_skip_the_national_day_and_work_the_make_up_saturday() -> None:
    slots = overdue_slots(policy(holidays=("CN",)), sh(2026, 9, 30, 18, 0))
    assert slots == [
        sh(2026, 9, 30, 18, 0),
        sh(2026, 10, 8, 9, 30),
        sh(2026, 10, 9, 9, 30),
        sh(2026, 10, 10, 9, 30),  # Saturday, an official make-up work day
        sh(2026, 10, 12, 9, 30),
    ]


def test_a_due_time_on_a_weekend_is_followed_up_on_the_next_work_days() -> None:
    slots = overdue_slots(policy(), sh(2026, 11, 28, 12, 0))  # Saturday noon
    assert slots[:2] == [sh(2026, 11, 30, 9, 0), sh(2026, 12, 1, 9, 30)]


def test_at_most_five_overdue_follow_ups() -> None:
    c = clock(due_at=sh(2026, 11, 27, 18, 0), first_response_at=sh(2026, 11, 23, 11, 0))
    sent = run(c, policy(), every(sh(2026, 11, 27, 9, 0), sh(2026, 12, 11, 18, 0)))
    overdue = [k for _, k in sent if k.startswith("overdue")]
    assert [k.rsplit(":", 1)[1] for k in overdue] == ["n1", "n2", "n3", "n4", "n5"]


def test_unanswered_and_escalation_count_business_hours() -> None:
    p = policy()
    friday_4pm = sh(2026, 11, 27, 16, 0)
    # 2 h on Friday, 6 h on Monday.
    assert unanswered_at(p, friday_4pm) == sh(2026, 11, 30, 15, 0)
    c = clock(created_at=friday_4pm)
    # 24 business hours: 2 + 9 + 9 + 4.
    assert escalation_at(p, c) == sh(2026, 12, 2, 13, 0)


def test_escalation_also_two_work_days_overdue_even_when_answered() -> None:
    p = policy()
    c = clock(
        created_at=sh(2026, 11, 23, 10, 0),
        first_response_at=sh(2026, 11, 23, 11, 0),
        due_at=sh(2026, 11, 27, 18, 0),
    )
    assert escalation_at(p, c) == sh(2026, 12, 1, 18, 0)


def test_normal_ticking_sends_each_reminder_once_at_its_time() -> None:
    c = clock(created_at=sh(2026, 11, 23, 10, 0), due_at=sh(2026, 11, 27, 18, 0))
    sent = run(c, policy(), every(sh(2026, 11, 23, 10, 0), sh(2026, 11, 27, 18, 0)))
    assert [(t, k.split(":")[0]) for t, k in sent] == [
        (sh(2026, 11, 23, 18, 0), "unanswered"),  # 8 business hours
        (sh(2026, 11, 25, 16, 0), "escalation_suggestion"),  # 24 business hours
        (sh(2026, 11, 26, 18, 0), "due_soon"),
        (sh(2026, 11, 27, 18, 0), "overdue"),
    ]


def test_ticking_twice_at_the_same_instant_sends_nothing_more() -> None:
    c = clock(created_at=sh(2026, 11, 23, 10, 0), due_at=sh(2026, 11, 27, 18, 0))
    instants = every(sh(2026, 11, 23, 10, 0), sh(2026, 12, 4, 18, 0))
    once = run(c, policy(), instants)
    twice = run(c, policy(), [t for t in instants for _ in (0, 1)])
    assert once == twice


def test_a_catch_up_sends_only_the_most_relevant_reminder() -> None:
    c = clock(created_at=sh(2026, 11, 23, 10, 0), due_at=sh(2026, 11, 25, 18, 0))
    # Down from Monday 11:00 to the next Monday: everything fell due meanwhile.
    d = decide(c, policy(), now=sh(2026, 11, 30, 14, 0))
    assert d.catch_up
    assert [r.kind for r in d.send] == [ReminderKind.ESCALATION_SUGGESTION]
    assert {r.kind for r in d.superseded} == {ReminderKind.UNANSWERED, ReminderKind.OVERDUE}
    done = {r.key for r in d.send + d.superseded}
    again = decide(c, policy(), now=sh(2026, 11, 30, 14, 15), done=done)
    assert again.send == []
    # The follow-ups go on from the next slot, at stand-up time.
    assert again.next_check_at == sh(2026, 12, 1, 9, 30)


def test_a_catch_up_of_overdue_sends_the_latest_follow_up_only() -> None:
    c = clock(due_at=sh(2026, 11, 27, 18, 0), first_response_at=sh(2026, 11, 23, 11, 0))
    d = decide(c, policy(), now=sh(2026, 12, 2, 12, 0), done=set())
    # Escalation (two work days overdue: Tue 18:00) wins; overdue n4 (Wed 09:30) is superseded.
    assert [r.kind for r in d.send] == [ReminderKind.ESCALATION_SUGGESTION]
    assert [r.key.rsplit(":", 1)[1] for r in d.superseded] == ["n4"]


def test_snoozed_items_are_quiet_then_send_one_message() -> None:
    c = clock(
        created_at=sh(2026, 11, 23, 10, 0),
        due_at=sh(2026, 11, 25, 18, 0),
        snoozed_until=sh(2026, 11, 30, 9, 0),
    )
    instants = every(sh(2026, 11, 23, 10, 0), sh(2026, 11, 30, 12, 0))
    sent = run(c, policy(), instants)
    assert [(t, k.split(":")[0]) for t, k in sent] == [
        (sh(2026, 11, 30, 9, 0), "escalation_suggestion"),  # what fell due, once
        (sh(2026, 11, 30, 9, 30), "overdue"),  # then the follow-ups resume at their time
    ]


def test_closed_items_are_never_nudged() -> None:
    c = clock(status=Status.DONE, due_at=sh(2026, 11, 25, 18, 0))
    assert run(c, policy(), every(sh(2026, 11, 23, 10, 0), sh(2026, 12, 4, 18, 0))) == []
    assert decide(c, policy(), now=sh(2026, 12, 4, 18, 0)).next_check_at is None


def test_no_due_date_no_due_soon_or_overdue_but_the_clocks_run() -> None:
    c = clock()
    sent = run(c, policy(), every(sh(2026, 11, 23, 10, 0), sh(2026, 12, 11, 18, 0)))
    assert [k.split(":")[0] for _, k in sent] == ["unanswered", "escalation_suggestion"]


def test_commitments_get_no_unanswered_clock() -> None:
    c = clock(kind=ItemKind.COMMITMENT, can_escalate=False, due_at=sh(2026, 11, 25, 18, 0))
    sent = run(c, policy(), every(sh(2026, 11, 23, 10, 0), sh(2026, 11, 26, 18, 0)))
    assert [k.split(":")[0] for _, k in sent] == ["due_soon", "overdue", "overdue"]


def test_moving_the_due_date_gives_fresh_reminders_within_five_in_all() -> None:
    first_due = sh(2026, 11, 27, 18, 0)
    answered = sh(2026, 11, 23, 11, 0)
    c = clock(due_at=first_due, first_response_at=answered, can_escalate=False)
    done: set[str] = set()
    overdue = 0
    for now in every(sh(2026, 11, 27, 9, 0), sh(2026, 12, 1, 10, 0)):
        d = decide(c, policy(), now=now, done=done, overdue_sent=overdue)
        done.update(r.key for r in d.send)
        overdue += sum(r.kind is ReminderKind.OVERDUE for r in d.send)
    assert overdue == 3  # Fri 18:00, Mon 09:30, Tue 09:30
    moved = clock(
        due_at=sh(2026, 12, 4, 18, 0),
        due_set_at=sh(2026, 12, 1, 10, 0),
        first_response_at=answered,
        can_escalate=False,
    )
    later = []
    for now in every(sh(2026, 12, 1, 10, 0), sh(2026, 12, 11, 18, 0)):
        d = decide(moved, policy(), now=now, done=done, overdue_sent=overdue)
        done.update(r.key for r in d.send)
        overdue += sum(r.kind is ReminderKind.OVERDUE for r in d.send)
        later.extend((now, r.key.split(":")[0]) for r in d.send)
    assert later == [
        (sh(2026, 12, 3, 18, 0), "due_soon"),
        (sh(2026, 12, 4, 18, 0), "overdue"),
        (sh(2026, 12, 7, 9, 30), "overdue"),
    ]


@pytest.mark.parametrize(
    ("zone", "due", "after"),
    [
        # New York springs forward on Sunday 8 March and falls back on Sunday 1 November.
        (NY, datetime(2026, 3, 6, 18, 0, tzinfo=NY), [(3, 9), (3, 10), (3, 11), (3, 12)]),
        (NY, datetime(2026, 10, 30, 18, 0, tzinfo=NY), [(11, 2), (11, 3), (11, 4), (11, 5)]),
        # Berlin on Sunday 29 March and Sunday 25 October.
        (BERLIN, datetime(2026, 3, 27, 18, 0, tzinfo=BERLIN), [(3, 30), (3, 31), (4, 1), (4, 2)]),
        (
            BERLIN,
            datetime(2026, 10, 23, 18, 0, tzinfo=BERLIN),
            [(10, 26), (10, 27), (10, 28), (10, 29)],
        ),
    ],
)
def test_follow_ups_keep_their_wall_time_across_daylight_saving(
    zone: ZoneInfo, due: datetime, after: list[tuple[int, int]]
) -> None:
    p = policy(tz=zone.key)
    slots = overdue_slots(p, due)
    assert slots[0] == due
    assert [(s.astimezone(zone).month, s.astimezone(zone).day) for s in slots[1:]] == after
    assert {s.astimezone(zone).time() for s in slots[1:]} == {time(9, 30)}
    # The due-soon nudge a work day before, at the same wall time.
    assert due_soon_at(p, due).astimezone(zone).time() == time(18, 0)
