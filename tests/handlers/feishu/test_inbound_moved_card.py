"""A tracking card past Feishu's 14-day edit window, over real HTTP with the real SDK.

The first change after the window re-posts the card; the status note of that
same change goes under the new card, and so does everything after it. People
who keep answering under the old card, or react to it, still reach the item.
On both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.domain import Status
from storage.models import ChatPace
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, WANG
from tests.fakes.feishu.world import EDIT_WINDOW
from tests.handlers.feishu.inbound_support import (
    SERVICE,
    FeishuServer,
    feishu_fake,
    feishu_server,
    tracking_cards,
)

__all__ = ["feishu_fake", "feishu_server"]


def _thread(server: FeishuServer, root: str) -> list[str]:
    return [m.content for m in server.feishu.messages_in(LOGISTICS) if m.root_id == root]


def test_after_the_card_moves_the_thread_follows_and_the_old_card_still_counts(
    feishu_server: FeishuServer,
) -> None:
    server, fake = feishu_server, feishu_server.feishu
    server.add_logistics()
    server.say("ask @物流 请确认 3 托盘的发货时间", sender=ALICE, chat=SERVICE)
    server.settle()
    old = server.wait_for_cards(LOGISTICS, 1)[0].message_id
    fake.advance(EDIT_WINDOW + 24 * 3600)
    # The group's last message was long ago, as it is when a card is 14 days old: its
    # pace lets the next change's edit and note go in one round.
    with server.app.store.unit_of_work() as uow:
        uow.session.execute(update(ChatPace).values(next_at=datetime.now(UTC) - timedelta(days=1)))

    # Chen's first answer, under the card: the edit re-posts the card, and the status
    # note of the same change goes under the new card, not the old one.
    server.say("已安排", sender=CHEN, chat=LOGISTICS, to_bot=False, root_id=old, parent_id=old)
    server.settle()
    item = server.item("XD-1")
    assert item.status is Status.ACKNOWLEDGED
    new = item.message_id
    assert new is not None and new != old and tracking_cards(fake, LOGISTICS) == [old, new]
    under_new = _thread(server, new)
    assert len(under_new) == 1 and CHEN in under_new[0]  # "acknowledged by Chen"
    under_old = _thread(server, old)
    assert len(under_old) == 2 and any("14 天" in c for c in under_old)  # reply, pointer

    # Alice keeps writing under the old card: recorded on the item all the same.
    server.say(
        "周三前能到吗？", sender=ALICE, chat=LOGISTICS, to_bot=False, root_id=old, parent_id=old
    )
    server.settle()
    history = server.app.core.items.history(ctx=server.ctx(ALICE), code="XD-1")
    assert "周三前能到吗？" in [u.text for u in history.updates]

    # Wang's DONE on the old card closes the item; the new card is patched in place.
    edits = fake.message(new).edits
    server.react(old, "DONE", operator=WANG)
    server.settle()
    assert server.item("XD-1").status is Status.DONE
    assert fake.message(new).edits > edits and fake.message(old).edits == 0
    assert tracking_cards(fake, LOGISTICS) == [old, new]
    assert any(ALICE in c and "已完成" in c for c in _thread(server, new))
