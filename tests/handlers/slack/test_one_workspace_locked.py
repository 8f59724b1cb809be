"""One workspace (SLACK_BOT_TOKEN): its team comes from auth.test, and no other team is served.

A correctly signed request from another team is refused before a listener sees
it: over HTTP, over Socket Mode (Bolt's own dispatch, which the Socket Mode
handler calls), and in the inbox workers for a row stored for another team.
Nothing is stored and nothing is posted with this workspace's token.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_bolt import BoltRequest
from sqlalchemy import func, select

from handlers.slack.adapter import build_slack
from storage.inbox import request_row
from storage.models import InboxTask, Workspace
from tests.fakes.slack import FakeSlack, app_mention_event, event_body, slash_command_body
from tests.handlers.slack.conftest import ALICE, SERVICE, SlackServer

OTHER = "T2"


def _count(server: SlackServer, model: type) -> int:
    with server.app.store.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_another_team_is_refused_over_http(slack_server: SlackServer, slack: FakeSlack) -> None:
    # The server's own team works (and taught it which team it serves).
    assert "/xdept ask" in slack_server.reply_to("help")
    slack_server.settle()
    calls, inbox, spaces = len(slack.calls), _count(slack_server, InboxTask), 0
    spaces = _count(slack_server, Workspace)
    body = slash_command_body(
        "dept add logistics <#CLOG|logistics>", user_id=ALICE, channel_id=SERVICE, team_id=OTHER
    )
    answer = slack_server.post(body)
    assert answer.status == 200
    assert "serves another Slack workspace only" in json.loads(answer.body)["text"]
    mention = app_mention_event(SERVICE, ALICE, "<@UBOT> ask @logistics boxes", team_id=OTHER)
    assert slack_server.post(event_body(mention, team_id=OTHER)).status == 200
    slack_server.settle()
    assert len(slack.calls) == calls  # nothing posted, with any token
    assert _count(slack_server, InboxTask) == inbox
    assert _count(slack_server, Workspace) == spaces
    assert [c.method for c in slack.calls_to("auth.test")] == ["auth.test"]  # learnt once


def test_another_team_is_refused_over_socket_mode(
    slack_server: SlackServer, slack: FakeSlack
) -> None:
    adapter = build_slack(slack_server.settings, app=slack_server.app, http=False)
    body = slash_command_body("help", user_id=ALICE, channel_id=SERVICE, team_id=OTHER)
    calls, inbox = len(slack.calls), _count(slack_server, InboxTask)
    answer = adapter.bolt.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert answer.status == 200 and "another Slack workspace" in str(answer.body)
    assert _count(slack_server, InboxTask) == inbox
    assert [c.method for c in slack.calls[calls:]] == ["auth.test"]  # learning its own team
    ours = slash_command_body("help", user_id=ALICE, channel_id=SERVICE)
    mine = adapter.bolt.dispatch(BoltRequest(body=ours, mode="socket_mode"))
    assert mine.status == 200
    assert _count(slack_server, InboxTask) == inbox + 1


def test_inbox_rows_of_another_team_are_cancelled(
    slack_server: SlackServer, slack: FakeSlack
) -> None:
    assert "/xdept ask" in slack_server.reply_to("help")
    slack_server.settle()
    calls = len(slack.calls)
    store = slack_server.app.store
    with store.unit_of_work() as uow:
        row = uow.inbox.add(
            request_row(
                platform="slack",
                workspace=OTHER,
                key="command:stale-other-team",
                kind="slack.command",
                payload={},
                now=datetime.now(UTC),
            )
        )
    slack_server.workers.workers.wake()
    slack_server.settle()
    with store.unit_of_work() as uow:
        task = uow.inbox.get(int(row or 0))
        assert task is not None
        assert (task.state, task.last_error) == (
            "cancelled",
            "xdept is not installed in Slack workspace T2 (never installed)",
        )
    assert len(slack.calls) == calls
