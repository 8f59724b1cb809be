"""Two weeks of a department's life, ticked every 15 minutes, each instant twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.messages import MessageKind
from scheduler.tick import tick
from storage.db import Store
from storage.models import OutboxMessage
from tests.scheduler.conftest import World

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.mark.slow  # two weeks at every instant: about 20 s
def test_two_weeks_ticked_twice_at_every_instant_send_each_message_once(
    world: World, store: Store
) -> None:
    tz = "America/New_York"
    world.setup(ny(2026, 10, 23, 9, 0), tz=tz)

    def as_user(user: str, line: str, channel: str = "C-general") -> Callable[[datetime], None]:
        return lambda now: (
            world.app.core.run_command(world.ctx(user, now, channel=channel, tz=tz), line) and None
        )

    def reply(user: str, code: str, text: str) -> Callable[[datetime], None]:
        def act(now: datetime) -> None:
            item = world.item(code)
            assert item.channel_id and item.message_id
            world.app.core.items.record_reply(
                ctx=world.ctx(user, now, channel=item.channel_id, tz=tz),
                channel_id=item.channel_id,
                thread_id=item.message_id,
                message_id=f"{now.timestamp():.6f}",
                text=text,
            )

        return act

    # What people do, and when (New York time; clocks fall back on Sunday 1 November).
    script: dict[datetime, list[Callable[[datetime], None]]] = {
        ny(2026, 10, 26, 9, 15): [
            as_user("mei", "ask @logistics Fix the pallet labels by Wednesday")
        ],
        ny(2026, 10, 26, 10, 0): [as_user("mei", "ask @logistics Who owns returns?")],
        ny(2026, 10, 26, 11, 0): [
            as_user("lily", "ask @logistics Update the carrier list by next Friday")
        ],
        ny(2026, 10, 26, 14, 0): [as_user("chen", "ack XD-2", "C0LOG")],
        ny(2026, 10, 28, 11, 0): [
            as_user("chen", "commit Count the returns shelf by Thursday", "C0LOG")
        ],
        ny(2026, 10, 30, 10, 0): [as_user("wang", "snooze XD-3 2 days", "C0LOG")],
        ny(2026, 11, 2, 12, 0): [as_user("wang", "done XD-1", "C0LOG")],
        ny(2026, 11, 3, 10, 0): [reply("chen", "XD-3", "On it; the list goes out Thursday.")],
        ny(2026, 11, 4, 15, 0): [
            as_user("mei", "ask @logistics Audit the scanner batteries by Monday")
        ],
    }

    assert all(at.minute % 15 == 0 for at in script)  # every action falls on a tick
    other = Store.from_url(store.engine.url.render_as_string(hide_password=False))
    start, end = ny(2026, 10, 26, 0, 0), ny(2026, 11, 9, 0, 0)
    twice_wrote = 0
    try:
        now = start
        while now < end:
            for act in script.get(now, []):
                act(now)
            first = tick(store, world.app.settings, now=now)
            # A second scheduler at the same instant, through its own connections.
            second = tick(other, world.app.settings, now=now)
            twice_wrote += second.messages + second.superseded
            assert first.ticked
            world.app.deliverer.deliver_pending(now=now)
            now += timedelta(minutes=15)
    finally:
        other.dispose()
    assert twice_wrote == 0

    with store.unit_of_work() as uow:
        keys = list(uow.session.scalars(select(OutboxMessage.dedupe_key)))
    assert len(keys) == len(set(keys))
    sent = Counter(
        (s.chat, s.thread_id, s.user, s.message.plain())
        for s in world.messenger.sent
        if s.message is not None and s.action != "update"
    )
    assert [k for k, n in sent.items() if n > 1] == []
    kinds = Counter(s.message.kind for s in world.messenger.sent if s.message is not None)
    # Ten work days of stand-ups in #logistics (customer service has them off).
    assert kinds[MessageKind.STANDUP] == 10
    # Monday 09:00 in the workspace's zone (Shanghai): Sunday evenings in New York.
    # The week the department was set up had nothing to report: recorded, not posted.
    assert sorted((r.dedupe_key, r.state) for r in world.rows("summary")) == [
        ("summary:dept:1:2026-W43", "skipped"),
        ("summary:dept:1:2026-W44", "sent"),
        ("summary:dept:1:2026-W45", "sent"),
        ("summary:dept:2:2026-W43", "skipped"),
        ("summary:dept:2:2026-W44", "skipped"),
        ("summary:dept:2:2026-W45", "skipped"),
    ]
    # XD-1 went overdue Wednesday 18:00: follow-ups Wed, Thu, Fri, Mon 09:30; done Mon noon.
    overdue_1 = [k for k in keys if k.startswith("overdue:item:1:")]
    assert sorted(k.rsplit(":", 1)[1] for k in overdue_1) == ["n1", "n2", "n3", "n4"]
    # Requests nobody answered: one unanswered nudge each; XD-2 was acknowledged in time.
    assert sorted(k for k in keys if k.startswith("unanswered")) == [
        "unanswered:item:1",
        "unanswered:item:3",
        "unanswered:item:5",
    ]
    assert kinds[MessageKind.DUE_SOON] >= 3
