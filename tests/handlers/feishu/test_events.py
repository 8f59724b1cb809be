"""Feishu events read into plain values; malformed ones ignored with one log line."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands.targets import Target, TargetKind
from bot.domain import Reaction as Intent
from handlers.feishu.events import (
    BotMembership,
    CardAction,
    ChatOpened,
    IncomingMessage,
    MenuClick,
    Reaction,
    ReactionKeys,
    parse,
)
from handlers.feishu.verify import Envelope, envelope_of
from tests.conftest import make_settings
from tests.fakes.feishu import events
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.tenant import ALICE, LOGISTICS, WANG

APP = "cli_events"
BOT = "ou_bot000000000000000000000000000"
KEYS = ReactionKeys.from_settings(make_settings())


def _envelope(event_type: str, event: dict[str, Any], event_id: str | None = None) -> Envelope:
    payload = events.envelope(
        event_type, event, app_id=APP, tenant_key="t1", token="v", event_id=event_id
    )
    opened = envelope_of(payload, app_id=APP)
    assert isinstance(opened, Envelope)
    return opened


def _parse(event_type: str, event: dict[str, Any], **kw: Any) -> Any:
    return parse(_envelope(event_type, event, **kw), bot_open_id=BOT, reactions=KEYS)


def test_a_group_command_keeps_placeholders_and_drops_the_bots_mention() -> None:
    """`@xdept ask @物流 ...`: the text keeps @_user_2, mapped to its person; the bot is gone."""
    event = events.message_event(
        chat_id=LOGISTICS,
        sender=ALICE,
        text="@_user_1 ask @_user_2 补发 3 托盘 周五前",
        mentions=[Mention(BOT, "xdept"), Mention(WANG, "王强")],
        message_id="om_1",
    )
    message = _parse(events.MESSAGE_RECEIVE, event, event_id="ev-1")
    assert isinstance(message, IncomingMessage)
    assert message.text == "ask @_user_2 补发 3 托盘 周五前"
    assert message.mentions == {"@_user_2": Target(kind=TargetKind.PERSON, id=WANG, name="王强")}
    assert message.mentions_bot and not message.direct
    assert (message.message_id, message.chat_id, message.sender) == ("om_1", LOGISTICS, ALICE)
    assert (message.event_id, message.tenant_key) == ("ev-1", "t1")
    assert message.dedupe_key == "feishu:message:om_1"


def test_a_direct_chat_command_may_start_with_slash_xdept() -> None:
    """In the bot's chat `/xdept ask ...` and `ask ...` read the same."""
    for typed in ("/xdept ask 物流 周五前", "ask 物流 周五前", "  /XDEPT   ask 物流 周五前"):
        event = events.message_event(chat_id="oc_p2p", sender=ALICE, text=typed, chat_type="p2p")
        message = _parse(events.MESSAGE_RECEIVE, event)
        assert message.text == "ask 物流 周五前" and message.direct and not message.mentions_bot
    other = events.message_event(chat_id="oc_p2p", sender=ALICE, text="/xdepth", chat_type="p2p")
    assert _parse(events.MESSAGE_RECEIVE, other).text == "/xdepth"


def test_thread_replies_carry_root_and_thread() -> None:
    """A reply in a card's thread names the card as its root."""
    event = events.message_event(
        chat_id=LOGISTICS,
        sender=WANG,
        text="已安排，明天发货",
        root_id="om_card",
        parent_id="om_card",
        thread_id="omt_1",
    )
    message = _parse(events.MESSAGE_RECEIVE, event)
    assert (message.root_id, message.parent_id, message.thread_id) == (
        "om_card",
        "om_card",
        "omt_1",
    )
    assert not message.mentions_bot


def test_rich_text_and_other_messages() -> None:
    """A post's text and mentions read like a text message's; a picture has no text."""
    event = events.message_event(chat_id=LOGISTICS, sender=ALICE, text="")
    event["message"]["message_type"] = "post"
    event["message"]["content"] = json.dumps(
        {
            "title": "",
            "content": [
                [
                    {"tag": "at", "user_id": "@_user_1", "user_name": "xdept"},
                    {"tag": "text", "text": " done XD-3"},
                ]
            ],
        }
    )
    event["message"]["mentions"] = [{"key": "@_user_1", "id": {"open_id": BOT}, "name": "xdept"}]
    assert _parse(events.MESSAGE_RECEIVE, event).text == "done XD-3"
    picture = events.message_event(chat_id=LOGISTICS, sender=ALICE, text="", root_id="om_card")
    picture["message"]["message_type"] = "image"
    picture["message"]["content"] = json.dumps({"image_key": "img_1"})
    image = _parse(events.MESSAGE_RECEIVE, picture)
    assert image.text == "" and image.message_type == "image" and image.root_id == "om_card"


def test_messages_of_apps_are_ignored() -> None:
    """Another bot's message is not a command."""
    event = events.message_event(chat_id=LOGISTICS, sender=ALICE, text="ask")
    event["sender"]["sender_type"] = "app"
    assert _parse(events.MESSAGE_RECEIVE, event) is None


def test_reactions_are_done_acknowledge_or_nothing() -> None:
    """DONE and CheckMark mark done, OnIt and Get acknowledge, by default; others nothing."""
    intents = {
        emoji: _parse(
            events.REACTION_CREATED,
            events.reaction_event(message_id="om_1", operator=WANG, emoji=emoji),
        ).intent
        for emoji in ("DONE", "CheckMark", "OnIt", "Get", "THUMBSUP")
    }
    assert intents == {
        "DONE": Intent.DONE,
        "CheckMark": Intent.DONE,
        "OnIt": Intent.ACKNOWLEDGE,
        "Get": Intent.ACKNOWLEDGE,
        "THUMBSUP": None,
    }
    reaction = _parse(
        events.REACTION_CREATED,
        events.reaction_event(message_id="om_1", operator=WANG, emoji="DONE"),
        event_id="ev-9",
    )
    assert isinstance(reaction, Reaction)
    assert (reaction.message_id, reaction.operator, reaction.dedupe_key) == (
        "om_1",
        WANG,
        "feishu:event:ev-9",
    )


def test_reaction_keys_are_settings() -> None:
    """FEISHU_DONE_REACTIONS and FEISHU_ACK_REACTIONS replace the defaults."""
    keys = ReactionKeys.from_settings(
        make_settings(feishu_done_reactions=" OK , LGTM", feishu_ack_reactions="Yes")
    )
    assert keys.intent("LGTM") is Intent.DONE
    assert keys.intent("Yes") is Intent.ACKNOWLEDGE
    assert keys.intent("DONE") is None


def test_reactions_by_apps_are_ignored() -> None:
    """The bot's own reactions (or another app's) are not a person's."""
    event = events.reaction_event(message_id="om_1", operator=WANG, emoji="DONE")
    event["operator_type"] = "app"
    assert _parse(events.REACTION_CREATED, event) is None


def _click(operator: str = WANG, value: Any = None, form: Any = None) -> dict[str, Any]:
    return events.card_action_event(
        operator=operator,
        value=value if value is not None else {"action": "xdept_ack", "value": "XD-1"},
        message_id="om_card",
        chat_id=LOGISTICS,
        token="c-1",
        form_value=form,
    )


def test_card_clicks_and_form_submits() -> None:
    """A click gives the operator, the button's value, the card and the callback token."""
    click = _parse(events.CARD_ACTION, _click())
    assert isinstance(click, CardAction)
    assert (click.operator, click.action, click.value["value"]) == (WANG, "xdept_ack", "XD-1")
    assert (click.message_id, click.chat_id, click.token) == ("om_card", LOGISTICS, "c-1")
    submit = _parse(
        events.CARD_ACTION,
        _click(value={"action": "xdept_decline_form", "value": "XD-1"}, form={"reason": "没货"}),
    )
    assert submit.form == {"reason": "没货"}
    as_string = _parse(events.CARD_ACTION, _click(value=json.dumps({"action": "xdept_done"})))
    assert as_string.action == "xdept_done"


def test_a_double_click_has_one_dedupe_key() -> None:
    """The same person, card and value is one click, whatever the event ids."""
    first = _parse(events.CARD_ACTION, _click(), event_id="e1")
    again = _parse(events.CARD_ACTION, _click(), event_id="e2")
    other = _parse(events.CARD_ACTION, _click(operator=ALICE), event_id="e3")
    done = _parse(events.CARD_ACTION, _click(value={"action": "xdept_done"}), event_id="e4")
    assert first.dedupe_key == again.dedupe_key
    assert len({first.dedupe_key, other.dedupe_key, done.dedupe_key}) == 3


def test_menu_chat_opened_and_membership() -> None:
    """The bot menu, the direct chat being opened, the bot added to or removed from a group."""
    menu = _parse(events.BOT_MENU, events.bot_menu_event(operator=ALICE, event_key="my_items"))
    assert menu == MenuClick(menu.event_id, "t1", ALICE, "my_items")
    opened = _parse(
        events.P2P_CHAT_ENTERED, events.p2p_chat_entered_event(chat_id="oc_p", operator=ALICE)
    )
    assert isinstance(opened, ChatOpened) and (opened.chat_id, opened.operator) == ("oc_p", ALICE)
    added = _parse("im.chat.member.bot.added_v1", {"chat_id": LOGISTICS})
    removed = _parse("im.chat.member.bot.deleted_v1", {"chat_id": LOGISTICS})
    assert isinstance(added, BotMembership) and added.added and not removed.added


@pytest.mark.parametrize(
    ("event_type", "event"),
    [
        (events.MESSAGE_RECEIVE, {}),
        (events.MESSAGE_RECEIVE, {"message": {"message_type": "text", "content": "{not json"}}),
        (events.MESSAGE_RECEIVE, {"message": "text"}),
        (events.REACTION_CREATED, {"message_id": "om_1", "reaction_type": {}}),
        (events.CARD_ACTION, {"operator": {"open_id": WANG}, "action": {"value": [1]}}),
        (events.BOT_MENU, {"operator": None}),
        (events.USER_DELETED, {"object": {"status": {}}}),
        (events.USER_UPDATED, {"object": {"status": {"is_resigned": True}}}),
    ],
)
def test_malformed_events_are_logged_once_and_ignored(
    event_type: str, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing escapes; one warning says what was ignored."""
    with caplog.at_level(logging.WARNING, logger="handlers.feishu.events"):
        assert _parse(event_type, event) is None
    assert len(caplog.records) == 1 and "malformed" in caplog.records[0].getMessage()


def test_unknown_event_types_are_ignored_quietly(caplog: pytest.LogCaptureFixture) -> None:
    """Events the bot does not handle are not warnings."""
    with caplog.at_level(logging.WARNING):
        assert _parse("contact.user.updated_v3", {"object": {}}) is None
    assert caplog.records == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from(
        [
            events.MESSAGE_RECEIVE,
            events.REACTION_CREATED,
            events.CARD_ACTION,
            events.BOT_MENU,
            events.P2P_CHAT_ENTERED,
            "im.chat.member.bot.added_v1",
        ]
    ),
    event=st.dictionaries(
        st.sampled_from(
            [
                "message",
                "sender",
                "message_id",
                "reaction_type",
                "user_id",
                "operator",
                "action",
                "context",
                "chat_id",
                "operator_id",
                "event_key",
                "token",
            ]
        ),
        _json,
    ),
)
def test_no_event_shape_raises(event_type: str, event: dict[str, Any]) -> None:
    """Whatever the event holds, parsing answers a value or None."""
    parse(_envelope(event_type, event), bot_open_id=BOT, reactions=KEYS)
