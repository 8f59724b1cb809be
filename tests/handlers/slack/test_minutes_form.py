"""Meeting minutes over the fake Slack: paste, preview with fixes, file all, one summary."""

from __future__ import annotations

from typing import Any

from handlers.slack.listeners.minutes import SHORTCUT
from handlers.slack.minutes_view import NOTES, PASTE_FORM, PREVIEW_FORM
from tests.fakes.slack import message_shortcut_body, view_submission_body
from tests.handlers.slack.conftest import ALICE, CHEN, LOGISTICS, SERVICE, SlackServer

NOTES_TEXT = (
    "周会纪要\n"
    f"1. <@{CHEN}|chen> 周三前整理客户投诉清单\n"
    "2. @logistics relabel the blue pallets by Friday\n"
    "3. @logistics 跟进退货 尽快"
)


def _submit(server: SlackServer, callback: str, view: dict[str, Any], values: Any) -> Any:
    body = view_submission_body(
        callback, user_id=ALICE, values=values, private_metadata=view["private_metadata"]
    )
    response = server.post(body)
    assert response.status == 200
    return response.json() if response.body.strip() else {}


def _labels(view: dict[str, Any]) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"]]


def test_paste_preview_fix_and_file(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    slack_server.command("minutes", channel=SERVICE)
    form = slack.wait_for_views("views.open")[0]
    assert form.callback_id == PASTE_FORM
    assert form.view["blocks"][0]["element"]["max_length"] == 3000
    preview = _submit(slack_server, PASTE_FORM, form.view, {NOTES: {"value": NOTES_TEXT}})
    assert preview["response_action"] == "update"
    view = preview["view"]
    assert view["callback_id"] == PREVIEW_FORM
    labels = _labels(view)
    assert len(labels) == 4  # every line shown, the unreadable ones too
    assert labels[0].startswith("✗ line 1") and "names no @person" in labels[0]
    assert labels[1].startswith("✓ line 2") and labels[3].startswith("✗ line 4")
    firsts = [b["element"]["initial_value"] for b in view["blocks"]]
    assert firsts[1] == "1. @chen 周三前整理客户投诉清单"  # a person reads the mention
    # Fix line 4 (a date), drop line 1 (empty it), keep the rest.
    values = {
        "line_1": {"value": ""},
        "line_2": {"value": firsts[1]},
        "line_3": {"value": firsts[2]},
        "line_4": {"value": "3. @logistics 跟进退货 下周一"},
    }
    assert _submit(slack_server, PREVIEW_FORM, view, values) == {}
    slack_server.settle()
    todo = slack_server.item("XD-1")
    assert todo.owner_id == CHEN and todo.text == "周三前整理客户投诉清单"
    assert slack_server.item("XD-2").department_key == "logistics"
    assert slack_server.item("XD-3").due_at is not None
    summaries = [
        m for m in slack.messages(SERVICE) if "Action items from the meeting" in m.all_text
    ]
    assert len(summaries) == 1 and "XD-1" in summaries[0].all_text
    assert "XD-3" in summaries[0].all_text and "<@UCHEN>" in summaries[0].all_text
    assert len(slack.messages(LOGISTICS)) == 2  # the requests' tracking messages


def test_the_shortcut_previews_a_message_and_a_bad_line_stays_unfiled(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    seeded = slack.add_message(SERVICE, NOTES_TEXT, user="UMEI")
    body = message_shortcut_body(
        SHORTCUT, user_id=ALICE, channel_id=SERVICE, message_ts=seeded.ts, text=NOTES_TEXT
    )
    assert slack_server.post(body).status == 200
    view = slack.wait_for_views("views.open")[0].view
    assert view["callback_id"] == PREVIEW_FORM
    values = {f"line_{n}": {"value": b["element"]["initial_value"]}
              for n, b in enumerate(view["blocks"], start=1)}  # fmt: skip
    assert _submit(slack_server, PREVIEW_FORM, view, values) == {}
    slack_server.settle()
    assert slack_server.item_count() == 2  # the two readable lines; the rest are listed back


def test_minutes_confirm_typed_files_without_a_form(slack_server: SlackServer) -> None:
    slack_server.add_logistics()
    reply = slack_server.reply_to(
        "minutes confirm @logistics relabel the pallets by Friday", channel=SERVICE
    )
    assert "Filed 1 item from the notes" in reply and slack_server.slack.views == []


def test_notes_glued_to_the_chinese_command_open_the_preview(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    slack_server.command(f"纪要<@{CHEN}|chen> 周三前整理客户投诉清单", channel=SERVICE)
    view = slack.wait_for_views("views.open")[0].view
    assert view["callback_id"] == PREVIEW_FORM
    assert view["blocks"][0]["element"]["initial_value"] == "@chen 周三前整理客户投诉清单"
    assert view["blocks"][0]["label"]["text"].startswith("✓")
