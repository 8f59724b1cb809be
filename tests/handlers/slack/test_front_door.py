"""The front door as an attacker and a careless client meet it: 401, 413, 400, ignored, 200.

A forged request gets 401 whatever its body; a body over 1 MiB gets 413 without
being read; a signed body that cannot be read gets 400; a signed event that lacks
what a listener needs is acknowledged, logged once, and leaves no row behind.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from sqlalchemy import func, select

from storage.models import InboxTask, Item, OutboxMessage, Update
from tests.fakes.slack import (
    block_actions_body,
    event_body,
    message_event,
    new_ts,
    reaction_added_event,
    sign,
    signed_post,
    slash_command_body,
)
from tests.handlers.slack.conftest import ALICE, CHEN, LOGISTICS, SECRET, SlackServer

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
MIB = 1024 * 1024


def _counts(server: SlackServer) -> dict[str, int]:
    with server.app.store.unit_of_work() as uow:
        return {
            model.__tablename__: int(
                uow.session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (InboxTask, Item, Update, OutboxMessage)
        }


def _raw(server: SlackServer, head: bytes, body: bytes = b"", *, shut: bool = False) -> int:
    """Send bytes as they are; the status line's code."""
    url = urlparse(server.url)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), 10) as conn:
        conn.sendall(head + body)
        if shut:
            conn.shutdown(socket.SHUT_WR)
        answer = conn.recv(4096)
    return int(answer.split(b" ", 2)[1])


@sqlite_only
@pytest.mark.parametrize(
    "headers",
    [
        {},  # unsigned
        {"X-Slack-Request-Timestamp": "now", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=é"},
    ],
)
def test_a_forged_request_gets_401_whatever_its_body(
    slack_server: SlackServer, headers: dict[str, str]
) -> None:
    for body in (
        b"{not json",
        b"payload=%7B%22type",
        slash_command_body("help", user_id=ALICE).encode(),
    ):
        status = _post_unsigned(slack_server, body, headers)
        assert status == 401
    # Signed with the wrong secret, or too long ago to be a fresh request.
    assert signed_post(slack_server.events_url, "wrong", "{oops").status == 401
    stale = int(time.time()) - 600
    assert signed_post(slack_server.events_url, SECRET, "{}", timestamp=stale).status == 401
    assert _counts(slack_server)["inbox"] == 0


def _post_unsigned(server: SlackServer, body: bytes, headers: dict[str, str]) -> int:
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return _raw(server, ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"), body)


@sqlite_only
def test_a_body_over_one_mib_gets_413_unread(slack_server: SlackServer) -> None:
    # Only the headers go out: the answer comes without the body ever being sent.
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {10 * MIB}\r\n\r\n"
    ).encode()
    assert _raw(slack_server, head) == 413
    bad_length = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"
    assert _raw(slack_server, bad_length) == 400
    # A signed command whose text alone passes the limit is refused the same way.
    big = slash_command_body("ask @logistics " + "x" * MIB, user_id=ALICE).encode()
    assert _raw(slack_server, _signed_head(big)) == 413
    assert _counts(slack_server)["inbox"] == 0


def _signed_head(body: bytes, *, length: int | None = None) -> bytes:
    """The headers of a signed form POST of `body` (claiming `length` bytes)."""
    ts = int(time.time())
    signature = sign(SECRET, body, ts)["X-Slack-Signature"]
    return (
        "POST /slack/events HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {signature}\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\n\r\n"
    ).encode()


@sqlite_only
def test_a_body_that_ends_early_gets_400(slack_server: SlackServer) -> None:
    body = slash_command_body("help", user_id=ALICE).encode()
    head = _signed_head(body, length=len(body) + 100)
    assert _raw(slack_server, head, body, shut=True) == 400


@sqlite_only
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe not utf-8", "application/json"),
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"payload=not-json", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
        (b'"a string"', "application/json"),
    ],
)
def test_a_signed_body_that_cannot_be_read_gets_400(
    slack_server: SlackServer, body: bytes, content_type: str
) -> None:
    response = signed_post(slack_server.events_url, SECRET, body, content_type)
    assert response.status == 400
    assert _counts(slack_server)["inbox"] == 0


def _reply_event(ts: str | None, text: Any) -> dict[str, Any]:
    event = message_event(LOGISTICS, CHEN, "x", thread_ts="1700000000.000100")
    if ts is None:
        del event["ts"]
    event["text"] = text
    return event


def _junk_events() -> list[tuple[str, str]]:
    reaction = reaction_added_event(CHEN, "white_check_mark", LOGISTICS, new_ts())
    string_item = {**reaction, "item": "a string"}
    no_channel = {**reaction, "item": {"type": "message", "ts": new_ts()}}
    envelope = json.loads(event_body(reaction))
    return [
        ("a thread reply without ts", event_body(_reply_event(None, "hello"))),
        ("a reply whose text is an object", event_body(_reply_event(new_ts(), {"a": 1}))),
        ("a reply whose text is a list", event_body(_reply_event(new_ts(), ["a"]))),
        ("event: null", json.dumps({**envelope, "event": None})),
        ("event: a string", json.dumps({**envelope, "event": "reaction_added"})),
        ("a reaction whose item is a string", event_body(string_item)),
        ("a reaction on no channel", event_body(no_channel)),
        ("an event without an id", json.dumps({**envelope, "event_id": None})),
        ("a user that is an object", event_body({**reaction, "user": {"name": "x"}})),
        ("a command without trigger_id", _command_without_trigger()),
        (
            "a click whose value is a number",
            _click_with(actions=[{"action_id": "xdept_ack", "value": 1}]),
        ),
        ("a click without a user", _click_with(user=None)),
    ]


def _click_with(**changes: Any) -> str:
    form = block_actions_body(action_id="xdept_ack", value="XD-1", user_id=CHEN)
    payload = json.loads(parse_qs(form)["payload"][0])
    return urlencode({"payload": json.dumps({**payload, **changes})})


def _command_without_trigger() -> str:
    form = parse_qs(slash_command_body("help", user_id=ALICE))
    del form["trigger_id"]
    return urlencode({k: v[0] for k, v in form.items()})


@sqlite_only
def test_signed_requests_lacking_what_a_listener_needs_are_ignored_once_logged(
    slack_server: SlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    slack_server.add_logistics()
    item = slack_server.file_request()
    before = _counts(slack_server)
    for what, body in _junk_events():
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="handlers"):
            response = signed_post(slack_server.events_url, SECRET, body)
        assert response.status == 200, (what, response)
        lines = [r for r in caplog.records if r.name.startswith("handlers")]
        assert len(lines) == 1, (what, [r.getMessage() for r in lines])
        assert lines[0].levelno == logging.INFO and not lines[0].exc_info
    slack_server.settle()
    assert _counts(slack_server) == before, "junk left a row behind"
    assert slack_server.item(item.code).status.value == "open"
    assert slack_server.slack.ephemerals == []


@sqlite_only
def test_shapes_bolt_cannot_read_get_400(slack_server: SlackServer) -> None:
    reaction = reaction_added_event(CHEN, "white_check_mark", LOGISTICS, new_ts())
    envelope = json.loads(event_body(reaction))
    for body in (
        event_body({**reaction, "user": 42}),
        json.dumps({**envelope, "team": 7, "team_id": None}),
        json.dumps({**envelope, "authorizations": 3}),
        _click_with(actions="xdept_ack"),
        _click_with(actions=[{"value": "XD-1"}]),
    ):
        assert signed_post(slack_server.events_url, SECRET, body).status == 400
    assert _counts(slack_server)["inbox"] == 0


@sqlite_only
def test_requests_nobody_handles_are_acknowledged(slack_server: SlackServer) -> None:
    for body in (
        json.dumps({"type": "something_new", "token": "t"}),
        "payload=" + json.dumps({"type": "block_suggestion", "action_id": "x", "value": "a"}),
        "payload=" + json.dumps({"type": "view_closed", "view": {"id": "V1"}}),
        json.dumps({"type": "app_rate_limited", "team_id": "T1", "minute_rate_limited": 1}),
        urlencode({"ssl_check": "1", "token": "t"}),
    ):
        response = signed_post(slack_server.events_url, SECRET, body)
        assert response.status == 200, (body, response)
    assert _counts(slack_server)["inbox"] == 0


@sqlite_only
def test_a_request_is_stored_before_it_is_acknowledged(slack_server: SlackServer) -> None:
    slack_server.workers.stop()  # nobody works the inbox: what was acknowledged waits in it
    name = slack_server.command("help", user=ALICE)
    slack_server.command("help", user=ALICE, name="again", trigger_id="1234.5678.fixed")
    slack_server.command("help", user=ALICE, name="again", trigger_id="1234.5678.fixed")
    with slack_server.app.store.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(InboxTask).order_by(InboxTask.id)))
    assert [(r.kind, r.state) for r in rows] == [("slack.command", "pending")] * 2
    assert rows[1].key == "command:1234.5678.fixed"
    assert rows[0].payload["response_url"].endswith(name)
