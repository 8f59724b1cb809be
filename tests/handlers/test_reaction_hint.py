"""The unanswered nudge asks for the acknowledge reaction by the name it has on the
platform that shows it: 👀 on Slack, the configured keys on Feishu (en and zh)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.domain import ItemKind, Reaction, Status
from bot.messages import Message
from handlers.feishu import cards
from handlers.feishu.events import ReactionKeys
from handlers.slack import blocks
from scheduler.facts import ItemRow
from scheduler.nudges import unanswered
from tests.conftest import make_settings

MON = datetime(2026, 11, 23, 2, tzinfo=UTC)


def _nudge(locale: str) -> Message:
    row = ItemRow(
        id=1,
        workspace_id=1,
        number=7,
        kind=ItemKind.REQUEST,
        status=Status.OPEN,
        text="fix the pallet labels",
        requester_id="mei",
        owner_id=None,
        department_id=1,
        due_at=None,
        created_at=MON,
        first_response_at=None,
        snoozed_until=None,
        escalated_at=None,
        channel_id="C0LOG",
        permalink=None,
        version=1,
    )
    return unanswered(row, who=["wang"], waited_seconds=8 * 3600, locale=locale)


@pytest.mark.parametrize(
    ("locale", "asked"),
    [("en", "react with :eyes: or use the Acknowledge button"), ("zh", "用 :eyes: 表情回复")],
)
def test_slack_asks_for_eyes(locale: str, asked: str) -> None:
    rendered = blocks.render(_nudge(locale))
    assert asked in json.dumps(rendered.blocks, ensure_ascii=False)
    assert ":eyes:" in rendered.text  # the notification, in mrkdwn too


@pytest.mark.parametrize(
    ("locale", "asked"),
    [
        ("en", "react with OnIt / Get or use the Acknowledge button"),
        ("zh", "用 OnIt / Get 表情回复，或点「确认收到」按钮"),
    ],
)
def test_feishu_asks_for_its_acknowledge_keys(locale: str, asked: str) -> None:
    shown = json.dumps(cards.render(_nudge(locale)), ensure_ascii=False)
    assert asked in shown and "👀" not in shown


def test_feishu_names_the_keys_its_settings_give() -> None:
    settings = make_settings(feishu_ack_reactions=" Yes , OK", feishu_done_reactions="LGTM")
    named = ReactionKeys.named(settings)
    assert named == {Reaction.ACKNOWLEDGE: ("Yes", "OK"), Reaction.DONE: ("LGTM",)}
    shown = json.dumps(cards.render(_nudge("zh"), reactions=named), ensure_ascii=False)
    assert "用 Yes / OK 表情回复" in shown and "OnIt" not in shown
