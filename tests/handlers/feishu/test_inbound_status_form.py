"""`@xdept status XD-1` on Feishu: a form card with the four parts, prefilled from the
item, sent by DM; its submit (a signed card callback) posts the status in the item's
thread and records it. Over the fake Feishu with the real SDK."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain import UpdateKind
from tests.fakes.feishu.tenant import ALICE, LOGISTICS, WANG
from tests.handlers.feishu.inbound_support import (
    BOB,
    SERVICE,
    FeishuServer,
    card_text,
    feishu_fake,
    feishu_on_sqlite,
)

__all__ = ["feishu_fake", "feishu_on_sqlite"]

SUBMIT = {"action": "xdept_status_form", "value": "XD-1"}


@pytest.fixture
def filed(feishu_on_sqlite: FeishuServer) -> str:
    """Logistics asked once, and its lead replied under the card; the card's message id."""
    server = feishu_on_sqlite
    server.add_logistics()
    server.say("ask @物流 请核对上周的 5 单拒收，明天下班前", sender=ALICE, chat=SERVICE)
    server.settle()
    card = str(server.wait_for_cards(LOGISTICS, 1)[0].message_id)
    server.say(
        "已核对 3 单，剩下 2 单等仓库回复",
        sender=WANG,
        chat=LOGISTICS,
        root_id=card,
        parent_id=card,
        to_bot=False,
    )
    server.settle()
    return card


def _inputs(card: dict[str, Any]) -> dict[str, Any]:
    """The form's inputs by name."""
    form = next(e for e in card["body"]["elements"] if e.get("tag") == "form")
    return {e["name"]: e for e in form["elements"] if e.get("tag") == "input"}


def _toast(answer: dict[str, Any]) -> tuple[str, str]:
    return answer["toast"]["type"], answer["toast"]["content"]


def test_status_opens_a_prefilled_form_and_its_submit_posts_in_the_thread(
    feishu_on_sqlite: FeishuServer, filed: str
) -> None:
    """The form holds the item's text and latest reply; submitting posts and records it."""
    server = feishu_on_sqlite
    server.say("status XD-1", sender=WANG, chat=LOGISTICS)
    server.settle()
    forms = server.dms_to(WANG)
    assert len(forms) == 1 and "XD-1 状态汇报" in card_text(forms[0])
    inputs = _inputs(forms[0].card)
    assert set(inputs) == {"background", "current", "impact", "suggestion"}
    assert "5 单拒收" in inputs["background"]["default_value"]
    assert inputs["current"]["default_value"] == "已核对 3 单，剩下 2 单等仓库回复"
    assert inputs["current"]["required"] is True
    assert "default_value" not in inputs["impact"]

    form = forms[0].message_id
    values = {
        "background": "客户投诉上周 5 单被错误拒收",
        "current": "已核对 4 单，系统规则误判",
        "impact": "本周 12 起客户投诉",
        "suggestion": "周五前调整拒收规则",
    }
    empty = server.click(form, SUBMIT, operator=WANG, form_value={**values, "current": " "})
    assert _toast(empty)[0] == "error" and "card" not in empty
    answer = server.click(form, SUBMIT, operator=WANG, form_value=values)
    assert _toast(answer)[0] == "success"
    assert "XD-1" in json.dumps(answer["card"], ensure_ascii=False)
    server.settle()

    thread = [m for m in server.feishu.messages_in(LOGISTICS) if m.root_id == filed]
    posted = [m.content for m in thread if "已核对 4 单" in m.content]
    assert len(posted) == 1
    assert all(part in posted[0] for part in ("背景", "现状", "影响", "建议", "本周 12 起客户投诉"))
    statuses = [u for u in server.item("XD-1").updates if u.kind is UpdateKind.STATUS]
    assert [u.text for u in statuses] == ["已核对 4 单，系统规则误判"]


def test_status_alone_in_the_cards_thread_is_its_items(
    feishu_on_sqlite: FeishuServer, filed: str
) -> None:
    """`@xdept 状态` replied under the card opens the form of the card's item."""
    server = feishu_on_sqlite
    server.say("状态", sender=WANG, chat=LOGISTICS, root_id=filed, parent_id=filed)
    server.settle()
    forms = server.dms_to(WANG)
    assert len(forms) == 1 and "XD-1 状态汇报" in card_text(forms[0])


def test_a_stranger_gets_no_form_but_the_reason(feishu_on_sqlite: FeishuServer, filed: str) -> None:
    """Someone outside the item may not post its status: told why, no form, nothing kept."""
    server = feishu_on_sqlite
    server.say("status XD-1", sender=BOB, chat=SERVICE)
    server.settle()
    assert server.dms_to(BOB) == []
    told = [c.json for c in server.feishu.calls_to("ephemeral.send") if c.json["open_id"] == BOB]
    assert len(told) == 1 and told[0]["chat_id"] == SERVICE
    assert "XD-1" in json.dumps(told[0], ensure_ascii=False)
    assert not [u for u in server.item("XD-1").updates if u.kind is UpdateKind.STATUS]


def test_minutes_alone_sends_a_form_whose_submit_shows_the_preview(
    feishu_on_sqlite: FeishuServer,
) -> None:
    """`@xdept 纪要`: a form for the notes by DM; submitting replaces it with the preview
    (readable lines and the unreadable one, shown), and files nothing yet."""
    server = feishu_on_sqlite
    server.add_logistics()
    server.say("纪要", sender=ALICE, chat=SERVICE)
    server.settle()
    forms = server.dms_to(ALICE)
    assert len(forms) == 1 and "会议纪要转待办" in card_text(forms[0])
    assert set(_inputs(forms[0].card)) == {"notes"}
    submit = {"action": "xdept_minutes_form"}
    blank = server.click(forms[0].message_id, submit, operator=ALICE, form_value={"notes": " "})
    assert _toast(blank) == ("error", "纪要内容为空。")
    notes = "1. @物流 周五前核对上周拒收单\n2. 下次会议再议包装问题"
    answer = server.click(forms[0].message_id, submit, operator=ALICE, form_value={"notes": notes})
    assert _toast(answer)[0] == "success"
    preview = json.dumps(answer["card"], ensure_ascii=False)
    assert "核对上周拒收单" in preview and "下次会议再议包装问题" in preview
    server.settle()
    assert server.items() == 0
