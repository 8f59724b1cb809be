"""Tests of the Slack fakes: a real WebClient against FakeSlack, and the payload
builders against a real Bolt app served over HTTP."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.fakes import slack_payloads as sp
from tests.fakes.fake_slack import FakeSlack

SECRET = "test-signing-secret"
TOKEN = "xoxb-test"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake workspace: alice (Shanghai, admin), bob, #logistics, @logistics."""
    with FakeSlack() as fake:
        fake.add_user("U1", "alice", tz="Asia/Shanghai", locale="zh-CN", is_admin=True)
        fake.add_user("U2", "bob", tz="America/New_York")
        fake.add_channel("C1", "general")
        fake.add_channel("C2", "logistics", members=["U1", "U2"])
        fake.add_usergroup("S1", "logistics", "物流部", users=["U2"])
        yield fake
        assert fake.errors == []


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    """A WebClient pointed at the fake."""
    return WebClient(token=TOKEN, base_url=slack.api_url)


def _error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


# ---------------------------------------------------------------- Web API methods


def test_auth_test_describes_the_bot(client: WebClient, slack: FakeSlack) -> None:
    """auth.test names the bot user, bot id and team, and the token is recorded."""
    response = client.auth_test()
    assert (response["user_id"], response["bot_id"], response["team_id"]) == ("UBOT", "BBOT", "T1")
    assert slack.calls_to("auth.test")[0].token == TOKEN
    assert slack.calls_to("auth.test")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_post_message_records_in_order_with_unique_ts(client: WebClient, slack: FakeSlack) -> None:
    """Posts echo the message, get increasing ts, and keep text, blocks and thread."""
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*XD-1* 3 托盘"}}]
    first = client.chat_postMessage(channel="C2", text="XD-1 3 托盘", blocks=blocks)
    reply = client.chat_postMessage(channel="C2", text="reply", thread_ts=first["ts"])
    assert first["channel"] == "C2"
    assert first["message"]["blocks"] == blocks
    assert reply["message"]["thread_ts"] == first["ts"]
    assert float(reply["ts"]) > float(first["ts"])
    posted = slack.messages("C2")
    assert [m.text for m in posted] == ["XD-1 3 托盘", "reply"]
    assert posted[0].blocks == blocks and "*XD-1* 3 托盘" in posted[0].all_text
    assert posted[1].thread_ts == first["ts"] and posted[1].is_reply
    assert slack.thread("C2", first["ts"]) == [posted[1]]


def test_post_to_a_user_id_goes_to_the_dm(client: WebClient, slack: FakeSlack) -> None:
    """Posting to U… lands in the bot's DM with that person (as conversations.open gives)."""
    response = client.chat_postMessage(channel="U1", text="hello")
    opened = client.conversations_open(users=["U1"])
    assert response["channel"].startswith("D")
    assert opened["channel"]["id"] == response["channel"] == slack.dm_channel("U1")
    assert client.conversations_open(users="U1")["channel"]["id"] == response["channel"]
    assert slack.messages(response["channel"])[0].text == "hello"
    # The DM id from app_home_opened works before conversations.open is called.
    client.chat_postMessage(channel=sp.app_home_opened_event("U2")["channel"], text="home")
    assert slack.messages(slack.dm_channel("U2"))[0].text == "home"


def test_post_errors_like_slack(client: WebClient, slack: FakeSlack) -> None:
    """Unknown, archived, not-joined and private channels, and empty or huge messages."""
    slack.add_channel("C3", "finance", bot_is_member=False)
    slack.add_channel("G1", "secret", private=True, bot_is_member=False)
    slack.add_channel("C4", "old")
    slack.archive_channel("C4")
    cases = {
        "C404": "channel_not_found",
        "C3": "not_in_channel",
        "G1": "channel_not_found",
        "C4": "is_archived",
    }
    for channel, error in cases.items():
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel=channel, text="x")
        assert _error(excinfo) == error
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert _error(excinfo) == "no_text"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert _error(excinfo) == "msg_too_long"
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x", blocks=long_section)
    assert _error(excinfo) == "invalid_blocks"
    assert "3001" in excinfo.value.response["response_metadata"]["messages"][0]
    assert slack.messages() == []


def test_join_public_but_not_private(client: WebClient, slack: FakeSlack) -> None:
    """conversations.join adds the bot to a public channel only."""
    slack.add_channel("C3", "finance", bot_is_member=False)
    slack.add_channel("G1", "secret", private=True, bot_is_member=False)
    assert client.conversations_join(channel="C3")["channel"]["id"] == "C3"
    client.chat_postMessage(channel="C3", text="now I can post")
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_join(channel="G1")
    assert _error(excinfo) == "method_not_supported_for_channel_type"


def test_update_and_delete(client: WebClient, slack: FakeSlack) -> None:
    """chat.update edits in place (keeping what it leaves out); chat.delete hides it."""
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "open"}}]
    ts = client.chat_postMessage(channel="C2", text="open", blocks=blocks)["ts"]
    response = client.chat_update(channel="C2", ts=ts, text="done")
    assert response["ts"] == ts and response["message"]["text"] == "done"
    message = slack.message("C2", ts)
    assert message is not None
    assert (message.text, message.blocks, len(message.edits)) == ("done", blocks, 1)
    assert message.edits[0]["text"] == "open"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C2", ts="1.000000", text="x")
    assert _error(excinfo) == "message_not_found"
    seeded = slack.add_message("C2", "written by bob", user="U2")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C2", ts=seeded.ts, text="x")
    assert _error(excinfo) == "cant_update_message"
    client.chat_delete(channel="C2", ts=ts)
    assert slack.messages("C2") == []
    assert slack.messages("C2", include_deleted=True)[0].deleted


def test_ephemeral(client: WebClient, slack: FakeSlack) -> None:
    """chat.postEphemeral returns message_ts and is recorded per person."""
    response = client.chat_postEphemeral(channel="C2", user="U1", text="只有你能看到")
    assert response["message_ts"]
    assert [e.text for e in slack.ephemerals_to("U1")] == ["只有你能看到"]
    slack.add_user("U3", "carol")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postEphemeral(channel="C2", user="U3", text="x")
    assert _error(excinfo) == "user_not_in_channel"


def test_permalink(client: WebClient, slack: FakeSlack) -> None:
    """chat.getPermalink builds the link from channel and ts (and thread for replies)."""
    ts = client.chat_postMessage(channel="C2", text="parent")["ts"]
    reply_ts = client.chat_postMessage(channel="C2", text="r", thread_ts=ts)["ts"]
    link = client.chat_getPermalink(channel="C2", message_ts=ts)["permalink"]
    assert link == f"https://xdept-test.slack.com/archives/C2/p{ts.replace('.', '')}"
    reply_link = client.chat_getPermalink(channel="C2", message_ts=reply_ts)["permalink"]
    assert reply_link.endswith(f"?thread_ts={ts}&cid=C2")
    assert link == slack.permalink("C2", ts)


def test_users_info(client: WebClient) -> None:
    """users.info gives tz, tz_offset, flags and names; locale only when asked."""
    user = client.users_info(user="U1", include_locale=True)["user"]
    assert (user["tz"], user["tz_offset"], user["locale"]) == ("Asia/Shanghai", 8 * 3600, "zh-CN")
    assert user["is_admin"] is True and user["is_owner"] is False and user["is_bot"] is False
    assert user["profile"]["display_name"] == "alice" and user["real_name"] == "Alice"
    assert "locale" not in client.users_info(user="U2")["user"]
    assert client.users_info(user="UBOT")["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U404")
    assert _error(excinfo) == "user_not_found"
    assert client.users_lookupByEmail(email="bob@example.com")["user"]["id"] == "U2"


def test_usergroups(client: WebClient) -> None:
    """usergroups.list lists users only with include_users; usergroups.users.list too."""
    groups = client.usergroups_list(include_users=True)["usergroups"]
    assert [(g["id"], g["handle"], g["name"], g["users"]) for g in groups] == [
        ("S1", "logistics", "物流部", ["U2"])
    ]
    assert "users" not in client.usergroups_list()["usergroups"][0]
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U2"]
    with pytest.raises(SlackApiError) as excinfo:
        client.usergroups_users_list(usergroup="S404")
    assert _error(excinfo) == "no_such_subteam"


def test_conversations_info_and_members(client: WebClient, slack: FakeSlack) -> None:
    """conversations.info/members; a private channel without the bot looks absent."""
    info = client.conversations_info(channel="C2")["channel"]
    assert (info["name"], info["is_private"], info["is_member"]) == ("logistics", False, True)
    assert client.conversations_members(channel="C2")["members"] == ["U1", "U2", "UBOT"]
    slack.add_channel("G1", "secret", private=True, bot_is_member=False)
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_info(channel="G1")
    assert _error(excinfo) == "channel_not_found"


def test_views(client: WebClient, slack: FakeSlack) -> None:
    """views.open/update/publish keep ids and hashes; bad views are refused like Slack."""
    modal = {
        "type": "modal",
        "callback_id": "track",
        "title": {"type": "plain_text", "text": "Track as request"},
        "submit": {"type": "plain_text", "text": "File"},
        "blocks": [
            {
                "type": "input",
                "block_id": "text",
                "label": {"type": "plain_text", "text": "What"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    opened = client.views_open(trigger_id="1.2.abc", view=modal)["view"]
    assert opened["callback_id"] == "track" and opened["id"].startswith("V")
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as excinfo:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert _error(excinfo) == "hash_conflict"
    too_long = {**modal, "title": {"type": "plain_text", "text": "A title far too long for Slack"}}
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="1.2.abc", view=too_long)
    assert _error(excinfo) == "invalid_arguments"
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    published = client.views_publish(user_id="U1", view=home)["view"]
    again = client.views_publish(user_id="U1", view=home)["view"]
    assert published["id"] == again["id"]
    assert slack.home_view("U1") == again
    assert [v.method for v in slack.views] == [
        "views.open",
        "views.update",
        "views.publish",
        "views.publish",
    ]
    assert slack.views[0].trigger_id == "1.2.abc" and slack.views[0].callback_id == "track"


def test_reactions(client: WebClient, slack: FakeSlack) -> None:
    """reactions.add/get on a stored message; already_reacted the second time."""
    ts = client.chat_postMessage(channel="C2", text="XD-1")["ts"]
    slack.add_reaction("C2", ts, "eyes", "U2")
    client.reactions_add(channel="C2", timestamp=ts, name="white_check_mark")
    with pytest.raises(SlackApiError) as excinfo:
        client.reactions_add(channel="C2", timestamp=ts, name="white_check_mark")
    assert _error(excinfo) == "already_reacted"
    reactions = client.reactions_get(channel="C2", timestamp=ts)["message"]["reactions"]
    assert {r["name"]: r["users"] for r in reactions} == {
        "eyes": ["U2"],
        "white_check_mark": ["UBOT"],
    }


def test_files_upload_v2(client: WebClient, slack: FakeSlack) -> None:
    """files_upload_v2 runs all three steps against the fake; the bytes are kept."""
    dm = client.conversations_open(users="U1")["channel"]["id"]
    content = "code,text\nXD-1,3 托盘\n"
    response = client.files_upload_v2(
        channel=dm, content=content, filename="export.csv", title="Export", initial_comment="here"
    )
    assert response["file"]["name"] == "export.csv"
    (upload,) = slack.uploads
    assert upload.completed and upload.text == content
    assert (upload.channel_id, upload.title, upload.initial_comment) == (dm, "Export", "here")
    assert [c.method for c in slack.calls[-3:]] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_retired_and_unknown_methods(client: WebClient, slack: FakeSlack) -> None:
    """files.upload is retired; unknown methods answer unknown_method and are recorded."""
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("no.such.method", params={"a": "1"})
    assert _error(excinfo) == "unknown_method"
    assert slack.calls_to("no.such.method")[0].params == {"a": "1"}
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("files.upload", params={"channels": "C1"})
    assert _error(excinfo) == "method_deprecated"


def test_tokens(slack: FakeSlack) -> None:
    """No token answers not_authed; with valid_tokens set, others answer invalid_auth."""
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(base_url=slack.api_url).auth_test()
    assert _error(excinfo) == "not_authed"
    with FakeSlack(valid_tokens=["xoxb-good"]) as strict:
        assert WebClient(token="xoxb-good", base_url=strict.api_url).auth_test()["ok"]
        with pytest.raises(SlackApiError) as excinfo:
            WebClient(token="xoxb-bad", base_url=strict.api_url).auth_test()
        assert _error(excinfo) == "invalid_auth"


def test_form_and_json_bodies_are_both_read(slack: FakeSlack) -> None:
    """A form-encoded body and a JSON body give the same params."""
    form_client = WebClient(token=TOKEN, base_url=slack.api_url)
    form_client.api_call("chat.postMessage", data={"channel": "C1", "text": "form"})
    form_client.api_call("chat.postMessage", json={"channel": "C1", "text": "json"})
    assert [c.params for c in slack.calls_to("chat.postMessage")] == [
        {"channel": "C1", "text": "form"},
        {"channel": "C1", "text": "json"},
    ]


def test_raw_http_keep_alive_chunked_and_get(slack: FakeSlack) -> None:
    """One keep-alive connection serves several requests, chunked bodies and GET queries."""
    connection = http.client.HTTPConnection("127.0.0.1", slack.port, timeout=5)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        for n in range(3):
            body = json.dumps({"channel": "C1", "text": f"k{n}"})
            headers = {**auth, "Content-Type": "application/json"}
            connection.request("POST", "/api/chat.postMessage", body=body, headers=headers)
            response = connection.getresponse()
            assert response.status == 200 and json.loads(response.read())["ok"]
        chunks = iter([b"channel=C1&", "text=分块".encode()])
        form = {**auth, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", "/api/chat.postMessage", body=chunks, headers=form)
        response = connection.getresponse()
        assert json.loads(response.read())["message"]["text"] == "分块"
        connection.request("GET", "/api/users.info?user=U2&include_locale=true", headers=auth)
        response = connection.getresponse()
        assert json.loads(response.read())["user"]["locale"] == "en-US"
        connection.request(
            "POST", "/response/bad", body=b"{not json", headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        assert (response.status, response.read()) == (400, b"invalid_payload")
    finally:
        connection.close()
    assert [m.text for m in slack.messages("C1")] == ["k0", "k1", "k2", "分块"]
    assert slack.response_posts() == []


# ---------------------------------------------------------------- faults


def test_rate_limit_is_retried_once_and_delivers_once(slack: FakeSlack) -> None:
    """A 429 with Retry-After, and RateLimitErrorRetryHandler: two attempts, one message."""
    client = WebClient(
        token=TOKEN,
        base_url=slack.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    client.chat_postMessage(channel="C2", text="once")
    assert time.monotonic() - started >= 1.0
    attempts = slack.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].response == {"ok": False, "error": "ratelimited"}
    assert [m.text for m in slack.messages()] == ["once"]


def test_rate_limit_without_handler_raises_with_retry_after(
    client: WebClient, slack: FakeSlack
) -> None:
    """Without a retry handler the 429 surfaces as SlackApiError with Retry-After."""
    slack.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C2", text="x")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "7"
    assert _error(excinfo) == "ratelimited"


def test_server_error_then_success(slack: FakeSlack) -> None:
    """A 500 then success, with ServerErrorRetryHandler: two attempts, one message."""
    client = WebClient(
        token=TOKEN,
        base_url=slack.api_url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", status=500)
    client.chat_postMessage(channel="C2", text="once")
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 200]
    assert len(slack.messages()) == 1


def test_injected_api_error(client: WebClient, slack: FakeSlack) -> None:
    """fail_next(error=...) answers HTTP 200 ok:false, then the method works again."""
    slack.fail_next("chat.postMessage", error="not_in_channel")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C2", text="x")
    assert _error(excinfo) == "not_in_channel"
    assert excinfo.value.response.status_code == 200
    client.chat_postMessage(channel="C2", text="y")
    assert [m.text for m in slack.messages()] == ["y"]


def test_faults_are_consumed_in_order(client: WebClient, slack: FakeSlack) -> None:
    """Queued faults apply one call each, in the order given; `times` repeats one."""
    slack.fail_next("users.info", error="ratelimited_custom", times=2)
    slack.fail_next("users.info", status=503)
    outcomes = []
    for _ in range(4):
        try:
            client.users_info(user="U1")
            outcomes.append("ok")
        except SlackApiError as exc:
            outcomes.append(f"{exc.response.status_code}:{exc.response['error']}")
    assert outcomes == [
        "200:ratelimited_custom",
        "200:ratelimited_custom",
        "503:internal_error",
        "ok",
    ]


def test_slow_next_and_latency(client: WebClient, slack: FakeSlack) -> None:
    """slow_next delays one answer; set_latency delays all until cleared."""
    slack.slow_next("auth.test", 0.3)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.3
    slack.set_latency(0.2)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    slack.clear_faults()


def test_concurrent_posts_get_unique_ts(slack: FakeSlack) -> None:
    """50 clients at once: every post is answered and gets its own ts."""
    client = WebClient(token=TOKEN, base_url=slack.api_url)

    def post(n: int) -> str:
        return str(client.chat_postMessage(channel="C2", text=f"m{n}")["ts"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        stamps = list(pool.map(post, range(500)))
    assert len(set(stamps)) == 500
    assert len(slack.messages("C2")) == 500
    assert all(c.status == 200 for c in slack.calls)


def test_response_url_records_posts(slack: FakeSlack) -> None:
    """WebhookClient posts to response_url(name) are recorded with their fields."""
    url = slack.response_url("cmd")
    response = WebhookClient(url).send(text="仅你可见", response_type="ephemeral")
    assert (response.status_code, response.body) == (200, "ok")
    (post,) = slack.response_posts("cmd")
    assert (post.text, post.response_type, post.replace_original) == (
        "仅你可见",
        "ephemeral",
        False,
    )
    assert slack.response_posts("other") == []


def test_wait_for_messages_sees_posts_from_another_thread(
    client: WebClient, slack: FakeSlack
) -> None:
    """wait_for_messages returns once a background thread has posted."""
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C2", text="later"))
    timer.start()
    try:
        assert [m.text for m in slack.wait_for_messages("C2", timeout=5)] == ["later"]
        with pytest.raises(AssertionError):
            slack.wait_for_messages("C1", timeout=0.1)
    finally:
        timer.join()


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
