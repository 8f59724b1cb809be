"""Buttons on the tracking message and in the escalation DM, with the permissions of SPEC.md."""

from __future__ import annotations

import json

from bot.domain import Status
from bot.messages import ButtonAction
from bot.views import ItemView
from handlers.slack.views import DECLINE_FORM, REASON
from tests.fakes.slack import view_submission_body
from tests.handlers.slack.conftest import ALICE, BOB, CHEN, LOGISTICS, WANG, ZHAO, SlackServer


def _tracked(server: SlackServer) -> ItemView:
    server.add_logistics()
    return server.file_request("Relabel the 40 cartons by Friday 5pm")


def _click(server: SlackServer, action: ButtonAction, item: ItemView, user: str) -> str:
    slack = server.slack
    message = slack.message(LOGISTICS, item.message_id or "")
    assert message is not None
    return server.click(
        action.value,
        item.code,
        user=user,
        message_ts=item.message_id,
        message=message.to_api(slack.team_id, slack.app_id),
    )


def _buttons(server: SlackServer, item: ItemView) -> list[str]:
    message = server.slack.message(LOGISTICS, item.message_id or "")
    assert message is not None and message.blocks is not None
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def test_acknowledge_edits_the_tracking_message_in_place(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    assert ButtonAction.ACK.value in _buttons(slack_server, item)
    name = _click(slack_server, ButtonAction.ACK, item, CHEN)
    slack.wait_for_calls("chat.update")
    slack.wait_for_messages(LOGISTICS, 2)  # the note in the thread follows the edit
    after = slack_server.item(item.code)
    assert after.status is Status.ACKNOWLEDGED and after.owner_id == CHEN
    assert after.first_response_by == CHEN
    assert ButtonAction.ACK.value not in _buttons(slack_server, item)
    note = slack.thread(LOGISTICS, item.message_id or "")[0]
    assert "<@UALICE>" in note.all_text  # the requester is told in the thread
    assert slack.response_posts(name) == []  # the edited message says it all


def test_refusals_are_told_privately_and_change_nothing(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    own = slack.wait_for_response_posts(_click(slack_server, ButtonAction.ACK, item, ALICE))[0]
    assert own.response_type == "ephemeral" and not own.replace_original
    assert "can't acknowledge it yourself" in own.all_text
    done = slack.wait_for_response_posts(_click(slack_server, ButtonAction.DONE, item, BOB))[0]
    assert "Only a lead of the target department" in done.all_text
    snooze = slack.wait_for_response_posts(_click(slack_server, ButtonAction.SNOOZE, item, BOB))
    assert "snooze" in snooze[0].all_text
    assert slack_server.item(item.code).status is Status.OPEN
    assert slack.calls_to("chat.update") == []


def test_done_by_the_lead_and_snooze_by_a_member(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    snoozed = slack.wait_for_response_posts(_click(slack_server, ButtonAction.SNOOZE, item, CHEN))[
        0
    ]
    assert "稍后提醒" in snoozed.all_text  # Chen reads Chinese
    assert slack_server.item(item.code).snoozed_until is not None
    _click(slack_server, ButtonAction.DONE, item, WANG)
    slack_server.settle()
    assert slack_server.item(item.code).status is Status.DONE
    assert len(slack.calls_to("chat.update")) == 2
    assert _buttons(slack_server, item) == []  # a closed item has no buttons


def test_decline_asks_why_then_declines(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    # Chen is a member, neither owner nor lead: refused before typing a reason.
    refused = slack.wait_for_response_posts(_click(slack_server, ButtonAction.DECLINE, item, CHEN))[
        0
    ]
    assert "XD-1" in refused.all_text and slack.views == []
    _click(slack_server, ButtonAction.DECLINE, item, WANG)
    form = slack.wait_for_views("views.open")[0]
    assert form.callback_id == DECLINE_FORM
    metadata = form.view["private_metadata"]
    empty = view_submission_body(
        DECLINE_FORM, user_id=WANG, values={REASON: {"value": ""}}, private_metadata=metadata
    )
    answer = slack_server.post(empty).json()
    assert answer["response_action"] == "errors" and REASON in answer["errors"]
    assert slack_server.item(item.code).status is Status.OPEN
    body = view_submission_body(
        DECLINE_FORM,
        user_id=WANG,
        values={REASON: {"value": "本周没有人手 <!channel>"}},
        private_metadata=metadata,
    )
    response = slack_server.post(body)
    assert response.status == 200 and response.body in ("", "{}")
    slack.wait_for_calls("chat.update")
    after = slack_server.item(item.code)
    assert after.status is Status.DECLINED and after.close_reason == "本周没有人手 <!channel>"
    tracking = slack.message(LOGISTICS, item.message_id or "")
    assert tracking is not None
    assert "&lt;!channel&gt;" in tracking.all_text and "<!channel>" not in tracking.all_text


def test_decline_submission_rechecks_permission(slack_server: SlackServer) -> None:
    item = _tracked(slack_server)
    metadata = json.dumps({"code": item.code, "c": LOGISTICS})
    forged = view_submission_body(
        DECLINE_FORM, user_id=BOB, values={REASON: {"value": "no"}}, private_metadata=metadata
    )
    answer = slack_server.post(forged).json()
    assert answer["response_action"] == "errors"
    assert "Only a lead" in answer["errors"][REASON]
    assert slack_server.item(item.code).status is Status.OPEN


def test_escalate_from_the_direct_message(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    item = _tracked(slack_server)
    dm = slack.dm_channel(ALICE)
    bob = slack.wait_for_response_posts(
        slack_server.click(ButtonAction.ESCALATE.value, item.code, user=BOB, channel=dm)
    )[0]
    assert "Only the person who filed" in bob.all_text
    name = slack_server.click(ButtonAction.ESCALATE.value, item.code, user=ALICE, channel=dm)
    reply = slack.wait_for_response_posts(name)[0]
    assert "escalated to" in reply.all_text and f"<@{ZHAO}>" in reply.all_text
    letter = slack.wait_for_messages(slack.dm_channel(ZHAO))[0]
    assert "Relabel the 40 cartons" in letter.all_text
    again = slack_server.click(ButtonAction.ESCALATE.value, item.code, user=ALICE, channel=dm)
    assert "already been escalated" in slack.wait_for_response_posts(again)[0].all_text
    assert len(slack.messages(slack.dm_channel(ZHAO))) == 1


def test_a_double_delivered_click_counts_once(slack_server: SlackServer) -> None:
    from tests.fakes.slack import block_actions_body

    slack = slack_server.slack
    item = _tracked(slack_server)
    body = block_actions_body(
        action_id=ButtonAction.SNOOZE.value,
        value=item.code,
        user_id=CHEN,
        channel_id=LOGISTICS,
        message_ts=item.message_id,
        response_url=slack.response_url("twice"),
    )
    assert slack_server.post(body).status == 200
    assert slack_server.post(body).status == 200
    slack.wait_for_response_posts("twice")
    snoozes = [
        u for u in slack_server.item(item.code, as_user=ALICE).updates if u.kind == "snoozed"
    ]
    assert len(snoozes) == 1
    assert len(slack.response_posts("twice")) == 1
