"""Card buttons and form cards: answered within 3 s with a toast and the card as it stands.

Acknowledge (and a double click of it), a stranger's Done, Decline with its
reason form, Escalate; `@xdept track` in reply to a message and its form;
the "My items" card when the bot's chat is opened.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain import Status
from tests.fakes.feishu import events
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, WANG
from tests.handlers.feishu.inbound_support import (
    BOB,
    SERVICE,
    ZHAO,
    FeishuServer,
    card_text,
    feishu_fake,
    feishu_on_sqlite,
)

__all__ = ["feishu_fake", "feishu_on_sqlite"]


@pytest.fixture
def feishu_server(feishu_on_sqlite: FeishuServer) -> FeishuServer:
    """On SQLite: the double click is checked on both databases (test_inbound_once)."""
    return feishu_on_sqlite


@pytest.fixture
def filed(feishu_server: FeishuServer) -> str:
    """Logistics registered and asked once; the tracking card's message id."""
    feishu_server.add_logistics()
    feishu_server.say("ask @物流 请核对上周的 5 单拒收，明天下班前", sender=ALICE, chat=SERVICE)
    feishu_server.settle()
    return str(feishu_server.wait_for_cards(LOGISTICS, 1)[0].message_id)


def _button(action: str, code: str = "XD-1") -> dict[str, Any]:
    return {"action": action, "value": code}


def _toast(answer: dict[str, Any]) -> tuple[str, str]:
    return answer["toast"]["type"], answer["toast"]["content"]


def test_a_strangers_done_is_refused_in_the_toast(feishu_server: FeishuServer, filed: str) -> None:
    """Done by someone who may not: an error toast, no card, nothing changed."""
    answer = feishu_server.click(filed, _button("xdept_done"), operator=BOB)
    kind, text = _toast(answer)
    assert kind == "error" and text and "card" not in answer
    feishu_server.settle()
    assert feishu_server.item("XD-1").status is Status.OPEN


def test_decline_asks_why_in_a_form_then_declines(feishu_server: FeishuServer, filed: str) -> None:
    """Only a lead or the owner gets the form; an empty reason is refused; a reason declines."""
    server = feishu_server
    refused = server.click(filed, _button("xdept_decline"), operator=BOB)
    assert _toast(refused)[0] == "error"
    answer = server.click(filed, _button("xdept_decline"), operator=WANG)
    assert _toast(answer)[0] == "info" and "XD-1" in _toast(answer)[1]
    server.settle()
    assert server.dms_to(BOB) == []
    forms = server.dms_to(WANG)
    assert len(forms) == 1 and "拒绝 XD-1" in card_text(forms[0])
    form = forms[0].message_id
    submit = {"action": "xdept_decline_form", "value": "XD-1"}
    empty = server.click(form, submit, operator=WANG, form_value={"reason": " "})
    assert _toast(empty) == ("error", "请填写拒绝原因。")
    done = server.click(
        form, submit, operator=WANG, form_value={"reason": "不归物流部管，请找仓储"}
    )
    assert _toast(done)[0] == "success" and "已拒绝 XD-1" in json.dumps(done, ensure_ascii=False)
    server.settle()
    item = server.item("XD-1")
    assert item.status is Status.DECLINED
    assert any("不归物流部管" in (u.text or "") for u in item.updates)


def test_escalate_goes_to_the_manager_once(feishu_server: FeishuServer, filed: str) -> None:
    """The requester's Escalate: a success toast; the escalation contact gets four parts."""
    server = feishu_server
    answer = server.click(filed, _button("xdept_escalate"), operator=ALICE)
    assert _toast(answer)[0] == "success"
    server.settle()
    escalations = server.dms_to(ZHAO)
    assert len(escalations) == 1
    text = card_text(escalations[0])
    assert all(part in text for part in ("背景", "现状", "影响", "建议"))
    assert server.item("XD-1").escalated_at is not None


def test_track_a_message_through_its_form(feishu_server: FeishuServer) -> None:
    """Reply `@xdept track` to a message: a form prefilled with it; submitting files it."""
    server, fake = feishu_server, feishu_server.feishu
    server.add_logistics()
    quoted = fake.person_message(
        chat_id=SERVICE, sender=BOB, text="客户投诉 8 号订单被错误拒收，已经两周没人回复"
    )
    quoted_id = quoted["event"]["message"]["message_id"]
    server.say("track", sender=ALICE, chat=SERVICE, parent_id=quoted_id, root_id=quoted_id)
    server.settle()
    forms = server.dms_to(ALICE)
    assert len(forms) == 1 and "8 号订单被错误拒收" in card_text(forms[0])
    submit = {"action": "xdept_track_form", "chat": SERVICE, "message": quoted_id}
    values = {"dept": "物流", "text": "8 号订单被错误拒收，请核查", "due": "后天"}
    unknown = server.click(
        forms[0].message_id, submit, operator=ALICE, form_value={**values, "dept": "不存在的部门"}
    )
    assert _toast(unknown)[0] == "error" and server.items() == 0
    answer = server.click(forms[0].message_id, submit, operator=ALICE, form_value=values)
    assert _toast(answer)[0] == "success" and "XD-1" in json.dumps(answer, ensure_ascii=False)
    server.settle()
    assert server.items() == 1
    assert "8 号订单被错误拒收" in card_text(server.wait_for_cards(LOGISTICS, 1)[0])


def test_my_items_when_the_bots_chat_is_opened(feishu_server: FeishuServer, filed: str) -> None:
    """Opening the bot's chat sends "My items"; opening it again updates the same card."""
    server, fake = feishu_server, feishu_server.feishu
    chat = fake.dm_chat(WANG)
    for _ in range(2):
        opened = fake.event(
            events.P2P_CHAT_ENTERED, events.p2p_chat_entered_event(chat_id=chat, operator=WANG)
        )
        assert server.deliver(opened)[0] == 200
        server.settle()
    cards = server.dms_to(WANG)
    assert len(cards) == 1
    text = card_text(cards[0])
    assert "我的事项" in text and "XD-1" in text


def test_done_typed_in_the_cards_thread_acts_on_its_item(
    feishu_server: FeishuServer, filed: str
) -> None:
    """`@xdept done` replied under the card is `done XD-1`; the answer goes by DM."""
    server = feishu_server
    server.say("done", sender=WANG, chat=LOGISTICS, root_id=filed, parent_id=filed)
    server.settle()
    assert server.item("XD-1").status is Status.DONE
    assert any("XD-1" in card_text(m) for m in server.dms_to(WANG))


def test_a_direct_chat_command_with_a_person_mentioned(feishu_server: FeishuServer) -> None:
    """In the bot's direct chat: `todo @_user_1 ...` (no bot mention needed) files an item."""
    server, fake = feishu_server, feishu_server.feishu
    server.say(
        "/xdept todo @_user_1 周五前更新退货流程文档",
        sender=ALICE,
        chat=fake.dm_chat(ALICE),
        to_bot=False,
        chat_type="p2p",
        mentions=[Mention(CHEN, "陈晨")],
    )
    server.settle()
    assert server.items() == 1
    item = server.item("XD-1")
    assert item.owner_id == CHEN and "更新退货流程文档" in item.text


def test_dept_add_names_another_group_and_lines_keep_their_breaks(
    feishu_server: FeishuServer,
) -> None:
    """`chat:oc_...` binds that group; a multi-line ask keeps its lines and punctuation."""
    server = feishu_server
    server.say(
        f"dept add logistics chat:{LOGISTICS} lead:@_user_2 escalate:@_user_3 alias:物流",
        sender=WANG,
        chat=SERVICE,
        mentions=[Mention(WANG, "王强"), Mention(ZHAO, "赵敏")],
    )
    server.settle()
    added = server.feishu.calls_to("ephemeral.send")[-1].json
    assert added["chat_id"] == SERVICE and "im:message.group_msg" not in str(added["card"])
    server.say("ask @物流 请核对退货，谢谢！\n影响：客户投诉\n明天前", sender=ALICE, chat=SERVICE)
    server.settle()
    card = server.wait_for_cards(LOGISTICS, 1)[0]
    assert "请核对退货，谢谢！" in card_text(card)
    assert server.item("XD-1").channel_id == LOGISTICS


def test_an_acknowledge_reaction_acknowledges(feishu_server: FeishuServer, filed: str) -> None:
    """`OnIt` by a member of logistics: acknowledged; an unrelated emoji changes nothing."""
    server = feishu_server
    server.react(filed, "SMILE", operator=CHEN)
    server.react(filed, "OnIt", operator=CHEN)
    server.settle()
    item = server.item("XD-1")
    assert item.status is Status.ACKNOWLEDGED and item.owner_id == CHEN
