"""`/xdept` over real HTTP: every subcommand answers privately; the tracking message lands."""

from __future__ import annotations

import pytest

from bot.domain import Status
from tests.fakes.slack import new_trigger_id, slash_command_body
from tests.handlers.slack.conftest import (
    ALICE,
    BOB,
    CHEN,
    LOGISTICS,
    SERVICE,
    WANG,
    ZHAO,
    SlackServer,
)


def test_ask_posts_in_the_department_channel_and_links_the_requester(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    name = slack_server.command(
        "ask <!subteam^SLOG|@logistics-team> 请确认 3 托盘的退货 by Friday 5pm", user=ALICE
    )
    # Slack shows the command's answer only to the person: nothing visible was sent yet.
    reply = slack.wait_for_response_posts(name)[0]
    assert reply.response_type == "ephemeral"
    posted = slack.messages(LOGISTICS)
    assert len(posted) == 1
    tracking = posted[0]
    assert "请确认 3 托盘的退货" in tracking.all_text  # Chinese intact
    assert "<@UALICE>" in tracking.all_text
    link = slack.permalink(LOGISTICS, tracking.ts)
    assert link in reply.body["blocks"][-1]["text"]["text"]
    assert "XD-1" in reply.all_text and "Filed" in reply.all_text
    slack_server.settle()  # the answer can go out before its round's record commits
    item = slack_server.item("XD-1")
    assert item.message_id == tracking.ts and item.permalink == link
    assert item.due_at is not None
    # The requester's zone (Asia/Shanghai from users.info) read "Friday 5pm".
    assert item.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).hour == 17


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_answers_within_three_seconds_even_when_slack_is_slow(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    slack.set_latency(1.0, "chat.postMessage")
    name = slack_server.command("ask @logistics slow Slack, fast answer")
    assert slack_server.timings[-1] < 0.5
    assert "XD-1" in slack.wait_for_response_posts(name)[0].all_text


def _steps() -> list[tuple[str, str, str]]:
    """(who, command, a fragment of the private answer), in order, over one workspace."""
    return [
        (ALICE, "help", "/xdept ask"),
        (ALICE, "ask @logistics Count the pallets in 3号仓库 by Friday", "Filed XD-1"),
        (ALICE, "commit send the weekly numbers by tomorrow 5pm", "Filed XD-2"),
        (ALICE, f"todo <@{CHEN}|chen> check the returns shelf by Friday", "Filed XD-3"),
        (ALICE, "list", "XD-1"),
        (ALICE, "list asked", "XD-1"),
        (ALICE, "list dept logistics", "XD-1"),
        (ALICE, "list overdue", "Nothing to show"),
        (ALICE, "show XD-1", "Count the pallets"),
        (WANG, "ack XD-1", "XD-1 当前状态：已确认"),  # Wang reads Chinese (zh-CN)
        (ALICE, "due XD-1 next Tuesday", "XD-1 is now due"),
        (WANG, "snooze XD-1 1 day", "稍后提醒"),
        (ALICE, f"assign XD-1 <@{CHEN}|chen>", "now owned by"),
        (BOB, "cancel XD-1", "Only the person who filed XD-1"),
        (ALICE, "escalate XD-1", "escalated to"),
        (CHEN, "done XD-1", "XD-1 当前状态：已完成"),
        (ALICE, "reopen XD-1", "XD-1 is now open"),
        (WANG, "decline XD-1 no capacity this week", "已拒绝"),
        (ALICE, "cancel XD-2", "XD-2 is now cancelled"),
        (ALICE, "dept list", "logistics"),
        (ALICE, "dept show logistics", "escalate"),
        (ALICE, "dept set logistics standup:10:00", "10:00"),
        (
            ALICE,
            f"dept add finance <#{SERVICE}|customer-service> lead:<@{BOB}|bob> "
            f"escalate:<@{ZHAO}|zhao>",
            "added",
        ),
        (ALICE, "dept remove finance", "Department finance removed"),
        (BOB, "away next Monday", "You are away until"),
        (BOB, "back", "Welcome back"),
        (ALICE, "export", "Exported"),
        (ALICE, "frobnicate XD-1", "⚠️"),
    ]


def test_every_subcommand_answers_privately(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    for user, text, fragment in _steps():
        reply = slack_server.reply_to(text, user=user)
        assert fragment in reply, f"/xdept {text} by {user}: {reply}"
    item = slack_server.item("XD-1")
    assert item.status is Status.DECLINED and item.owner_id == CHEN
    # The tracking message was edited in place, never posted twice.
    tracking = slack.message(LOGISTICS, item.message_id or "")
    assert tracking is not None and tracking.edits
    assert len([m for m in slack.messages(LOGISTICS) if not m.is_reply]) == 1
    # Commitments and action items are tracked where they were typed.
    assert [m.thread_ts for m in slack.messages(SERVICE)].count(None) == 2
    # Escalation went to the contact, the export to the requester, both by DM.
    assert slack.messages(slack.dm_channel(ZHAO))
    slack.wait_until(lambda: any(u.completed for u in slack.uploads), what="the export")
    assert slack.uploads[0].channel_id == slack.dm_channel(ALICE)
    assert "XD-1" in slack.uploads[0].text


def test_unknown_department_lists_the_known_ones(slack_server: SlackServer) -> None:
    slack_server.add_logistics()
    reply = slack_server.reply_to("ask @logistic fix the labels")
    assert "logistics" in reply and "⚠️" in reply
    assert slack_server.item_count() == 0


def test_a_retried_or_repeated_command_files_once(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    trigger = new_trigger_id()
    body = slash_command_body(
        "ask @logistics only once please",
        user_id=ALICE,
        channel_id=SERVICE,
        response_url=slack.response_url("once"),
        trigger_id=trigger,
    )
    assert slack_server.post(body).status == 200
    assert slack_server.post(body, retry_num=1, retry_reason="http_timeout").status == 200
    assert slack_server.post(body).status == 200
    slack.wait_for_response_posts("once")
    assert slack_server.item_count() == 1
    assert len(slack.messages(LOGISTICS)) == 1
    assert len(slack.response_posts("once")) == 1


@pytest.mark.parametrize(
    "forge",
    ["unsigned", "blank headers", "garbage timestamp", "wrong secret", "stale", "tampered"],
)
def test_forged_or_stale_requests_get_401_and_change_nothing(
    slack_server: SlackServer, forge: str
) -> None:
    import time

    from tests.fakes.slack import sign, signed_post

    slack = slack_server.slack
    slack_server.add_logistics()
    body = slash_command_body(
        "ask @logistics forged", user_id=ALICE, response_url=slack.response_url("forged")
    )
    url = slack_server.events_url
    if forge == "unsigned":
        status = _post_unsigned(url, body)
    elif forge == "blank headers":
        blank = {"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""}
        status = signed_post(url, "", body, headers=blank).status
    elif forge == "garbage timestamp":
        status = signed_post(url, "", body, headers={"X-Slack-Request-Timestamp": "soon"}).status
    elif forge == "wrong secret":
        status = signed_post(url, "not-the-secret", body).status
    elif forge == "stale":
        status = signed_post(
            url, "test-signing-secret", body, timestamp=int(time.time()) - 6 * 60
        ).status
    else:
        headers = sign("test-signing-secret", body, int(time.time()))
        status = signed_post(url, "x", body.replace("forged", "tampered"), headers=headers).status
    assert status == 401
    assert slack_server.item_count() == 0
    assert slack.response_posts("forged") == []
    assert slack.calls_to("chat.postMessage") == []


def _post_unsigned(url: str, body: str) -> int:
    """POST without any Slack headers (as a stranger on the internet would)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request(
            "POST",
            parts.path,
            body=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return conn.getresponse().status
    finally:
        conn.close()
