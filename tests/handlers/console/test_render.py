"""The demo's plain-text rendering of neutral messages."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from bot.messages import (
    Button,
    ButtonAction,
    ChannelSpan,
    DateSpan,
    LinkSpan,
    Message,
    MessageField,
    MessageKind,
    Section,
    mention,
    text,
)
from handlers.console.render import message_text


def test_a_message_reads_as_tagged_plain_lines() -> None:
    at = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    message = Message(
        kind=MessageKind.TRACKING,
        title=[text("🟡 XD-1 · Request", bold=True)],
        sections=[
            Section(body=[text("Count <3> pallets & boxes *not bold*")]),
            Section(heading="背景", body=[text("two\nlines in "), ChannelSpan(channel_id="C1")]),
        ],
        fields=[
            MessageField(label="Due", value=[DateSpan(at=at, fallback="Fri 18:00")]),
            MessageField(label="Requester", value=[mention("U1")]),
            MessageField(label="Owner", value=[mention("U2")]),
        ],
        buttons=[
            Button(action=ButtonAction.ACK, label="Acknowledge", value="XD-1"),
            Button(action=ButtonAction.DONE, label="Done", value="XD-1"),
        ],
        context=[LinkSpan(url="https://s.example/p1", label="source")],
    )
    out = message_text(message, {"U1": "Mei", "C1": "logistics"}, indent="")
    assert out.splitlines() == [
        "title   │ 🟡 XD-1 · Request",
        "text    │ Count <3> pallets & boxes *not bold*",
        "text    │ 【背景】",
        "        │ two",
        "        │ lines in #logistics",
        "fields  │ Due: Fri 18:00   Requester: @Mei",
        "        │ Owner: @U2",
        "buttons │ [Acknowledge]  [Done]",
        "note    │ source (https://s.example/p1)",
    ]


def test_the_console_renders_without_any_platform_adapter() -> None:
    console = Path(__file__).resolve().parents[3] / "handlers" / "console"
    for path in console.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        assert not [m for m in imported if m.startswith("handlers.slack")], path
