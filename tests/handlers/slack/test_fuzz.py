"""Fuzzing the front door: arbitrary bodies, headers and content types, signed and not.

Whatever arrives: never a 5xx, nothing stored, and the server still answers
its health check. Bodies are drawn from raw bytes, from JSON shaped with
Slack's own words (so Bolt and the listeners see payloads that almost make
sense), and from forms with a `payload=` of the same.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlencode, urlparse
from urllib.request import ProxyHandler, build_opener

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.models import InboxTask, Item, Update
from tests.fakes.slack import sign
from tests.handlers.slack.conftest import SECRET, SlackServer

KEYS = [
    "type", "event", "event_id", "team_id", "team", "user", "user_id", "channel", "channel_id",
    "ts", "thread_ts", "text", "item", "reaction", "actions", "action_id", "value", "trigger_id",
    "response_url", "view", "state", "values", "callback_id", "private_metadata", "message",
    "previous_message", "subtype", "command", "authorizations", "enterprise", "container",
    "message_ts", "bot_id", "tab", "challenge", "token", "is_ext_shared_channel", "id",
]  # fmt: skip
TYPES = [
    "event_callback", "block_actions", "view_submission", "message_action", "shortcut",
    "url_verification", "app_rate_limited", "message", "reaction_added", "app_home_opened",
    "app_mention", "message_changed", "message_deleted", "xdept_ack", "xdept_done",
    "xdept_decline", "xdept_track", "xdept_track_form", "xdept_decline_form", "/xdept",
]  # fmt: skip
CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(TYPES),
    st.text(alphabet="UCT0123456789.", min_size=1, max_size=12),
)
shaped_json = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    ),
    max_leaves=25,
)


def _form(data: Any) -> bytes:
    if isinstance(data, dict):
        return urlencode(
            {k: json.dumps(v) if not isinstance(v, str) else v for k, v in data.items()}
        ).encode()
    return urlencode({"payload": json.dumps(data)}).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    shaped_json.map(lambda d: json.dumps(d).encode()),
    shaped_json.map(lambda d: urlencode({"payload": json.dumps(d)}).encode()),
    shaped_json.map(_form),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
)
extra_headers = st.dictionaries(
    st.sampled_from(["X-Slack-Retry-Num", "X-Slack-Retry-Reason", "X-Forwarded-For", "Accept"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
    max_size=2,
)
signing = st.sampled_from(["signed", "unsigned", "wrong secret", "stale"])

_opener = build_opener(ProxyHandler({}))


def _rows(server: SlackServer) -> int:
    with server.app.store.unit_of_work() as uow:
        return sum(
            int(uow.session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (InboxTask, Item, Update)
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_request_breaks_the_front_door(slack_server: SlackServer) -> None:
    before = _rows(slack_server)
    seen: set[int] = set()

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        body=bodies, content_type=st.sampled_from(CONTENT_TYPES), how=signing, headers=extra_headers
    )
    def one(body: bytes, content_type: str, how: str, headers: dict[str, str]) -> None:
        status = _send(slack_server, body, content_type, how, headers)
        seen.add(status)
        assert status < 500, (status, body, content_type, how)
        if how != "signed":
            assert status == 401, (status, body, how)

    one()
    # The signed ones got past the signature: some were refused as unreadable, some
    # acknowledged (and ignored, or handled by Bolt itself).
    assert {200, 400, 401} <= seen, seen
    slack_server.settle()
    assert _rows(slack_server) == before, "junk was stored"
    with _opener.open(slack_server.url + "/healthz", timeout=10) as health:
        assert health.status == 200


def fuzz_headers(
    body: bytes, content_type: str, how: str, headers: dict[str, str]
) -> dict[str, str]:
    """The headers of a fuzzed request: its content type, and a signature as `how` says."""
    sent = dict(headers)
    if content_type:
        sent["Content-Type"] = content_type
    if how != "unsigned":
        stamp = int(time.time()) - (600 if how == "stale" else 0)
        sent.update(sign(SECRET if how != "wrong secret" else "nope", body, stamp))
    return sent


def _send(
    server: SlackServer, body: bytes, content_type: str, how: str, headers: dict[str, str]
) -> int:
    """POST with exactly the signature headers `how` asks for (none when unsigned)."""
    url = urlparse(server.events_url)
    all_headers = fuzz_headers(body, content_type, how, headers)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request("POST", url.path, body=body, headers=all_headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
