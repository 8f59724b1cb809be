"""Slack messages carry their outbox key in message metadata; after a stale claim the
message is looked up (conversations.history, conversations.replies) instead of resent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.bootstrap import bootstrap
from bot.config import Settings
from bot.messages import Message, MessageKind, Section, text
from bot.outbox import channel_message, thread_message
from bot.ports import MessageRef, OneMessenger, WorkspaceAddress
from handlers.slack.messenger import SlackMessenger
from scheduler.delivery import STALE_CLAIM, Deliverer
from storage.db import Store
from storage.models import Item, OutboxMessage
from tests.fakes.slack import FakeSlack

CHANNEL = "CLOG"
HELLO = Message(kind=MessageKind.NOTE, sections=[Section(body=[text("hello")])])


class Died(BaseException):
    """The sender was killed right after Slack took the message."""


class DyingMessenger(SlackMessenger):
    """Dies right after each post Slack accepted, while `dying`."""

    dying = True

    def post(
        self,
        *,
        chat: str,
        message: Message,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MessageRef:
        """Post, then die (while dying)."""
        ref = super().post(
            chat=chat, message=message, thread_id=thread_id, idempotency_key=idempotency_key
        )
        if self.dying:
            raise Died()
        return ref


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack whose message timestamps are real time (history windows use them)."""
    with FakeSlack(ts_base=int(time.time())) as fake:
        fake.add_user("UWANG", "wang")
        fake.add_channel(CHANNEL, "logistics")
        yield fake
        assert fake.errors == []


def _messenger(slack: FakeSlack, cls: type[SlackMessenger] = SlackMessenger) -> SlackMessenger:
    return cls(WebClient(token="xoxb-test", base_url=slack.api_url))


def test_a_post_carries_its_key_and_is_found_by_it(slack: FakeSlack) -> None:
    messenger = _messenger(slack)
    since = datetime.now(UTC) - timedelta(seconds=5)
    ref = messenger.post(chat=CHANNEL, message=HELLO, idempotency_key="standup:dept:1:x")
    (posted,) = slack.messages(CHANNEL)
    assert posted.metadata == {
        "event_type": "xdept_outbox",
        "event_payload": {"key": "standup:dept:1:x"},
    }
    assert messenger.find_sent(key="standup:dept:1:x", since=since, chat=CHANNEL) == ref
    assert messenger.find_sent(key="standup:dept:1:y", since=since, chat=CHANNEL) is None
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert messenger.find_sent(key="standup:dept:1:x", since=later, chat=CHANNEL) is None
    (history, *_) = slack.calls_to("conversations.history")
    assert history.params["include_all_metadata"] in (True, "1", "true")


def test_a_thread_reply_is_found_through_conversations_replies(slack: FakeSlack) -> None:
    messenger = _messenger(slack)
    since = datetime.now(UTC) - timedelta(seconds=5)
    parent = messenger.post(chat=CHANNEL, message=HELLO, idempotency_key="item:1:tracking")
    reply = messenger.post(
        chat=CHANNEL, message=HELLO, thread_id=parent.message_id, idempotency_key="nudge:1"
    )
    found = messenger.find_sent(
        key="nudge:1", since=since, chat=CHANNEL, thread_id=parent.message_id
    )
    assert found == reply
    assert slack.calls_to("conversations.replies") and not slack.calls_to("conversations.history")
    # Top-level history does not list thread replies: the thread must be asked.
    assert messenger.find_sent(key="nudge:1", since=since, chat=CHANNEL) is None


def test_a_direct_message_is_found_in_the_direct_chat(slack: FakeSlack) -> None:
    messenger = _messenger(slack)
    since = datetime.now(UTC) - timedelta(seconds=5)
    ref = messenger.dm(user="UWANG", message=HELLO, idempotency_key="delivery-failure:1:gone")
    assert messenger.find_sent(key="delivery-failure:1:gone", since=since, user="UWANG") == ref


def test_a_lookup_slack_refuses_for_good_sends_again_rather_than_lose_it(
    slack: FakeSlack,
) -> None:
    messenger = _messenger(slack)
    slack.fail_next("conversations.history", error="missing_scope")
    since = datetime.now(UTC) - timedelta(seconds=5)
    assert messenger.find_sent(key="k", since=since, chat=CHANNEL) is None


def _queue(store: Store, now: datetime) -> None:
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("slack", "T1", now=now, timezone="UTC")
        channel_message(
            uow, workspace_id=ws.id, channel_id=CHANNEL, message=HELLO, key="post:1", now=now
        )


def test_a_sender_killed_after_slack_took_the_post_is_not_repeated(
    store: Store, settings: Settings, slack: FakeSlack
) -> None:
    now = datetime.now(UTC)
    _queue(store, now)
    dying = _messenger(slack, DyingMessenger)
    with pytest.raises(Died):
        Deliverer(store, OneMessenger(dying), settings, sleep=lambda _s: None).deliver_pending(
            now=now
        )
    assert len(slack.messages(CHANNEL)) == 1
    messenger = _messenger(slack)
    deliverer = Deliverer(store, OneMessenger(messenger), settings, sleep=lambda _s: None)
    report = deliverer.deliver_pending(now=now + STALE_CLAIM + timedelta(seconds=1))
    assert report.found == 1 and report.sent == 1
    assert len(slack.messages(CHANNEL)) == 1
    assert len(slack.calls_to("conversations.history")) == 1
    with store.unit_of_work() as uow:
        row = uow.session.scalars(select(OutboxMessage)).one()
    assert row.state == "sent" and row.result_ref == slack.messages(CHANNEL)[0].ts


def test_a_thread_message_whose_sender_died_is_found_in_its_thread(
    store: Store, settings: Settings, slack: FakeSlack
) -> None:
    now = datetime.now(UTC)
    app = bootstrap(
        settings, messenger=_messenger(slack), store=store, migrate=False, sleep=lambda _s: None
    )
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("slack", "T1", now=now, timezone="UTC")
        wid = ws.id
    parent = app.messengers.for_workspace(
        WorkspaceAddress(platform="slack", external_id="T1")
    ).post(chat=CHANNEL, message=HELLO)
    with store.unit_of_work() as uow:
        item = Item(
            workspace_id=wid,
            number=1,
            kind="request",
            status="open",
            text="x",
            requester_id="UWANG",
            created_at=now,
            updated_at=now,
            channel_id=CHANNEL,
            message_id=parent.message_id,
            version=1,
        )
        uow.session.add(item)
        uow.flush()
        thread_message(uow, item, HELLO, key="nudge:item:1", now=now)
    dying = _messenger(slack, DyingMessenger)
    with pytest.raises(Died):
        Deliverer(store, OneMessenger(dying), settings, sleep=lambda _s: None).deliver_pending(
            now=now
        )
    assert len(slack.thread(CHANNEL, parent.message_id)) == 1  # the reply, once
    later = now + STALE_CLAIM + timedelta(seconds=1)
    assert app.deliverer.deliver_pending(now=later).found == 1
    assert len(slack.thread(CHANNEL, parent.message_id)) == 1  # the reply, once
    assert slack.calls_to("conversations.replies")


@pytest.mark.slow
def test_the_pace_holds_against_a_slack_that_refuses_faster_posts(
    store: Store, settings: Settings
) -> None:
    """Real time: three senders in threads, four channels, a 0.2 s pace that the fake
    Slack enforces with 429s; every message goes once and no channel sees a faster post."""
    import threading

    from scheduler.pacing import WallClock

    with FakeSlack(chat_interval=0.2) as slack:
        chats = [f"C{n}" for n in range(4)]
        now = datetime.now(UTC)
        with store.unit_of_work() as uow:
            ws = uow.workspaces.get_or_create("slack", "T1", now=now, timezone="UTC")
            for chat in chats:
                slack.add_channel(chat, chat.lower())
                for n in range(4):
                    channel_message(
                        uow,
                        workspace_id=ws.id,
                        channel_id=chat,
                        message=HELLO,
                        key=f"{chat}:{n}",
                        now=now,
                    )
        url = store.engine.url.render_as_string(hide_password=False)
        stores = [store, Store.from_url(url), Store.from_url(url)]
        messenger = SlackMessenger(
            WebClient(token="xoxb-test", base_url=slack.api_url), chat_interval=0.2
        )

        def run(s: Store) -> None:
            Deliverer(s, OneMessenger(messenger), settings, clock=WallClock()).deliver_pending(
                now=now
            )

        threads = [threading.Thread(target=run, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for s in stores[1:]:
            s.dispose()
        assert slack.pace_violations == []
        for chat in chats:
            assert len(slack.messages(chat)) == 4
