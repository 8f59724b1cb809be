"""The payload builders and signing against slack_sdk's verifier and a real Bolt app
served over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from tests.fakes import slack as sp
from tests.fakes.slack import FakeSlack
from tests.fakes.slack.conftest import SECRET, TOKEN

# ---------------------------------------------------------------- signing


def test_sign_verifies_with_slack_sdk() -> None:
    """sign() produces what SignatureVerifier accepts, for str and bytes bodies."""
    body = sp.slash_command_body("ask @logistics 3 托盘", user_id="U1")
    now = int(time.time())
    headers = sp.sign(SECRET, body, now)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert verifier.is_valid_request(body.encode(), sp.sign(SECRET, body.encode(), now))
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert headers["X-Slack-Signature"] == verifier.generate_signature(
        timestamp=str(now), body=body
    )


# ---------------------------------------------------------------- payloads through Bolt


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


@pytest.fixture
def bolt(slack: FakeSlack) -> Iterator[tuple[str, App, dict[str, list[Any]]]]:
    """A Bolt app over HTTP (WSGI) using the fake; yields (url, app, what listeners saw)."""
    seen: dict[str, list[Any]] = {}
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=TOKEN, base_url=slack.api_url),
    )

    def keep(kind: str, value: Any) -> None:
        seen.setdefault(kind, []).append(value)

    @app.command("/xdept")
    def command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        keep("command", command)
        respond(text=f"got {command['text']}")

    @app.action("ack_button")
    def action(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        keep("action", (action, body))

    @app.shortcut("track_request")
    def shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
        ack()
        keep("shortcut", shortcut)

    @app.view("track_form")
    def view(ack: Any, view: dict[str, Any]) -> None:
        ack()
        keep("view", view)

    @app.event("message")
    def message(event: dict[str, Any], request: Any) -> None:
        # Bolt for Python passes Slack's retry headers through untouched.
        headers = request.headers
        keep(
            "message",
            (event, headers.get("x-slack-retry-num"), headers.get("x-slack-retry-reason")),
        )

    @app.event("reaction_added")
    def reaction(event: dict[str, Any]) -> None:
        keep("reaction", event)

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    handler = SlackRequestHandler(app)
    server = make_server("127.0.0.1", 0, handler, WSGIServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", app, seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _wait(seen: dict[str, list[Any]], kind: str) -> list[Any]:
    deadline = time.monotonic() + 5
    while kind not in seen and time.monotonic() < deadline:
        time.sleep(0.01)
    return seen[kind]


def test_slash_command_through_bolt(
    bolt: tuple[str, App, dict[str, list[Any]]], slack: FakeSlack
) -> None:
    """A signed slash command is acked, and respond() reaches the fake's response_url."""
    url, _, seen = bolt
    body = sp.slash_command_body(
        "ask @logistics 3 托盘 by 周五", user_id="U1", response_url=slack.response_url("ask")
    )
    assert parse_qs(body)["command"] == ["/xdept"]
    assert sp.signed_post(url, SECRET, body).status == 200
    (post,) = slack.wait_for_response_posts("ask")
    assert post.text == "got ask @logistics 3 托盘 by 周五"
    assert _wait(seen, "command")[0]["user_id"] == "U1"


def test_bad_signature_is_refused(bolt: tuple[str, App, dict[str, list[Any]]]) -> None:
    """Bolt refuses a wrong secret and a stale timestamp."""
    url, _, _ = bolt
    body = sp.slash_command_body("help", user_id="U1")
    assert sp.signed_post(url, "wrong", body).status == 401
    stale = int(time.time()) - 600
    assert sp.signed_post(url, SECRET, body, timestamp=stale).status == 401


def test_interactivity_through_bolt(
    bolt: tuple[str, App, dict[str, list[Any]]], slack: FakeSlack
) -> None:
    """Block actions, a message shortcut and a view submission reach their listeners."""
    url, _, seen = bolt
    body = sp.block_actions_body(
        action_id="ack_button", value="XD-1", user_id="U2", channel_id="C2", message_ts="1.000100"
    )
    assert sp.signed_post(url, SECRET, body).status == 200
    action, payload = _wait(seen, "action")[0]
    assert (action["value"], payload["channel"]["id"], payload["container"]["message_ts"]) == (
        "XD-1",
        "C2",
        "1.000100",
    )

    body = sp.message_shortcut_body(
        "track_request", user_id="U1", channel_id="C2", message_ts="1.000200", text="物流 3 托盘"
    )
    assert sp.signed_post(url, SECRET, body).status == 200
    assert _wait(seen, "shortcut")[0]["message"]["text"] == "物流 3 托盘"

    body = sp.view_submission_body(
        "track_form",
        user_id="U1",
        values={
            "text": {"value": "3 托盘"},
            "due": {"value": sp.datepicker_value("2026-12-01")},
            "owner": {"value": sp.users_select_value("U2")},
        },
        private_metadata='{"channel": "C2"}',
    )
    response = sp.signed_post(url, SECRET, body)
    assert (response.status, response.body) == (200, "")
    values = _wait(seen, "view")[0]["state"]["values"]
    assert values["text"]["value"]["value"] == "3 托盘"
    assert values["due"]["value"]["selected_date"] == "2026-12-01"


def test_events_through_bolt(bolt: tuple[str, App, dict[str, list[Any]]], slack: FakeSlack) -> None:
    """url_verification, a threaded message (with retry headers), a reaction, Home opened."""
    url, _, seen = bolt
    response = sp.signed_post(url, SECRET, sp.url_verification_body("c-123"))
    assert response.status == 200 and response.json()["challenge"] == "c-123"

    event = sp.message_event("C2", "U2", "on it", thread_ts="1.000100", parent_user_id="UBOT")
    body = sp.event_body(event, event_id="Ev1")
    assert json.loads(body)["event_id"] == "Ev1"
    assert sp.signed_post(url, SECRET, body, retry_num=1, retry_reason="http_timeout").status == 200
    got, retry_num, retry_reason = _wait(seen, "message")[0]
    assert (got["thread_ts"], retry_num, retry_reason) == ("1.000100", ["1"], ["http_timeout"])

    reaction = sp.reaction_added_event("U2", "white_check_mark", "C2", "1.000100")
    assert sp.signed_post(url, SECRET, sp.event_body(reaction)).status == 200
    assert _wait(seen, "reaction")[0]["item"]["ts"] == "1.000100"

    assert sp.signed_post(url, SECRET, sp.event_body(sp.app_home_opened_event("U1"))).status == 200
    (published,) = slack.wait_for_views("views.publish")
    assert published.user_id == "U1"


def test_event_builders_shapes() -> None:
    """The less common builders give Slack's subtypes and fields."""
    changed = sp.message_changed_event(
        "C2", user="U1", message_ts="1.0001", text="new", previous_text="old"
    )
    assert (
        changed["subtype"],
        changed["message"]["text"],
        changed["previous_message"]["text"],
    ) == (
        "message_changed",
        "new",
        "old",
    )
    deleted = sp.message_deleted_event("C2", deleted_ts="1.0001", user="U1", previous_text="x")
    assert (deleted["subtype"], deleted["deleted_ts"]) == ("message_deleted", "1.0001")
    bot = sp.message_event("C2", "UBOT", "posted", bot_id="BBOT")
    assert bot["bot_id"] == "BBOT" and "client_msg_id" not in bot
    assert sp.message_event("DUBOT", "U1", "hi")["channel_type"] == "im"
    mention = sp.app_mention_event("C2", "U1", "<@UBOT> help")
    assert mention["type"] == "app_mention" and mention["event_ts"] == mention["ts"]
    assert float(sp.new_ts()) < float(sp.new_ts())
