"""The fake Feishu Open API, driven by the real lark-oapi SDK."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import requests

from tests.fakes.feishu import failures
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, LOGISTICS, TOPICS, WANG
from tests.fakes.feishu.world import EDIT_WINDOW


def _card(text: str, *, shared: bool = True) -> str:
    card = {
        "schema": "2.0",
        "config": {"update_multi": shared},
        "header": {"title": {"tag": "plain_text", "content": "XD-1"}, "template": "blue"},
        "body": {"elements": [{"tag": "markdown", "content": text}]},
    }
    return json.dumps(card, ensure_ascii=False)


def _send(
    client: Any,
    receive_id: str,
    content: str,
    *,
    id_type: str = "chat_id",
    msg_type: str = "interactive",
    uuid: str | None = None,
) -> Any:
    from lark_oapi.api.im.v1 import CreateMessageRequest, CreateMessageRequestBody

    body = CreateMessageRequestBody.builder().receive_id(receive_id).msg_type(msg_type)
    body = body.content(content)
    if uuid:
        body = body.uuid(uuid)
    request = (
        CreateMessageRequest.builder().receive_id_type(id_type).request_body(body.build()).build()
    )
    return client.im.v1.message.create(request)


def _raw(client: Any, method: str, uri: str, body: Any = None) -> Any:
    import lark_oapi as lark

    request = (
        lark.BaseRequest.builder()
        .http_method(getattr(lark.HttpMethod, method))
        .uri(uri)
        .token_types({lark.AccessTokenType.TENANT})
        .headers({"Content-Type": "application/json; charset=utf-8"})
        .body(body)
        .build()
    )
    return client.request(request)


def test_sdk_gets_a_token_and_sends_a_card(lark_client: Any, feishu: FakeFeishu) -> None:
    """The SDK fetches a tenant token once, then posts with it; Feishu's answer shape."""
    first = _send(lark_client, LOGISTICS, _card("**3 托盘** 周五前"))
    second = _send(lark_client, LOGISTICS, _card("第二张"))
    assert first.success(), first.msg
    assert first.data.message_id.startswith("om_") and first.data.chat_id == LOGISTICS
    assert first.data.sender.sender_type == "app" and first.data.sender.id == feishu.app_id
    assert len(feishu.calls_to("token")) == 1
    token = feishu.calls_to("token")[0].response["tenant_access_token"]
    sent = feishu.calls_to("messages.create")
    assert all(c.request.headers["authorization"] == f"Bearer {token}" for c in sent)
    assert [m.card["body"]["elements"][0]["content"] for m in feishu.messages_in(LOGISTICS)] == [
        "**3 托盘** 周五前",
        "第二张",
    ]
    assert second.data.message_id != first.data.message_id


def test_uuid_deduplicates_within_an_hour(lark_client: Any, feishu: FakeFeishu) -> None:
    """The same uuid gives the same message within an hour, a new one after."""
    first = _send(lark_client, LOGISTICS, _card("a"), uuid="k1")
    again = _send(lark_client, LOGISTICS, _card("a"), uuid="k1")
    assert again.data.message_id == first.data.message_id
    assert len(feishu.messages_in(LOGISTICS)) == 1
    feishu.advance(3601)
    later = _send(lark_client, LOGISTICS, _card("a"), uuid="k1")
    assert later.data.message_id != first.data.message_id
    too_long = _send(lark_client, LOGISTICS, _card("a"), uuid="x" * 51)
    assert too_long.code == 99992402


def test_direct_messages_go_to_a_p2p_chat(lark_client: Any, feishu: FakeFeishu) -> None:
    """receive_id_type=open_id lands in the bot's direct chat with the person."""
    response = _send(lark_client, ALICE, _card("hi"), id_type="open_id")
    assert response.success()
    assert response.data.chat_id == feishu.dm_chat(ALICE)
    assert feishu.world.chats[response.data.chat_id].chat_mode == "p2p"
    feishu.world.users[WANG].available = False
    refused = _send(lark_client, WANG, _card("hi"), id_type="open_id")
    assert refused.code == 230013


def test_reply_in_thread_and_topic_groups(lark_client: Any, feishu: FakeFeishu) -> None:
    """A reply in a thread gets root, parent and thread ids; in topic groups always."""
    from lark_oapi.api.im.v1 import ReplyMessageRequest, ReplyMessageRequestBody

    def reply(to: str, *, in_thread: bool) -> Any:
        body = ReplyMessageRequestBody.builder().content(_card("进展")).msg_type("interactive")
        request = (
            ReplyMessageRequest.builder()
            .message_id(to)
            .request_body(body.reply_in_thread(in_thread).build())
            .build()
        )
        return lark_client.im.v1.message.reply(request)

    root = _send(lark_client, LOGISTICS, _card("root")).data.message_id
    threaded = reply(root, in_thread=True)
    assert threaded.success(), threaded.msg
    assert (threaded.data.root_id, threaded.data.parent_id) == (root, root)
    assert threaded.data.thread_id.startswith("omt_")
    quoted = reply(root, in_thread=False)
    assert quoted.data.root_id == root and quoted.data.thread_id is None
    topic_root = _send(lark_client, TOPICS, _card("topic")).data.message_id
    assert reply(topic_root, in_thread=False).data.thread_id.startswith("omt_")


def test_patch_needs_shared_cards_and_the_edit_window(lark_client: Any, feishu: FakeFeishu) -> None:
    """A card is edited only if both versions are shared, and only for 14 days."""
    from lark_oapi.api.im.v1 import PatchMessageRequest, PatchMessageRequestBody

    def patch(message_id: str, content: str) -> Any:
        body = PatchMessageRequestBody.builder().content(content).build()
        request = PatchMessageRequest.builder().message_id(message_id).request_body(body).build()
        return lark_client.im.v1.message.patch(request)

    shared = _send(lark_client, LOGISTICS, _card("v1")).data.message_id
    private = _send(lark_client, LOGISTICS, _card("v1", shared=False)).data.message_id
    assert patch(shared, _card("v2")).success()
    assert feishu.message(shared).edits == 1 and "v2" in feishu.message(shared).content
    assert patch(private, _card("v2")).code == 230001
    assert patch(shared, _card("v3", shared=False)).code == 230001
    feishu.advance(EDIT_WINDOW + 1)
    feishu.revoke_tokens(99991677)
    import lark_oapi as lark

    lark.core.token.TokenManager.cache.set(f"self_tenant_token:{feishu.app_id}", "", 0)
    assert patch(shared, _card("v4")).code == 230031


def test_get_message_reads_it_back(lark_client: Any, feishu: FakeFeishu) -> None:
    """GET im/v1/messages/:id returns items[0] with the content as sent."""
    from lark_oapi.api.im.v1 import GetMessageRequest

    sent = _send(lark_client, LOGISTICS, _card("读回")).data.message_id
    response = lark_client.im.v1.message.get(GetMessageRequest.builder().message_id(sent).build())
    assert response.success()
    assert (
        json.loads(response.data.items[0].body.content)["body"]["elements"][0]["content"] == "读回"
    )


def test_images_and_files_upload_as_multipart(lark_client: Any, feishu: FakeFeishu) -> None:
    """The SDK's multipart uploads give keys that image and file messages can use."""
    from lark_oapi.api.im.v1 import (
        CreateFileRequest,
        CreateFileRequestBody,
        CreateImageRequest,
        CreateImageRequestBody,
    )

    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    image = lark_client.im.v1.image.create(
        CreateImageRequest.builder()
        .request_body(
            CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(png)).build()
        )
        .build()
    )
    assert image.success(), image.msg
    assert feishu.world.images[image.data.image_key] == png
    csv = "编号,状态\nXD-1,完成\n".encode()
    file = lark_client.im.v1.file.create(
        CreateFileRequest.builder()
        .request_body(
            CreateFileRequestBody.builder()
            .file_type("stream")
            .file_name("导出.csv")
            .file(io.BytesIO(csv))
            .build()
        )
        .build()
    )
    assert file.success(), file.msg
    assert feishu.world.files[file.data.file_key] == ("导出.csv", "stream", csv)
    key = json.dumps({"image_key": image.data.image_key})
    assert _send(lark_client, LOGISTICS, key, msg_type="image").success()
    assert _send(lark_client, LOGISTICS, '{"image_key": "img_nope"}', msg_type="image").code == (
        230001
    )


def test_ephemeral_only_in_normal_groups(lark_client: Any, feishu: FakeFeishu) -> None:
    """ephemeral/v1/send works in a normal group, not in a topic group."""
    card = json.loads(_card("只有你能看到"))
    body = {"chat_id": LOGISTICS, "open_id": ALICE, "msg_type": "interactive", "card": card}
    answer = _raw(lark_client, "POST", "/open-apis/ephemeral/v1/send", body)
    assert answer.code == 0
    assert json.loads(answer.raw.content)["data"]["message_id"].startswith("om_")
    assert feishu.world.ephemerals[0]["open_id"] == ALICE
    topic = _raw(lark_client, "POST", "/open-apis/ephemeral/v1/send", {**body, "chat_id": TOPICS})
    assert topic.code == 230001


def test_delayed_card_update_uses_the_callback_token(lark_client: Any, feishu: FakeFeishu) -> None:
    """interactive/v1/card/update edits the clicked card; a token works twice."""
    sent = _send(lark_client, LOGISTICS, _card("v1")).data.message_id
    event = feishu.click(operator=WANG, message_id=sent, value={"action": "xdept_ack"})
    token = event["event"]["token"]
    body = {"token": token, "card": json.loads(_card("v2"))}
    uri = "/open-apis/interactive/v1/card/update"
    assert _raw(lark_client, "POST", uri, body).code == 0
    assert _raw(lark_client, "POST", uri, body).code == 0
    assert _raw(lark_client, "POST", uri, body).code == 230001
    assert feishu.message(sent).edits == 2


def test_people_departments_chats_bot_and_tenant(lark_client: Any, feishu: FakeFeishu) -> None:
    """contact/v3 users and departments, im/v1 chats, bot/v3/info, tenant query."""
    from lark_oapi.api.contact.v3 import GetDepartmentRequest, GetUserRequest
    from lark_oapi.api.im.v1 import GetChatRequest

    user = lark_client.contact.v3.user.get(
        GetUserRequest.builder().user_id(ALICE).user_id_type("open_id").build()
    )
    assert user.success() and user.data.user.name == "李娜"
    assert user.data.user.leader_user_id == WANG
    assert user.data.user.department_ids == ["od-service"]
    dept = lark_client.contact.v3.department.get(
        GetDepartmentRequest.builder().department_id("od-logistics").build()
    )
    assert dept.data.department.leader_user_id == WANG and dept.data.department.chat_id == LOGISTICS
    chat = lark_client.im.v1.chat.get(GetChatRequest.builder().chat_id(TOPICS).build())
    assert (chat.data.chat_mode, chat.data.group_message_type) == ("topic", "thread")
    bot = json.loads(_raw(lark_client, "GET", "/open-apis/bot/v3/info").raw.content)
    assert bot["bot"]["open_id"] == feishu.bot_open_id
    tenant = json.loads(_raw(lark_client, "GET", "/open-apis/tenant/v2/tenant/query").raw.content)
    assert tenant["data"]["tenant"]["tenant_key"] == feishu.tenant_key
    missing = lark_client.contact.v3.user.get(
        GetUserRequest.builder().user_id("ou_nobody").user_id_type("open_id").build()
    )
    assert missing.code == 41050


def test_failures_on_demand(lark_client: Any, feishu: FakeFeishu) -> None:
    """Rate limits carry x-ogw-ratelimit-reset; permanent codes; dropped connections."""
    feishu.fail_next("messages.create", failures.rate_limited(reset=3))
    limited = _send(lark_client, LOGISTICS, _card("a"))
    assert (limited.code, limited.raw.status_code) == (99991400, 429)
    assert limited.raw.headers["x-ogw-ratelimit-reset"] == "3"
    feishu.fail_next("messages.create", failures.chat_rate_limited())
    assert _send(lark_client, LOGISTICS, _card("a")).code == 230020
    feishu.world.chats[LOGISTICS].bot_in_chat = False
    assert _send(lark_client, LOGISTICS, _card("a")).code == 230002
    feishu.world.chats[LOGISTICS].bot_in_chat = True
    assert _send(lark_client, LOGISTICS, _card("长" * 20_000)).code == 230025
    feishu.fail_next("messages.create", failures.dropped())
    with pytest.raises(requests.ConnectionError):
        _send(lark_client, LOGISTICS, _card("a"))
    assert _send(lark_client, LOGISTICS, _card("a")).success()


def test_revoked_tokens_stay_cached_in_the_sdk(lark_client: Any, feishu: FakeFeishu) -> None:
    """The SDK keeps a refused token: the caller must drop it and retry (FEISHU.md)."""
    import lark_oapi as lark

    assert _send(lark_client, LOGISTICS, _card("a")).success()
    feishu.revoke_tokens(99991668)
    assert _send(lark_client, LOGISTICS, _card("a")).code == 99991668
    assert _send(lark_client, LOGISTICS, _card("a")).code == 99991668
    lark.core.token.TokenManager.cache.set(f"self_tenant_token:{feishu.app_id}", "", 0)
    assert _send(lark_client, LOGISTICS, _card("a")).success()
    assert len(feishu.calls_to("token")) == 2


def test_cards_with_unknown_properties_are_refused(lark_client: Any, feishu: FakeFeishu) -> None:
    """Feishu refuses undocumented properties and misplaced components (230099)."""
    card = json.loads(_card("x"))
    card["body"]["elements"][0]["colour"] = "red"
    assert _send(lark_client, LOGISTICS, json.dumps(card)).code == 230099
    form_in_column = {
        "schema": "2.0",
        "body": {
            "elements": [
                {
                    "tag": "column_set",
                    "columns": [
                        {
                            "tag": "column",
                            "elements": [{"tag": "form", "name": "f", "elements": []}],
                        }
                    ],
                }
            ]
        },
    }
    assert _send(lark_client, LOGISTICS, json.dumps(form_in_column)).code == 230099


def test_unknown_paths_are_recorded_as_errors(feishu: FakeFeishu) -> None:
    """A path Feishu does not have gets 404 and lands in `errors`."""
    response = requests.get(feishu.url + "/open-apis/im/v9/nothing", timeout=5)
    assert response.status_code == 404
    assert feishu.errors == ["GET /open-apis/im/v9/nothing"]
    feishu.errors.clear()
