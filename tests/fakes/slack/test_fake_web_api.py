"""A real WebClient against FakeSlack: each Web API method, tokens, and raw HTTP."""

from __future__ import annotations

import http.client
import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes import slack as sp
from tests.fakes.slack import FakeSlack
from tests.fakes.slack.conftest import TOKEN, api_error

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
        assert api_error(excinfo) == error
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert api_error(excinfo) == "no_text"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert api_error(excinfo) == "msg_too_long"
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x", blocks=long_section)
    assert api_error(excinfo) == "invalid_blocks"
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
    assert api_error(excinfo) == "method_not_supported_for_channel_type"


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
    assert api_error(excinfo) == "message_not_found"
    seeded = slack.add_message("C2", "written by bob", user="U2")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C2", ts=seeded.ts, text="x")
    assert api_error(excinfo) == "cant_update_message"
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
    assert api_error(excinfo) == "user_not_in_channel"


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
    assert api_error(excinfo) == "user_not_found"
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
    assert api_error(excinfo) == "no_such_subteam"


def test_conversations_info_and_members(client: WebClient, slack: FakeSlack) -> None:
    """conversations.info/members; a private channel without the bot looks absent."""
    info = client.conversations_info(channel="C2")["channel"]
    assert (info["name"], info["is_private"], info["is_member"]) == ("logistics", False, True)
    assert client.conversations_members(channel="C2")["members"] == ["U1", "U2", "UBOT"]
    slack.add_channel("G1", "secret", private=True, bot_is_member=False)
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_info(channel="G1")
    assert api_error(excinfo) == "channel_not_found"


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
    assert api_error(excinfo) == "hash_conflict"
    too_long = {**modal, "title": {"type": "plain_text", "text": "A title far too long for Slack"}}
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="1.2.abc", view=too_long)
    assert api_error(excinfo) == "invalid_arguments"
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
    assert api_error(excinfo) == "already_reacted"
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
    assert api_error(excinfo) == "unknown_method"
    assert slack.calls_to("no.such.method")[0].params == {"a": "1"}
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("files.upload", params={"channels": "C1"})
    assert api_error(excinfo) == "method_deprecated"


def test_tokens(slack: FakeSlack) -> None:
    """No token answers not_authed; with valid_tokens set, others answer invalid_auth."""
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(base_url=slack.api_url).auth_test()
    assert api_error(excinfo) == "not_authed"
    with FakeSlack(valid_tokens=["xoxb-good"]) as strict:
        assert WebClient(token="xoxb-good", base_url=strict.api_url).auth_test()["ok"]
        with pytest.raises(SlackApiError) as excinfo:
            WebClient(token="xoxb-bad", base_url=strict.api_url).auth_test()
        assert api_error(excinfo) == "invalid_auth"


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
