"""Cards and card markdown: structure Feishu accepts, limits kept, user text inert."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import ItemKind, Status
from bot.messages import (
    Button,
    ButtonAction,
    ChannelSpan,
    LinkSpan,
    Message,
    MessageField,
    MessageKind,
    Section,
    mention,
    text,
)
from bot.views import ItemView
from handlers.feishu import cards, forms, markdown
from tests.fakes.feishu.cardcheck import check_card

NOW = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


def _elements(card: dict[str, object]) -> list[dict[str, object]]:
    body = card["body"]
    assert isinstance(body, dict)
    return list(body["elements"])


def test_a_tracking_card_has_header_sections_fields_and_buttons() -> None:
    """Title in a coloured header, sections as markdown, fields two to a row, buttons."""
    message = Message(
        kind=MessageKind.TRACKING,
        title=[text("XD-7 请补发 3 托盘")],
        sections=[Section(heading="背景", body=[text("上周到货少了 3 托盘")])],
        fields=[
            MessageField(label="负责人", value=[mention("ou_wang")]),
            MessageField(label="截止", value=[text("周五 18:00")]),
            MessageField(label="状态", value=[text("待确认")]),
        ],
        buttons=[
            Button(action=ButtonAction.ACK, label="确认收到", value="XD-7", style="primary"),
            Button(action=ButtonAction.DECLINE, label="拒绝", value="XD-7", style="danger"),
            Button(action=ButtonAction.SNOOZE, label="稍后提醒", value="XD-7"),
        ],
    )
    card = cards.render(message)
    check_card(card)
    assert card["schema"] == "2.0" and card["config"]["update_multi"] is True
    assert card["header"] == {
        "title": {"tag": "plain_text", "content": "XD-7 请补发 3 托盘"},
        "template": "blue",
    }
    elements = _elements(card)
    assert elements[0] == {"tag": "markdown", "content": "**背景**\n上周到货少了 3 托盘"}
    rows = [e for e in elements if e.get("flex_mode") == "bisect"]
    assert [len(r["columns"]) for r in rows] == [2, 1]
    assert "<at id=ou_wang></at>" in rows[0]["columns"][0]["elements"][0]["content"]
    buttons = [c["elements"][0] for c in elements[-1]["columns"]]
    assert [b["type"] for b in buttons] == ["primary", "danger", "default"]
    assert buttons[0]["behaviors"] == [
        {"type": "callback", "value": {"action": "xdept_ack", "value": "XD-7"}}
    ]


def test_user_text_cannot_mention_style_or_link() -> None:
    """Markup typed by a person shows as typed: no <at>, no bold, no link, no heading."""
    typed = "# 标题\n<at id=all></at> **急** [点我](https://evil.example) ~~删~~ `x`\n1. 第一"
    card = cards.render(Message(kind=MessageKind.NOTE, sections=[Section(body=[text(typed)])]))
    check_card(card)
    content = _elements(card)[0]["content"]
    assert "<at" not in content and "**" not in content and "](" not in content
    assert not content.startswith("#") and "\n1." not in content
    assert html.unescape(content) == typed


def test_a_title_with_a_mention_is_bold_markdown() -> None:
    """A title that mentions someone keeps the mention live, so it is markdown, not a header."""
    card = cards.render(Message(kind=MessageKind.NOTE, title=[mention("ou_a"), text(" 请确认")]))
    check_card(card)
    assert "header" not in card
    assert _elements(card)[0]["content"] == "<at id=ou_a></at> **请确认**"


def test_links_and_chats() -> None:
    """Safe links become markdown links; other schemes stay text; chats open by applink."""
    spans = [
        LinkSpan(url="https://example.com/a(b)", label="单据"),
        text(" "),
        LinkSpan(url="javascript:alert(1)", label="x"),
        text(" "),
        ChannelSpan(channel_id="oc_1"),
    ]
    rendered = markdown.render(spans)
    assert rendered.startswith("[单据](https://example.com/a%28b%29) ")
    assert "javascript&#58;" not in rendered and "[x]" not in rendered
    assert "(https://applink.feishu.cn/client/chat/open?openChatId=oc_1)" in rendered


@pytest.mark.slow  # hundreds of huge cards: about 15 s
def test_huge_messages_fit_feishus_limits() -> None:
    """30 KB and 200 components: long text is cut evenly, hundreds of sections trimmed."""
    long_text = Message(
        kind=MessageKind.SUMMARY,
        title=[text("周报")],
        sections=[Section(body=[text("说明" * 30_000)]), Section(body=[text("短")])],
    )
    many = Message(
        kind=MessageKind.LIST,
        sections=[Section(body=[text(f"XD-{i} 事项 " * 20)]) for i in range(500)],
        fields=[MessageField(label=f"f{i}", value=[text("v")]) for i in range(40)],
    )
    for message in (long_text, many):
        card = cards.render(message)
        check_card(card)
        assert cards.wire_size(card) <= cards.CARD_LIMIT
    short = _elements(cards.render(long_text))
    assert short[0]["content"].endswith("…") and short[1]["content"] == "短"
    assert _elements(cards.render(many))[-1]["tag"] == "column_set"


def test_cuts_keep_emoji_and_chinese_whole() -> None:
    """A cut never splits an emoji sequence or leaves half an entity."""
    family = "👨‍👩‍👧"
    for limit in range(1, 40):
        cut = markdown.limited([text(family * 10 + "中文<*>" * 5)], limit)
        assert len(cut) <= limit
        body = html.unescape(cut.removesuffix("…"))
        assert body.count("\u200d") == body.count(family) * 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=0, max_value=400), st.booleans())
def test_cut_markdown_is_a_clean_prefix(raw: str, limit: int, bold: bool) -> None:
    """Escaped text reads back as itself; a cut is within its limit and reads as a prefix."""
    assert html.unescape(markdown.escape(raw)) == raw
    cut = markdown.limited([text(raw)], limit)
    assert len(cut) <= limit
    if not bold:
        assert raw.startswith(html.unescape(cut.removesuffix("…")))


def test_forms_are_cards_feishu_accepts_in_chinese() -> None:
    """The decline and track forms: a form with named inputs and a submit carrying the item."""
    decline = forms.decline_form(code="XD-7", locale="zh")
    check_card(decline)
    assert decline["header"]["title"]["content"] == "拒绝 XD-7"
    form = _elements(decline)[0]
    assert form["tag"] == "form"
    reason, submit = form["elements"]
    assert (reason["name"], reason["required"], reason["label"]["content"]) == (
        "reason",
        True,
        "拒绝原因",
    )
    assert submit["form_action_type"] == "submit"
    assert submit["behaviors"][0]["value"] == {"action": forms.DECLINE_FORM, "value": "XD-7"}
    source = forms.TrackSource(chat_id="oc_1", message_id="om_1", link="https://x.example/1")
    track = forms.track_form(text="三个托盘 <b>", source=source, known=["物流部"], locale="zh")
    check_card(track)
    inputs = _elements(track)[-1]["elements"]
    assert [i.get("name") for i in inputs] == [
        "dept",
        "text",
        "due",
        "background",
        "impact",
        "suggestion",
        "xdept_track_submit",
    ]
    assert inputs[1]["default_value"] == "三个托盘 <b>"
    assert inputs[-1]["behaviors"][0]["value"] == {
        "action": forms.TRACK_FORM,
        "chat": "oc_1",
        "message": "om_1",
    }


def test_my_items_card() -> None:
    """The "My items" card lists each group, says when one is empty, and checks out."""
    view = ItemView(
        id=1,
        code="XD-1",
        kind=ItemKind.REQUEST,
        status=Status.OPEN,
        text="补发 *3* 托盘",
        requester_id="ou_a",
        department_key="logistics",
        department_name="物流部",
        created_at=NOW,
    )
    groups = forms.MyItems(mine=[view] * 30, departments=[], asked=[view])
    card = forms.my_items(groups, locale="zh", now=NOW, tz="Asia/Shanghai")
    check_card(card)
    text_of = json.dumps(card, ensure_ascii=False)
    assert "我负责的事项" in text_of and "暂无。" in text_of and "还有 5 项" in text_of
    assert "补发 &#42;3&#42; 托盘" in text_of


def test_callback_answer_shape() -> None:
    """A toast and the card to show, as card.action.trigger expects."""
    card = cards.render(Message(kind=MessageKind.NOTE, sections=[Section(body=[text("好")])]))
    answer = cards.callback_answer("已确认", kind="success", card=card)
    assert answer == {
        "toast": {"type": "success", "content": "已确认"},
        "card": {"type": "raw", "data": card},
    }
