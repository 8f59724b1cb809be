"""`xdept demo --platform feishu`: bot messages drawn as the Feishu cards they would be."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.messages import (
    Button,
    ButtonAction,
    Message,
    MessageField,
    MessageKind,
    Section,
    mention,
    text,
)
from handlers.console.cards import card_text, wrap
from handlers.console.demo import run_demo
from handlers.console.width import WIDTH
from handlers.console.width import display_width as width

NAMES = {"ou_mei": "Mei 李梅", "ou_wang": "Wang 王强"}


def _tracking() -> Message:
    return Message(
        kind=MessageKind.TRACKING,
        title=[text("XD-1 · 协作请求")],
        sections=[Section(body=[text("请修好托盘标签，" * 20), text(" <b>*不是*</b> 标记")])],
        fields=[
            MessageField(label="提出人", value=[mention("ou_mei")]),
            MessageField(label="负责人", value=[mention("ou_wang")]),
            MessageField(label="状态", value=[text("待处理")]),
        ],
        buttons=[
            Button(action=ButtonAction.ACK, label="确认收到", value="XD-1", style="primary"),
            Button(action=ButtonAction.DONE, label="已完成", value="XD-1"),
        ],
        context=[text("截止 11月27日 周五 18:00")],
    )


def test_a_card_reads_as_a_box_within_the_width() -> None:
    """Header, wrapped text, fields side by side, buttons, footnote; names, no markup."""
    drawn = card_text(_tracking(), NAMES)
    lines = drawn.splitlines()
    assert all(width(line) <= WIDTH for line in lines)
    assert "Feishu card · blue" in lines[0] and "XD-1 · 协作请求" in lines[1]
    assert any("@Mei 李梅" in line and "@Wang 王强" in line and "│" in line[6:] for line in lines)
    assert any("[确认收到] [已完成]" in line for line in lines)
    assert any("· 截止 11月27日" in line for line in lines)
    assert "<b>*不是*</b> 标记" in drawn  # the person's own text, shown as typed
    for markup in ("<at", "**", "&#", "\\*"):
        assert markup not in drawn
    body = [line for line in lines if "请修好托盘标签" in line]
    assert len(body) > 1  # wrapped, not cut
    assert "".join(line.strip("│ ") for line in body).count("请修好托盘标签") == 20


@pytest.mark.parametrize(
    ("source", "columns"), [("中文字符" * 30, 20), ("plain words that wrap nicely " * 5, 30)]
)
def test_wrapping_counts_wide_characters_twice(source: str, columns: int) -> None:
    lines = wrap(source, columns)
    assert all(width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == source.replace(" ", "")


def test_drawing_cards_needs_no_feishu_sdk() -> None:
    """The demo's card renderer (and the card builder under it) never import lark_oapi."""
    probe = "import sys, handlers.console.cards; print('lark_oapi' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "False"


def test_the_demo_plays_the_story_in_feishu_cards(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(platform="feishu") == 0
    out = capsys.readouterr().out
    story = [
        "请不要再线下直接拒绝销售订单而不报备",
        "☀️ 站会 · 物流部",
        "个工作小时无人响应",
        "升级：XD-1 需要你的协助",
        "📊 周报",
        "我发起的请求",
    ]
    positions = [out.find(line) for line in story]
    assert -1 not in positions and positions == sorted(positions)
    boxes = [line for line in out.splitlines() if line.lstrip()[:1] in ("╭", "│", "├", "╰")]
    assert sum(line.lstrip().startswith("╭─ Feishu card") for line in boxes) > 20
    assert all(width(line) <= WIDTH for line in boxes)
    assert "text    │" not in out  # no tagged lines: every bot message is a card
