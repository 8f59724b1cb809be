"""The whole story on Feishu, in Chinese, over real HTTP with the real lark-oapi SDK.

`dept add` typed in the logistics group binds it; customer service asks
logistics with a person mentioned; the tracking card lands in the logistics
group; a reply in its thread is the first response; a stranger's DONE is
refused privately; the lead's DONE closes it and the card is patched.
"""

from __future__ import annotations

from bot.domain import Status
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, WANG
from tests.handlers.feishu.inbound_support import (
    BOB,
    SERVICE,
    FeishuServer,
    card_text,
    feishu_fake,
    feishu_server,
)

__all__ = ["feishu_fake", "feishu_server"]


def test_from_dept_add_to_the_leads_done(feishu_server: FeishuServer) -> None:
    """dept add → ask with an @_user mention → card → thread reply → DONE → card patched."""
    server, fake = feishu_server, feishu_server.feishu

    server.add_logistics()
    bound = fake.calls_to("ephemeral.send")
    assert len(bound) == 1, "dept add is answered privately, in the group"
    note = str(bound[0].json["card"])
    assert bound[0].json["open_id"] == WANG and "im:message.group_msg" in note
    assert "logistics" in note

    server.say(
        "ask @物流 请确认 3 托盘的发货时间，@_user_2 知悉，周五前",
        sender=ALICE,
        chat=SERVICE,
        mentions=[Mention(BOB, "刘波")],
    )
    server.settle()
    assert server.items() == 1
    card = server.wait_for_cards(LOGISTICS, 1)[0]
    shown = card_text(card)
    assert "XD-1" in shown and "请确认 3 托盘的发货时间" in shown and "@刘波" in shown
    item = server.item("XD-1")
    assert item.message_id == card.message_id and item.status is Status.OPEN
    confirmation = [c for c in fake.calls_to("ephemeral.send") if c.json["open_id"] == ALICE]
    assert confirmation and confirmation[0].json["chat_id"] == SERVICE

    # Chen answers in the card's thread without mentioning the bot: the first response.
    server.say(
        "已安排，明天上午发货",
        sender=CHEN,
        chat=LOGISTICS,
        to_bot=False,
        root_id=card.message_id,
        parent_id=card.message_id,
    )
    server.settle()
    item = server.item("XD-1")
    assert item.status is Status.ACKNOWLEDGED and item.first_response_at is not None

    # A stranger's DONE changes nothing and is told why, privately.
    server.react(card.message_id, "DONE", operator=BOB)
    server.settle()
    assert server.item("XD-1").status is Status.ACKNOWLEDGED
    told = [c for c in fake.calls_to("ephemeral.send") if c.json["open_id"] == BOB]
    assert len(told) == 1 and told[0].json["chat_id"] == LOGISTICS

    # The lead's DONE closes it; the card is edited in place.
    edits_before = fake.message(card.message_id).edits
    server.react(card.message_id, "DONE", operator=WANG)
    server.settle()
    assert server.item("XD-1").status is Status.DONE
    patched = fake.message(card.message_id)
    assert patched.edits > edits_before and "已完成" in card_text(patched)
    # The card was found in the department's group without asking Feishu where it is.
    assert fake.calls_to("messages.get") == []
    # Every status change is said in the card's thread, mentioning the requester.
    thread = [m for m in fake.messages_in(LOGISTICS) if m.root_id == card.message_id]
    assert any(ALICE in m.content and "已完成" in m.content for m in thread)
