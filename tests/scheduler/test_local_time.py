"""Wall time holds across daylight saving (New York, Berlin) and Chinese holidays (Shanghai)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.messages import MessageKind
from tests.scheduler.conftest import World

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SH = ZoneInfo("Asia/Shanghai")


def local_times(world: World, kind: str, zone: ZoneInfo) -> list[datetime]:
    """When the tick queued each message of a kind, as local wall times."""
    return [r.created_at.astimezone(zone).replace(tzinfo=None) for r in world.rows(kind)]


def step_local(world: World, zone: ZoneInfo, first: date, last: date, every: int = 30) -> None:
    """Tick every `every` minutes from 08:00 to 19:00 local on each day (nights are quiet)."""
    day = first
    while day <= last:
        at = datetime.combine(day, time(8, 0), tzinfo=zone)
        end = datetime.combine(day, time(19, 0), tzinfo=zone)
        # Step in UTC so a day with a clock change has its true number of instants.
        world.step(at.astimezone(ZoneInfo("UTC")), end, timedelta(minutes=every))
        day += timedelta(days=1)


CASES = [
    # zone, the Friday before the change, the following Wednesday
    pytest.param(NY, date(2026, 3, 6), date(2026, 3, 11), id="new-york-spring"),
    pytest.param(NY, date(2026, 10, 30), date(2026, 11, 4), id="new-york-fall"),
    pytest.param(BERLIN, date(2026, 3, 27), date(2026, 4, 1), id="berlin-spring"),
    pytest.param(BERLIN, date(2026, 10, 23), date(2026, 10, 28), id="berlin-fall"),
]


@pytest.mark.parametrize(("zone", "friday", "wednesday"), CASES)
def test_stand_ups_and_follow_ups_keep_their_wall_time_across_daylight_saving(
    world: World, zone: ZoneInfo, friday: date, wednesday: date
) -> None:
    tz = zone.key
    filed = datetime.combine(friday - timedelta(days=1), time(10, 0), tzinfo=zone)
    world.setup(filed - timedelta(hours=1), tz=tz)
    late = world.ask("Fix the pallet labels by Friday", filed, tz=tz)
    world.run("chen", f"ack {late}", filed + timedelta(minutes=5), channel="C0LOG", tz=tz)
    # Filed Friday 16:00: eight business hours end Monday 15:00, across the change.
    quiet = world.ask(
        "Who handles returns?", datetime.combine(friday, time(16, 0), tzinfo=zone), tz=tz
    )
    step_local(world, zone, friday, wednesday)

    standups = local_times(world, "standup", zone)
    monday = friday + timedelta(days=3)
    work_days = [friday, monday, monday + timedelta(days=1), wednesday]
    assert standups == [datetime.combine(d, time(9, 30)) for d in work_days]

    overdue = local_times(world, "overdue", zone)
    assert overdue == [
        datetime.combine(friday, time(18, 0)),
        *(datetime.combine(d, time(9, 30)) for d in work_days[1:]),
    ]
    assert local_times(world, "unanswered", zone) == [datetime.combine(monday, time(15, 0))]
    assert quiet.startswith("XD-")
    # Nothing went twice.
    sent = Counter(
        (s.chat, s.thread_id, s.message.plain())
        for s in world.messenger.sent
        if s.message is not None and s.action != "update"
    )
    assert max(sent.values()) == 1


def test_shanghai_skips_the_national_day_and_works_the_make_up_saturday(world: World) -> None:
    tz = "Asia/Shanghai"
    world.setup(datetime(2026, 9, 29, 9, 0, tzinfo=SH), tz=tz, extra="holidays:CN")
    late = world.ask("请停止线下拒单 by Wednesday", datetime(2026, 9, 29, 10, 0, tzinfo=SH))
    world.run("chen", f"ack {late}", datetime(2026, 9, 29, 10, 5, tzinfo=SH), channel="C0LOG")
    world.ask("确认退货流程", datetime(2026, 9, 30, 15, 0, tzinfo=SH))
    step_local(world, SH, date(2026, 9, 30), date(2026, 10, 12))

    days = [d.date() for d in local_times(world, "standup", SH)]
    assert days == [
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),  # Saturday, an official make-up work day
        date(2026, 10, 12),
    ]
    assert local_times(world, "overdue", SH) == [
        datetime(2026, 9, 30, 18, 0),
        datetime(2026, 10, 8, 9, 30),
        datetime(2026, 10, 9, 9, 30),
        datetime(2026, 10, 10, 9, 30),
        datetime(2026, 10, 12, 9, 30),
    ]
    # Three business hours on 30 September, five more on 8 October.
    assert local_times(world, "unanswered", SH) == [datetime(2026, 10, 8, 14, 0)]
    assert len(world.said(MessageKind.OVERDUE)) == 5
