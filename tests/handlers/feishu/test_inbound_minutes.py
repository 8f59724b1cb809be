"""`@xdept 纪要` on Feishu: the notes form, the preview to fix, drop and confirm, and the
filing in one transaction with one summary where `纪要` was typed. Over the fake Feishu
with the real SDK."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.feishu.cardcheck import check_card
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.tenant import ALICE, WANG
from tests.handlers.feishu.inbound_support import (
    SERVICE,
    FeishuServer,
    feishu_fake,
    feishu_on_sqlite,
)

__all__ = ["feishu_fake", "feishu_on_sqlite"]

NOTES = "1. @物流 周五前核对上周拒收单\n2. 下次会议再议包装问题\n3. @王强 周四前整理包装问题清单"


def _card(answer: dict[str, Any]) -> dict[str, Any]:
    """The card an answer shows instead, checked as Feishu would."""
    assert answer["card"]["type"] == "raw"
    card: dict[str, Any] = answer["card"]["data"]
    check_card(card)
    return card


def _form(card: dict[str, Any]) -> list[dict[str, Any]]:
    form = next(e for e in card["body"]["elements"] if e.get("tag") == "form")
    return list(form["elements"])


def _named(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in _form(card) if "name" in e}


def _confirm(card: dict[str, Any]) -> dict[str, Any]:
    button = next(e for e in _form(card) if e.get("tag") == "button")
    assert button["text"]["content"] == "确认创建"
    return dict(button["behaviors"][0]["value"])


def _preview(server: FeishuServer) -> tuple[str, dict[str, Any]]:
    """Alice asks for the form in customer service's group and submits the notes."""
    server.add_logistics()
    server.say("纪要", sender=ALICE, chat=SERVICE)
    server.settle()
    form = server.dms_to(ALICE)[0]
    submit = form.card["body"]["elements"][-1]["elements"][-1]["behaviors"][0]["value"]
    answer = server.click(form.message_id, submit, operator=ALICE, form_value={"notes": NOTES})
    assert answer["toast"]["type"] == "success"
    return form.message_id, _card(answer)


def _submitted(card: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The preview's inputs and choices as they stand, with `changes` made."""
    values: dict[str, Any] = {}
    for name, e in _named(card).items():
        if e["tag"] == "input":
            values[name] = e.get("default_value") or ""
        elif e["tag"] == "checker":
            values[name] = e["checked"]
    return {**values, **changes}


def _summaries(server: FeishuServer) -> list[str]:
    return [m.content for m in server.feishu.messages_in(SERVICE) if "会议行动项" in m.content]


def test_the_preview_lists_each_line_to_fix_or_drop_and_shows_unreadable_ones(
    feishu_on_sqlite: FeishuServer,
) -> None:
    """Every line an input prefilled with it and a file/don't-file choice; the line that
    cannot be read is there with its reason; nothing is filed yet."""
    _, card = _preview(feishu_on_sqlite)
    named = _named(card)
    assert named["line_1"]["default_value"] == "1. @物流 周五前核对上周拒收单"
    assert named["line_2"]["default_value"] == "2. 下次会议再议包装问题"
    assert {named[f"keep_{n}"]["checked"] for n in (1, 2, 3)} == {True}
    shown = json.dumps(card, ensure_ascii=False)
    assert "✗ 第 2 行：没有写明负责人" in shown
    assert "✓ 第 1 行：向物流部发起协作请求" in shown
    assert feishu_on_sqlite.items() == 0


def test_a_kept_unreadable_line_files_nothing_and_shows_the_preview_again(
    feishu_on_sqlite: FeishuServer,
) -> None:
    """Confirming with line 2 kept as it is: an error toast naming it, the preview again
    (the edits kept), nothing filed, no summary."""
    server = feishu_on_sqlite
    message, card = _preview(server)
    edited = _submitted(card, line_1="1. @物流 周五前核对上周全部拒收单")
    answer = server.click(message, _confirm(card), operator=ALICE, form_value=edited)
    assert answer["toast"]["type"] == "error"
    assert "第 2 行仍无法识别" in answer["toast"]["content"]
    again = _named(_card(answer))
    assert again["line_1"]["default_value"] == "1. @物流 周五前核对上周全部拒收单"
    server.settle()
    assert server.items() == 0 and _summaries(server) == []


def test_confirm_files_the_kept_lines_as_edited_once_with_one_summary(
    feishu_on_sqlite: FeishuServer,
) -> None:
    """Line 2 dropped, line 1 edited: both other lines filed in one go, one summary in the
    group where 纪要 was typed, a card saying what was filed; the same submit again (a
    double click or Feishu's redelivery) files nothing more."""
    server = feishu_on_sqlite
    message, card = _preview(server)
    edited = _submitted(card, line_1="1. @物流 周五前核对上周全部拒收单", keep_2=False)
    value = _confirm(card)
    assert value["chat"] == SERVICE
    answer = server.click(message, value, operator=ALICE, form_value=edited)
    assert answer["toast"]["type"] == "success", answer
    done = json.dumps(_card(answer), ensure_ascii=False)
    assert "已创建 2 项" in done and "XD-1" in done and "XD-2" in done
    assert "上周全部拒收单" in done and "包装问题清单" in done
    again = server.click(message, value, operator=ALICE, form_value=edited)
    assert "card" not in again
    server.settle()
    assert server.items() == 2
    assert server.item("XD-1").text == "周五前核对上周全部拒收单"
    assert server.item("XD-2").owner_id == WANG
    summaries = _summaries(server)
    assert len(summaries) == 1 and "XD-1" in summaries[0] and "XD-2" in summaries[0]


def test_dropping_every_line_files_nothing(feishu_on_sqlite: FeishuServer) -> None:
    """All set to don't file: told so, the preview stays, nothing filed."""
    server = feishu_on_sqlite
    message, card = _preview(server)
    edited = _submitted(card, keep_1="drop", keep_2=False, keep_3="drop")
    answer = server.click(message, _confirm(card), operator=ALICE, form_value=edited)
    assert answer["toast"] == {
        "type": "error",
        "content": "所有行都已取消勾选，本次未创建任何事项。",
    }
    server.settle()
    assert server.items() == 0


def test_sixty_lines_fit_one_card(feishu_on_sqlite: FeishuServer) -> None:
    """Sixty lines (the most one filing takes) of a usual length: one card Feishu takes."""
    server = feishu_on_sqlite
    server.add_logistics()
    server.say("纪要", sender=ALICE, chat=SERVICE)
    server.settle()
    form = server.dms_to(ALICE)[0]
    submit = {"action": "xdept_minutes_form", "chat": SERVICE}
    notes = "\n".join(f"@物流 周五前核对第 {n} 批拒收单并把结果发给客服部的同事" for n in range(60))
    answer = server.click(form.message_id, submit, operator=ALICE, form_value={"notes": notes})
    assert answer["toast"]["type"] == "success"
    tags = [e["tag"] for e in _form(_card(answer))]
    assert tags.count("checker") == tags.count("input") == 60


def test_notes_too_big_for_a_card_are_refused_with_the_reason(
    feishu_on_sqlite: FeishuServer,
) -> None:
    """Sixty very long lines cannot be one card: an error toast says to send them in parts,
    and the form stays (no card in the answer)."""
    server = feishu_on_sqlite
    server.say("纪要", sender=ALICE, chat=SERVICE)
    server.settle()
    form = server.dms_to(ALICE)[0]
    submit = {"action": "xdept_minutes_form", "chat": SERVICE}
    notes = "\n".join("很长的一行纪要" * 40 for _ in range(60))
    answer = server.click(form.message_id, submit, operator=ALICE, form_value={"notes": notes})
    assert answer == {
        "toast": {"type": "error", "content": "纪要太长，一张卡片放不下，请分几次发送。"}
    }


def test_notes_typed_after_the_command_send_the_preview_and_confirm_files_them(
    feishu_on_sqlite: FeishuServer,
) -> None:
    """`@xdept 纪要 <notes>` with a person picked from the @ menu: the preview card comes by
    DM with the person's name in the line; confirming files their action item in the
    group the notes were typed in."""
    server = feishu_on_sqlite
    server.add_logistics()
    notes = "纪要\n@_user_2 周四前整理包装问题清单\n下次会议再议"
    server.say(notes, sender=ALICE, chat=SERVICE, mentions=[Mention(WANG, "王强")])
    server.settle()
    preview = server.dms_to(ALICE)
    assert len(preview) == 1
    card = preview[0].card
    check_card(card)
    named = _named(card)
    assert named["line_1"]["default_value"] == "@王强 周四前整理包装问题清单"
    assert "✗ 第 2 行" in json.dumps(card, ensure_ascii=False)
    edited = _submitted(card, keep_2=False)
    answer = server.click(preview[0].message_id, _confirm(card), operator=ALICE, form_value=edited)
    assert answer["toast"]["type"] == "success", answer
    server.settle()
    assert server.items() == 1 and server.item("XD-1").owner_id == WANG
    assert len(_summaries(server)) == 1


def test_minutes_confirm_typed_still_files_at_once(feishu_on_sqlite: FeishuServer) -> None:
    """`@xdept 纪要 confirm <notes>` files without a card, as before."""
    server = feishu_on_sqlite
    server.add_logistics()
    server.say("minutes confirm\n@物流 周五前核对上周拒收单", sender=ALICE, chat=SERVICE)
    server.settle()
    assert server.items() == 1 and server.dms_to(ALICE) == []
    assert len(_summaries(server)) == 1
