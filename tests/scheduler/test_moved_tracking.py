"""A tracking message the platform had posted again (its edit window passed): the thread's
later messages go under the new copy, and replies and reactions under the old copy
still count for the item. On SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot import outbox
from bot.bootstrap import App
from bot.domain import Reaction, Status, UpdateKind
from bot.messages import Message, MessageKind, text
from bot.ports import MessageRef
from handlers.console.messenger import RecordingMessenger, Sent
from tests.bot.test_services import MON, item, run, setup_departments
from tests.conftest import CtxFactory

LATER = MON + timedelta(days=15)


@dataclass
class ExpiringMessenger(RecordingMessenger):
    """Records like the recording messenger; messages in `expired` can no longer be edited,
    so an update posts the message again and returns where it lives now."""

    expired: set[str] = field(default_factory=set)

    def update(self, *, ref: MessageRef, message: Message) -> MessageRef | None:
        """Edit in place, or post anew past the edit window."""
        if ref.message_id not in self.expired:
            return super().update(ref=ref, message=message)
        return self.post(chat=ref.chat, message=message)


@pytest.fixture
def messenger() -> ExpiringMessenger:
    """The `app` fixture's messenger, for this module."""
    return ExpiringMessenger()


def _asked(app: App, ctx: CtxFactory, messenger: ExpiringMessenger) -> str:
    """Files XD-1 and lets its tracking message's edit window pass: the message's id."""
    setup_departments(app, ctx)
    reply = run(app, ctx, "mei", "ask @logistics fix the pallet labels by Friday")
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    first = item(app, 1).message_id
    assert first is not None
    messenger.expired.add(first)
    return first


def _moved(app: App, ctx: CtxFactory, messenger: ExpiringMessenger) -> str:
    """XD-1 after a change past the edit window moved its tracking message: the old id."""
    first = _asked(app, ctx, messenger)
    run(app, ctx, "mei", "due XD-1 next Friday", now=LATER)
    assert item(app, 1).message_id not in (None, first)
    return first


def _thread(messenger: ExpiringMessenger, message_id: str) -> list[Sent]:
    return [s for s in messenger.of("post") if s.thread_id == message_id]


def test_a_note_sent_with_the_edit_that_moves_the_card_goes_under_the_new_one(
    app: App, ctx: CtxFactory, messenger: ExpiringMessenger
) -> None:
    """`ack` queues the edit and the status note together: both go in one round."""
    first = _asked(app, ctx, messenger)
    reply = run(app, ctx, "chen", "ack XD-1", now=LATER)
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    moved = item(app, 1).message_id
    assert moved not in (None, first)
    assert _thread(messenger, first) == []
    notes = _thread(messenger, moved or "")
    assert len(notes) == 1 and "chen" in notes[0].message.plain()  # type: ignore[union-attr]


def test_a_thread_message_queued_before_the_edit_follows_the_move(
    app: App, ctx: CtxFactory, messenger: ExpiringMessenger
) -> None:
    """A nudge queued first, the edit after it, delivered in one round: the edit goes first
    and the nudge lands under the new card."""
    first = _asked(app, ctx, messenger)
    with app.store.unit_of_work() as uow:
        found = uow.items.by_number(1, 1)
        assert found is not None
        nudge = Message(kind=MessageKind.UNANSWERED, context=[text("still waiting")])
        outbox.thread_message(uow, found, nudge, key="test:nudge", now=LATER)
        found.version += 1
        uow.flush()
        outbox.tracking_update(uow, found, now=LATER)
    app.deliver(LATER)
    moved = item(app, 1).message_id
    assert moved not in (None, first)
    assert [s.message.plain() for s in _thread(messenger, moved or "")] == ["still waiting"]  # type: ignore[union-attr]
    assert _thread(messenger, first) == []
    # Later edits go to the new card, in place.
    assert run(app, ctx, "wang", "done XD-1", now=LATER).kind is not MessageKind.ERROR
    assert messenger.of("update")[-1].message_id == moved


def test_a_reply_under_the_old_card_is_recorded_on_the_item(
    app: App, ctx: CtxFactory, messenger: ExpiringMessenger
) -> None:
    first = _moved(app, ctx, messenger)
    outcome = app.core.items.record_reply(
        ctx=ctx("chen", LATER + timedelta(hours=1), channel="C0LOG"),
        channel_id="C0LOG",
        thread_id=first,
        message_id="1800000000.000001",
        text="on it, new labels tomorrow",
    )
    assert outcome.item is not None and outcome.first_response
    assert item(app, 1).status == Status.ACKNOWLEDGED.value
    with app.store.unit_of_work() as uow:
        replies = [u for u in uow.items.updates(1) if u.kind == UpdateKind.REPLY.value]
        assert [u.text for u in replies] == ["on it, new labels tomorrow"]
    # An edit of that reply, still under the old card, is kept too.
    assert app.core.items.record_reply_change(
        ctx=ctx("chen", LATER + timedelta(hours=2), channel="C0LOG"),
        channel_id="C0LOG",
        thread_id=first,
        message_id="1800000000.000001",
        text="on it, new labels on Thursday",
    )


def test_reactions_on_the_old_card_resolve_the_item(
    app: App, ctx: CtxFactory, messenger: ExpiringMessenger
) -> None:
    first = _moved(app, ctx, messenger)
    items = app.core.items
    refused = items.react(
        ctx=ctx("chen", LATER), channel_id="C0LOG", message_id=first, reaction=Reaction.DONE
    )
    assert refused.refused and "Only a lead" in refused.refused
    done = items.react(
        ctx=ctx("wang", LATER), channel_id="C0LOG", message_id=first, reaction=Reaction.DONE
    )
    assert done.item is not None and done.item.status is Status.DONE
    # An id of the same chat that never was a card of the item still matches nothing.
    other = items.react(
        ctx=ctx("wang", LATER), channel_id="C0LOG", message_id="1.999", reaction=Reaction.DONE
    )
    assert other.item is None and other.refused is None


def test_the_old_card_of_another_workspace_matches_nothing(
    app: App, ctx: CtxFactory, messenger: ExpiringMessenger
) -> None:
    first = _moved(app, ctx, messenger)
    outcome = app.core.items.react(
        ctx=ctx("wang", LATER, workspace="T-other"),
        channel_id="C0LOG",
        message_id=first,
        reaction=Reaction.DONE,
    )
    assert outcome.item is None
    assert item(app, 1).status != Status.DONE.value
