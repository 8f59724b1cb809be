"""A sender that dies between the platform's answer and its record: the message is found by
its key once the claim is stale, not sent again; one that died before sending sends once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import Target, TargetKind
from bot.config import Settings
from bot.messages import MessageKind
from bot.ports import OneMessenger
from scheduler.delivery import STALE_CLAIM, Deliverer
from scheduler.tick import tick
from storage.db import Store
from tests.conftest import at
from tests.scheduler.conftest import World
from tests.scheduler.messengers import Died, ScriptedMessenger

MON = at(2026, 11, 23, 8, 0)


def _unanswered_nudge(world: World, store: Store, settings: Settings) -> None:
    world.setup(MON)
    world.ask("确认退货流程", at(2026, 11, 23, 9, 0))
    tick(store, settings, now=at(2026, 11, 23, 17, 0))


@pytest.mark.parametrize("died", ["after sending", "before sending"])
def test_a_stale_claim_is_looked_up_before_it_is_sent_again(
    world: World, store: Store, settings: Settings, died: str
) -> None:
    _unanswered_nudge(world, store, settings)
    now = at(2026, 11, 23, 17, 1)
    messenger = ScriptedMessenger(die="before" if died == "before sending" else "after")
    with pytest.raises(Died):
        Deliverer(store, OneMessenger(messenger), settings, sleep=lambda _s: None).deliver_pending(
            now=now
        )
    (row,) = world.rows("unanswered")
    assert row.state == "sending" and row.claim is not None and row.claimed_at == now
    # A new process: the claim is not stale yet, so it keeps its hands off.
    messenger.die = None
    restarted = Deliverer(store, OneMessenger(messenger), settings, sleep=lambda _s: None)
    assert restarted.deliver_pending(now=now + timedelta(minutes=5)).sent == 0
    report = restarted.deliver_pending(now=now + STALE_CLAIM + timedelta(seconds=1))
    nudges = [s for s in messenger.sent if s.message and s.message.kind is MessageKind.UNANSWERED]
    assert len(nudges) == 1  # found, or sent once
    assert report.sent == 1 and report.found == (1 if died == "after sending" else 0)
    (row,) = world.rows("unanswered")
    assert row.state == "sent" and row.result_ref == nudges[0].message_id
    assert row.unsure_since is None and row.claim is None


def test_a_tracking_message_found_after_a_crash_is_recorded_on_its_item(
    world: World, store: Store, settings: Settings
) -> None:
    world.setup(MON)
    messenger = ScriptedMessenger(die="after")
    app = world.app
    # The use case commits; its sender posts the tracking message and dies.
    ctx = world.ctx("mei", at(2026, 11, 23, 9, 0))
    _, queued = app.core.run(lambda: app.core.items.ask(ctx=ctx, target=_logistics(), text="x"))
    dying = Deliverer(store, OneMessenger(messenger), settings, sleep=lambda _s: None)
    with pytest.raises(Died):
        dying.deliver_rows(queued, now=ctx.now)
    messenger.die = None
    later = ctx.now + STALE_CLAIM + timedelta(minutes=1)
    report = Deliverer(
        store, OneMessenger(messenger), settings, sleep=lambda _s: None
    ).deliver_pending(now=later)
    assert report.found == 1
    posts = messenger.of("post")
    assert len(posts) == 1
    (tracking,) = world.rows("tracking")
    assert tracking.state == "sent" and tracking.result_ref == posts[0].message_id
    with store.unit_of_work() as uow:
        item = uow.items.by_id(tracking.item_id or 0)
        assert item is not None and item.message_id == posts[0].message_id
        assert item.permalink is not None


def _logistics() -> Target:
    return Target(kind=TargetKind.NAME, name="logistics")
