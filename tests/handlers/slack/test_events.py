"""Events API: thread replies, reactions, the Home tab, mentions, retries and the handshake."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.domain import Status, UpdateKind
from bot.views import ItemView
from storage.models import Update
from tests.fakes.slack import (
    app_home_opened_event,
    app_mention_event,
    event_body,
    message_changed_event,
    message_deleted_event,
    message_event,
    new_event_id,
    new_ts,
    reaction_added_event,
    url_verification_body,
)
from tests.handlers.slack.conftest import (
    ALICE,
    BOB,
    CHEN,
    GENERAL,
    LOGISTICS,
    LOGISTICS_GROUP,
    WANG,
    SlackServer,
)

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _tracked(server: SlackServer) -> ItemView:
    server.add_logistics()
    return server.file_request("Check why order 12345 was rejected by Friday 5pm")


def _updates(server: SlackServer, item: ItemView) -> list[Update]:
    """In the order they were said (workers may store two replies in either order)."""
    with server.app.store.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(Update).where(Update.item_id == item.id).order_by(Update.at, Update.id)
        )
        return list(rows)


def _reply(
    server: SlackServer, item: ItemView, user: str, text: str, bot_id: str | None = None
) -> str:
    ts = new_ts()
    server.event(
        message_event(LOGISTICS, user, text, ts=ts, thread_ts=item.message_id, bot_id=bot_id),
    )
    return ts


def test_url_verification_answers_the_challenge(slack_server: SlackServer) -> None:
    response = slack_server.post(
        url_verification_body("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    )
    assert response.status == 200
    assert response.json()["challenge"].startswith("3eZbrw")


def test_first_reply_by_someone_else_acknowledges(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    _reply(slack_server, item, ALICE, "any news?")  # the requester's own reply does not count
    _reply(slack_server, item, CHEN, "收到，今天查")
    slack.wait_for_calls("chat.update")
    slack_server.settle()  # the requester's reply may have been the update waited for
    after = slack_server.item(item.code)
    assert after.status is Status.ACKNOWLEDGED and after.first_response_by == CHEN
    replies = [u for u in _updates(slack_server, item) if u.kind == UpdateKind.REPLY.value]
    assert [r.text for r in replies] == ["any news?", "收到，今天查"]


def test_bots_and_unrelated_messages_are_ignored(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    _reply(slack_server, item, "UOTHERBOT", "automated note", bot_id="BOTHER")
    slack_server.event(message_event(LOGISTICS, CHEN, "top-level chatter"))
    slack_server.event(message_event(GENERAL, CHEN, "a thread elsewhere", thread_ts=new_ts()))
    # The bot's own reply in its thread (Bolt drops its own events).
    _reply(slack_server, item, "UBOT", "note from xdept", bot_id="BBOT")
    _reply(slack_server, item, CHEN, "real answer")
    slack.wait_for_calls("chat.update")
    texts = [u.text for u in _updates(slack_server, item) if u.kind == UpdateKind.REPLY.value]
    assert texts == ["real answer"]


def test_edits_and_deletions_are_kept_as_new_entries(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    ts = _reply(slack_server, item, CHEN, "pallets: 3")
    slack.wait_for_calls("chat.update")
    slack_server.event(
        message_changed_event(
            LOGISTICS,
            user=CHEN,
            message_ts=ts,
            text="pallets: 4",
            previous_text="pallets: 3",
            thread_ts=item.message_id,
        )
    )
    slack_server.settle()
    slack_server.event(
        message_deleted_event(
            LOGISTICS,
            deleted_ts=ts,
            user=CHEN,
            previous_text="pallets: 4",
            thread_ts=item.message_id,
        )
    )
    slack_server.settle()
    replies = [u for u in _updates(slack_server, item) if u.kind == "reply"]
    assert [r.text for r in replies] == ["pallets: 3", "pallets: 4", None]
    assert all(r.actor_id == CHEN for r in replies)


def test_a_retried_event_is_recorded_once(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    event = message_event(LOGISTICS, CHEN, "on it", ts=new_ts(), thread_ts=item.message_id)
    event_id = new_event_id()
    body = event_body(event, event_id=event_id)
    assert slack_server.post(body).status == 200
    assert slack_server.post(body, retry_num=1, retry_reason="http_timeout").status == 200
    assert slack_server.post(body, retry_num=2, retry_reason="http_timeout").status == 200
    slack.wait_for_calls("chat.update")
    slack.wait_for_messages(LOGISTICS, 2)
    replies = [u for u in _updates(slack_server, item) if u.kind == "reply"]
    assert len(replies) == 1
    assert len(slack.calls_to("chat.update")) == 1
    assert len(slack.messages(LOGISTICS)) == 2  # the tracking message and one note


def test_the_same_message_under_a_new_event_id_is_not_stored_twice(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    event = message_event(LOGISTICS, CHEN, "on it", ts=new_ts(), thread_ts=item.message_id)
    slack_server.event(event)
    slack.wait_for_calls("chat.update")
    slack_server.event(event)  # another event id, the same message ts
    slack_server.event(message_event(LOGISTICS, WANG, "later", thread_ts=item.message_id))
    slack_server.settle()
    assert [u.text for u in _updates(slack_server, item) if u.kind == "reply"] == ["on it", "later"]


def test_check_mark_by_the_lead_closes_the_item(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    slack_server.event(
        reaction_added_event(WANG, "white_check_mark", LOGISTICS, item.message_id or "")
    )
    slack.wait_for_calls("chat.update")
    assert slack_server.item(item.code).status is Status.DONE


@sqlite_only
def test_eyes_acknowledge_and_other_emoji_are_ignored(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    slack_server.event(reaction_added_event(CHEN, "tada", LOGISTICS, item.message_id or ""))
    slack_server.event(reaction_added_event(CHEN, "eyes", LOGISTICS, item.message_id or ""))
    slack.wait_for_calls("chat.update")
    after = slack_server.item(item.code)
    assert after.status is Status.ACKNOWLEDGED and after.owner_id == CHEN
    assert slack.ephemerals == []


@sqlite_only
def test_a_refused_reaction_is_explained_privately(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    slack_server.event(
        reaction_added_event(BOB, "heavy_check_mark", LOGISTICS, item.message_id or "")
    )
    told = slack.wait_for_ephemerals(BOB)[0]
    assert told.channel == LOGISTICS and "Only a lead" in told.all_text
    assert slack_server.item(item.code).status is Status.OPEN
    assert slack.calls_to("chat.update") == []


@sqlite_only
def test_an_outsiders_eyes_are_refused_privately_and_take_nothing(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    slack_server.event(
        reaction_added_event(BOB, "eyes::skin-tone-2", LOGISTICS, item.message_id or "")
    )
    told = slack.wait_for_ephemerals(BOB)[0]
    assert told.channel == LOGISTICS and "member of logistics" in told.all_text
    after = slack_server.item(item.code)
    assert after.status is Status.OPEN and after.owner_id is None
    assert after.first_response_at is None
    assert slack.calls_to("chat.update") == []


@sqlite_only
def test_a_member_of_the_bound_user_group_takes_it_with_eyes(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack.add_user("USUN", "sun")
    slack.add_usergroup(LOGISTICS_GROUP, "logistics-team", "Logistics team", [CHEN, "USUN"])
    item = _tracked(slack_server)
    slack_server.event(reaction_added_event("USUN", "eyes", LOGISTICS, item.message_id or ""))
    slack.wait_for_calls("chat.update")
    after = slack_server.item(item.code)
    assert after.status is Status.ACKNOWLEDGED and after.owner_id == "USUN"
    assert after.first_response_by == "USUN" and slack.ephemerals == []


@sqlite_only
def test_an_outsiders_thread_reply_is_kept_but_stops_no_clock(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    _reply(slack_server, item, BOB, "I had the same problem last week")
    slack_server.settle()
    after = slack_server.item(item.code)
    assert after.status is Status.OPEN and after.first_response_at is None
    assert slack.calls_to("chat.update") == []
    _reply(slack_server, item, CHEN, "收到，今天查")
    slack.wait_for_calls("chat.update")
    slack_server.settle()  # the requester's reply may have been the update waited for
    after = slack_server.item(item.code)
    assert after.status is Status.ACKNOWLEDGED and after.first_response_by == CHEN
    replies = [u for u in _updates(slack_server, item) if u.kind == UpdateKind.REPLY.value]
    assert [r.actor_id for r in replies] == [BOB, CHEN]


@sqlite_only
def test_home_tab_lists_my_items_my_departments_and_what_i_asked(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    slack_server.reply_to(f"todo <@{WANG}|wang> sign the returns form by Friday", user=ALICE)
    slack_server.event(app_home_opened_event(ALICE))
    slack.wait_for_views("views.publish")
    home = slack.home_view(ALICE)
    assert home is not None and home["type"] == "home"
    text = "\n".join(b.get("text", {}).get("text", "") for b in home["blocks"] if "text" in b)
    assert "What I asked" in text and item.code in text and "XD-2" in text
    slack_server.event(app_home_opened_event(WANG))
    slack.wait_for_views("views.publish", 2)
    wang = slack.home_view(WANG)
    assert wang is not None
    blocks = [b.get("text", {}).get("text", "") for b in wang["blocks"]]
    mine = blocks.index("我负责的事项")
    depts = blocks.index("待我部门处理")
    assert any("XD-2" in b for b in blocks[mine:depts])  # owned by Wang
    assert any(item.code in b for b in blocks[depts:])  # waits on logistics


@sqlite_only
def test_a_mention_gets_a_short_private_help(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.event(app_mention_event(GENERAL, BOB, "<@UBOT> what can you do?"))
    help_text = slack.wait_for_ephemerals(BOB)[0]
    assert "/xdept ask" in help_text.all_text and help_text.channel == GENERAL
    assert slack.messages(GENERAL) == []


@sqlite_only
def test_events_and_interactions_nobody_handles_still_get_200(slack_server: SlackServer) -> None:
    from tests.fakes.slack import block_actions_body, view_submission_body

    others = [
        {"type": "member_joined_channel", "user": CHEN, "channel": GENERAL, "event_ts": new_ts()},
        message_event(GENERAL, CHEN, "joined", subtype="channel_join"),
    ]
    for event in others:
        assert slack_server.post(event_body(event)).status == 200
    button = block_actions_body(action_id="old_button", value="x", user_id=CHEN)
    assert slack_server.post(button).status == 200
    view = view_submission_body("old_view", user_id=CHEN, values={})
    assert slack_server.post(view).status == 200
    slack_server.settle()
    assert slack_server.slack.calls_to("chat.postMessage") == []
