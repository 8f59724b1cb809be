"""Feishu keeps no metadata to search by: after a stale claim the message is sent again
with the same key, and Feishu's `uuid` dedupe keeps it to one message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.messages import Message, MessageKind, Section, text
from bot.outbox import channel_message
from bot.ports import MessageRef, OneMessenger
from handlers.feishu.messenger import FeishuMessenger
from scheduler.delivery import STALE_CLAIM, Deliverer
from storage.db import Store
from storage.models import OutboxMessage
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import LOGISTICS
from tests.scheduler.messengers import Died

HELLO = Message(kind=MessageKind.NOTE, sections=[Section(body=[text("站会提醒")])])


class DyingFeishu(FeishuMessenger):
    """Dies right after Feishu took a post."""

    def post(
        self,
        *,
        chat: str,
        message: Message,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MessageRef:
        """Post, then die."""
        super().post(
            chat=chat, message=message, thread_id=thread_id, idempotency_key=idempotency_key
        )
        raise Died()


def test_find_sent_cannot_tell_and_says_so(messenger: FeishuMessenger) -> None:
    ref = messenger.post(chat=LOGISTICS, message=HELLO, idempotency_key="k")
    assert ref.message_id
    assert messenger.find_sent(key="k", since=datetime.now(UTC), chat=LOGISTICS) is None


def test_a_post_whose_sender_died_goes_again_and_feishu_keeps_one(
    store: Store, settings: Settings, messenger: FeishuMessenger, feishu: FakeFeishu
) -> None:
    now = datetime.now(UTC)
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("feishu", "tenant", now=now, timezone="UTC")
        channel_message(
            uow, workspace_id=ws.id, channel_id=LOGISTICS, message=HELLO, key="standup:1", now=now
        )
    dying = DyingFeishu(messenger.api)
    with pytest.raises(Died):
        Deliverer(store, OneMessenger(dying), settings, sleep=lambda _s: None).deliver_pending(
            now=now
        )
    assert len(feishu.messages_in(LOGISTICS)) == 1
    report = Deliverer(
        store, OneMessenger(messenger), settings, sleep=lambda _s: None
    ).deliver_pending(now=now + STALE_CLAIM + STALE_CLAIM / 10)
    assert report.sent == 1 and report.found == 0  # sent again, by the same key
    (only,) = feishu.messages_in(LOGISTICS)
    with store.unit_of_work() as uow:
        row = uow.session.scalars(select(OutboxMessage)).one()
    assert row.state == "sent" and row.result_ref == only.message_id
