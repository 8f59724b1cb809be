"""Slash commands take the short way from the front door to the inbox, around Bolt's dispatch.

Every command is stored and acknowledged; Bolt's routing costs more than the
store itself, so the endpoint hands a command's form straight to the command
listener's own intake. A command that opens a form (`status XD-n`, `minutes`)
still goes through Bolt, which gives it the team's client; the gate's refusals
and a store that fails answer the same either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.bootstrap import bootstrap
from handlers.slack.adapter import SlackAdapter, build_slack
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.wsgi import front_door
from storage.db import Store
from storage.migrate import upgrade
from storage.models import InboxTask
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack, new_trigger_id, signed_post, slash_command_body
from tests.handlers.slack.conftest import ALICE, SECRET, SERVICE, TOKEN, serve_wsgi


class Served:
    """The front door on a port, with a count of what reached Bolt's dispatch."""

    def __init__(self, adapter: SlackAdapter, url: str) -> None:
        self.adapter = adapter
        self.url = url + "/slack/events"
        self.dispatched: list[dict[str, Any]] = []

    def command(self, words: str, *, team: str = "T1") -> tuple[int, str]:
        body = slash_command_body(
            words,
            user_id=ALICE,
            channel_id=SERVICE,
            team_id=team,
            response_url="http://127.0.0.1:9/unused",
            trigger_id=new_trigger_id(),
        )
        answer = signed_post(self.url, SECRET, body)
        return answer.status, answer.body

    def kinds(self) -> list[str]:
        with self.adapter.app.store.unit_of_work() as uow:
            return list(uow.session.scalars(select(InboxTask.kind).order_by(InboxTask.id)))


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    store = Store.from_url(f"sqlite:///{tmp_path / 'lane.db'}")
    upgrade(store.engine)
    settings = make_settings(
        slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=slack.api_url
    )
    app = bootstrap(
        settings,
        messenger=SlackMessenger(make_client(settings)),
        store=store,
        migrate=False,
        sleep=lambda _seconds: None,
    )
    adapter = build_slack(settings, app=app, ring=lambda: None)
    url, server, thread = serve_wsgi(front_door(adapter))
    result = Served(adapter, url)
    dispatch = adapter.bolt.dispatch

    def counted(request: Any) -> Any:
        result.dispatched.append(request.body)
        return dispatch(request)

    monkeypatch.setattr(adapter.bolt, "dispatch", counted)
    try:
        yield result
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        store.dispose()


def test_a_command_is_stored_and_acknowledged_without_bolt(served: Served) -> None:
    for words in ("help", "ask @logistics count the pallets by Friday", "list", "完成XD-3", ""):
        status, _body = served.command(words)
        assert status == 200, words
    assert served.kinds() == ["slack.command"] * 5
    assert served.dispatched == []


def test_a_command_that_opens_a_form_goes_through_bolt(served: Served) -> None:
    status, _body = served.command("status XD-1")
    assert status == 200
    assert [body["text"] for body in served.dispatched] == ["status XD-1"]
    status, _body = served.command("纪要")
    assert status == 200 and len(served.dispatched) == 2


def test_another_team_is_refused_the_same_way(served: Served) -> None:
    status, body = served.command("help", team="TOTHER")
    assert status == 200
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral" and "workspace" in answer["text"]
    assert served.kinds() == [] and served.dispatched == []


def test_a_command_the_inbox_cannot_store_is_not_acknowledged(served: Served) -> None:
    with served.adapter.app.store.engine.begin() as connection:
        connection.execute(text("DROP TABLE inbox"))
    status, _body = served.command("help")
    assert status == 503  # Slack shows the person the command failed; nothing half-done
    assert served.dispatched == []
