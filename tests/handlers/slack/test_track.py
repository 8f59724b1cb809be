"""The "Track as request" shortcut: a prefilled form, inline errors, then a filed request."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.slack.listeners.track import SHORTCUT
from handlers.slack.views import (
    BACKGROUND,
    DEPT,
    DUE,
    IMPACT,
    OWNER,
    SUGGESTION,
    TEXT,
    TRACK_FORM,
)
from tests.fakes.slack import (
    FakeSlack,
    ViewCall,
    message_shortcut_body,
    static_select_value,
    users_select_value,
    view_submission_body,
)
from tests.handlers.slack.conftest import ALICE, CHEN, LOGISTICS, SERVICE, SlackServer

COMPLAINT = "客户投诉：订单 12345 被线下拒收 <@UWANG> & 没有登记原因"


def _open_form(server: SlackServer, text: str = COMPLAINT) -> tuple[ViewCall, str]:
    slack = server.slack
    seeded = slack.add_message(SERVICE, text, user="UMEI")
    body = message_shortcut_body(
        SHORTCUT, user_id=ALICE, channel_id=SERVICE, message_ts=seeded.ts, text=text
    )
    assert server.post(body).status == 200
    return slack.wait_for_views("views.open")[0], slack.permalink(SERVICE, seeded.ts)


def _values(**fields: Any) -> dict[str, dict[str, Any]]:
    return {block: {"value": value} for block, value in fields.items()}


def _submit(server: SlackServer, form: ViewCall, values: dict[str, dict[str, Any]]) -> Any:
    body = view_submission_body(
        TRACK_FORM,
        user_id=ALICE,
        values=values,
        private_metadata=form.view["private_metadata"],
        view_id=form.view_id,
    )
    response = server.post(body)
    assert response.status == 200
    return response.json() if response.body.strip() else {}


def _initial(form: ViewCall, block_id: str) -> str | None:
    for block in form.view["blocks"]:
        if block.get("block_id") == block_id:
            return block["element"].get("initial_value")
    raise AssertionError(f"no {block_id} block")


def test_the_form_is_prefilled_with_the_message_and_its_link(slack_server: SlackServer) -> None:
    slack_server.add_logistics()
    form, link = _open_form(slack_server)
    assert form.callback_id == TRACK_FORM
    assert _initial(form, TEXT) == COMPLAINT  # Chinese and markup characters intact
    assert link in form.all_text
    assert "@logistics" in form.all_text  # the known departments are hinted


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({DEPT: "logistic", TEXT: COMPLAINT}, DEPT, "logistics"),
        ({DEPT: "logistics", TEXT: COMPLAINT, DUE: "whenever the moon is blue"}, DUE, "moon"),
        ({DEPT: "logistics", TEXT: COMPLAINT, DUE: "2020-01-01"}, DUE, "2020"),
        ({DEPT: "", TEXT: COMPLAINT}, DEPT, "@logistics"),
        ({DEPT: "logistics", TEXT: "  "}, TEXT, "Say what needs doing"),
    ],
    ids=["unknown department", "unreadable due", "past due", "no department", "no text"],
)
def test_inline_errors_and_nothing_filed(
    slack_server: SlackServer, values: dict[str, str], field: str, fragment: str
) -> None:
    slack_server.add_logistics()
    form, _ = _open_form(slack_server)
    answer = _submit(slack_server, form, _values(**values))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field]
    assert fragment in answer["errors"][field]
    assert slack_server.item_count() == 0


def test_a_valid_form_files_the_request_with_its_four_parts(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    form, link = _open_form(slack_server)
    values = _values(
        **{
            TEXT: COMPLAINT,
            DUE: "明天下午3点",
            BACKGROUND: "本周已有 12 单投诉",
            IMPACT: "客户流失",
            SUGGESTION: "系统内登记拒收原因",
        }
    )
    values[DEPT] = {"value": static_select_value("logistics")}  # a select reads the same
    values[OWNER] = {"value": users_select_value(CHEN)}
    answer = _submit(slack_server, form, values)
    assert "response_action" not in answer
    tracking = slack.wait_for_messages(LOGISTICS)[0]
    assert "12 单投诉" in tracking.all_text and "&lt;@UWANG&gt;" in tracking.all_text
    item = slack_server.item("XD-1")
    assert item.source_link == link and item.impact == "客户流失"
    assert item.due_at is not None
    slack_server.settle()
    assert slack_server.item("XD-1").owner_id == CHEN
    confirmation = slack.ephemerals_to(ALICE)[0]
    assert confirmation.channel == SERVICE and "XD-1" in confirmation.all_text


def test_confirmation_goes_by_dm_when_the_bot_is_not_in_the_channel(
    slack_server: SlackServer, slack: FakeSlack
) -> None:
    slack.add_channel("CSECRET", "secret", private=True, bot_is_member=False)
    slack_server.add_logistics()
    seeded = slack.add_message("CSECRET", "please track this", user="UMEI")
    body = message_shortcut_body(
        SHORTCUT, user_id=ALICE, channel_id="CSECRET", message_ts=seeded.ts, text=seeded.text
    )
    slack_server.post(body)
    form = slack.wait_for_views("views.open")[0]
    answer = _submit(slack_server, form, _values(**{DEPT: "物流", TEXT: "please track this"}))
    assert "response_action" not in answer
    reply = slack.wait_for_messages(slack.dm_channel(ALICE))[0]
    assert "XD-1" in reply.all_text


def test_impact_and_suggestion_typed_in_the_text_are_read_out_of_it(
    slack_server: SlackServer,
) -> None:
    slack_server.add_logistics()
    form, _ = _open_form(slack_server)
    text = "订单 12345 被线下拒收 周五前 影响：本周 12 单投诉 建议：系统内登记拒收原因"
    answer = _submit(slack_server, form, _values(**{DEPT: "logistics", TEXT: text}))
    assert "response_action" not in answer
    item = slack_server.item("XD-1")
    assert item.text == "订单 12345 被线下拒收 周五前"
    assert item.impact == "本周 12 单投诉" and item.suggestion == "系统内登记拒收原因"
    assert item.due_at is not None
