"""FeishuMessenger over the real lark-oapi SDK against the fake Feishu."""

from __future__ import annotations

import json

import pytest

from bot.messages import Button, ButtonAction, Message, MessageKind, Section, text
from bot.ports import DeliveryCode, DeliveryError, MessageRef
from handlers.feishu.api import FeishuApi, make_client
from handlers.feishu.messenger import FeishuMessenger, uuid_for
from tests.fakes.feishu import failures
from tests.fakes.feishu.failures import Failure
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, LOGISTICS, TOPICS, WANG
from tests.fakes.feishu.world import EDIT_WINDOW
from tests.handlers.feishu.conftest import feishu_settings


def _message(body: str = "3 托盘，周五前") -> Message:
    return Message(
        kind=MessageKind.TRACKING,
        title=[text("XD-1 物流协作")],
        sections=[Section(body=[text(body)])],
        buttons=[Button(action=ButtonAction.ACK, label="确认收到", value="XD-1", style="primary")],
    )


def _markdown(card: dict[str, object]) -> str:
    return json.dumps(card, ensure_ascii=False)


def test_post_sends_a_shared_card(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """A post is an interactive message whose card can be edited later."""
    ref = messenger.post(chat=LOGISTICS, message=_message())
    sent = feishu.message(ref.message_id)
    assert ref == MessageRef(chat=LOGISTICS, message_id=sent.message_id)
    assert sent.msg_type == "interactive" and sent.card is not None
    assert sent.card["config"]["update_multi"] is True
    assert sent.card["header"]["title"]["content"] == "XD-1 物流协作"
    assert "3 托盘，周五前" in _markdown(sent.card)


def test_post_into_a_thread_replies_in_thread(
    messenger: FeishuMessenger, feishu: FakeFeishu
) -> None:
    """thread_id names the thread's first message; the reply carries the thread's id."""
    root = messenger.post(chat=LOGISTICS, message=_message())
    reply = messenger.post(chat=LOGISTICS, message=_message("进展"), thread_id=root.message_id)
    call = feishu.calls_to("messages.reply")[0]
    assert call.request.params["message_id"] == root.message_id
    assert call.json["reply_in_thread"] is True
    assert reply.thread_id is not None and reply.thread_id.startswith("omt_")
    assert feishu.message(reply.message_id).root_id == root.message_id


def test_idempotency_key_becomes_feishus_uuid(
    messenger: FeishuMessenger, feishu: FakeFeishu
) -> None:
    """The same key twice is one message: Feishu dedupes on the digest within an hour."""
    key = "standup:logistics:2024-06-03T09:00+08:00:" + "x" * 80
    first = messenger.post(chat=LOGISTICS, message=_message(), idempotency_key=key)
    again = messenger.post(chat=LOGISTICS, message=_message(), idempotency_key=key)
    assert first == again and len(feishu.messages_in(LOGISTICS)) == 1
    uuid = feishu.calls_to("messages.create")[0].json["uuid"]
    assert uuid == uuid_for(key) and len(uuid) <= 50
    assert uuid_for(key) != uuid_for(key + "1")


def test_update_patches_the_card(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """An update replaces the card in place and reports no move."""
    ref = messenger.post(chat=LOGISTICS, message=_message())
    assert messenger.update(ref=ref, message=_message("已完成")) is None
    sent = feishu.message(ref.message_id)
    assert sent.edits == 1 and "已完成" in _markdown(sent.card or {})


def test_update_past_the_edit_window_posts_anew(
    messenger: FeishuMessenger, feishu: FakeFeishu
) -> None:
    """After 14 days the card is posted again, the old thread gets a note, the new ref returns."""
    old = messenger.post(chat=LOGISTICS, message=_message())
    feishu.advance(EDIT_WINDOW + 60)
    moved = messenger.update(ref=old, message=_message("已完成"))
    assert moved is not None and moved.chat == LOGISTICS and moved.message_id != old.message_id
    # The token expired in those 14 days too: renewed, then refused for the window.
    assert [c.response["code"] for c in feishu.calls_to("messages.patch")] == [99991663, 230031]
    assert "已完成" in _markdown(feishu.message(moved.message_id).card or {})
    note = feishu.calls_to("messages.reply")[0]
    assert note.request.params["message_id"] == old.message_id
    assert "14 天" in note.json["content"]
    assert feishu.message(old.message_id).edits == 0


def test_dm_goes_to_the_direct_chat(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """A direct message is sent by open_id and lands in the bot's chat with the person."""
    ref = messenger.dm(user=ALICE, message=_message())
    assert feishu.calls_to("messages.create")[0].request.query["receive_id_type"] == "open_id"
    assert ref.chat == feishu.dm_chat(ALICE)


def test_ephemeral_in_a_normal_group(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """In a normal group the card is ephemeral; the chat's kind is looked up once."""
    messenger.ephemeral(chat=LOGISTICS, user=ALICE, message=_message())
    messenger.ephemeral(chat=LOGISTICS, user=WANG, message=_message())
    assert [e["open_id"] for e in feishu.world.ephemerals] == [ALICE, WANG]
    assert feishu.world.ephemerals[0]["card"]["schema"] == "2.0"
    assert len(feishu.calls_to("chats.get")) == 1
    assert feishu.calls_to("messages.create") == []


@pytest.mark.parametrize("where", ["topic group", "thread", "bot not in group", "refused"])
def test_ephemeral_falls_back_to_a_direct_message(
    messenger: FeishuMessenger, feishu: FakeFeishu, where: str
) -> None:
    """Topic groups, threads, groups without the bot and refusals get a direct message."""
    chat, thread = LOGISTICS, None
    if where == "topic group":
        chat = TOPICS
    elif where == "thread":
        thread = messenger.post(chat=LOGISTICS, message=_message()).message_id
    elif where == "bot not in group":
        feishu.world.chats[LOGISTICS].bot_in_chat = False
    else:
        feishu.fail_next("ephemeral.send", Failure(230001, "not allowed here"))
    messenger.ephemeral(chat=chat, user=ALICE, message=_message("只给你看"), thread_id=thread)
    assert feishu.world.ephemerals == []
    dm = feishu.messages_in(feishu.dm_chat(ALICE))
    assert len(dm) == 1 and "只给你看" in dm[0].content


def test_ephemeral_rate_limit_is_not_hidden(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """A rate limit on the ephemeral card is the caller's to retry, not a reason for a DM."""
    feishu.fail_next("ephemeral.send", failures.rate_limited(reset=2))
    with pytest.raises(DeliveryError) as caught:
        messenger.ephemeral(chat=LOGISTICS, user=ALICE, message=_message())
    assert caught.value.code is DeliveryCode.RATE_LIMITED and caught.value.retry_after == 2
    assert feishu.messages_in(feishu.dm_chat(ALICE)) == []


def test_upload_picture_and_file(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """A PNG becomes an image message, a CSV a file message; the comment comes first."""
    png = b"\x89PNG\r\n\x1a\nchart"
    messenger.upload(
        chat=LOGISTICS, filename="weekly.png", content=png, title="本周", comment="本周总结"
    )
    csv = "编号,状态\n".encode()
    root = messenger.post(chat=LOGISTICS, message=_message()).message_id
    messenger.upload(
        chat=LOGISTICS, filename="items.csv", content=csv, title="导出", thread_id=root
    )
    kinds = [m.msg_type for m in feishu.messages_in(LOGISTICS)]
    assert kinds == ["interactive", "image", "interactive", "file"]
    image = feishu.messages_in(LOGISTICS)[1]
    assert feishu.world.images[json.loads(image.content)["image_key"]] == png
    file = feishu.messages_in(LOGISTICS)[3]
    assert feishu.world.files[json.loads(file.content)["file_key"]] == ("items.csv", "stream", csv)
    assert file.root_id == root and file.thread_id is not None


@pytest.mark.parametrize(
    ("failure", "code", "hint"),
    [
        (failures.rate_limited(reset=3), DeliveryCode.RATE_LIMITED, None),
        (failures.rate_limited(reset=3, status=400), DeliveryCode.RATE_LIMITED, None),
        (failures.chat_rate_limited(reset=3), DeliveryCode.RATE_LIMITED, None),
        (failures.bot_not_in_chat(230002), DeliveryCode.NOT_IN_CHAT, "feishu.hint.not_in_chat"),
        (failures.bot_not_in_chat(230017), DeliveryCode.NOT_IN_CHAT, "feishu.hint.not_in_chat"),
        (Failure(230005, "disbanded"), DeliveryCode.GONE, "feishu.hint.gone"),
        (failures.too_long(), DeliveryCode.TOO_LONG, None),
        (Failure(230022, "sensitive"), DeliveryCode.REJECTED, None),
        (Failure(230099, "bad card"), DeliveryCode.REJECTED, None),
        (Failure(99991672, "no scope"), DeliveryCode.AUTH, "feishu.hint.auth"),
        (failures.server_error(502), DeliveryCode.TRANSIENT, None),
        (Failure(1500, "internal", status=500), DeliveryCode.TRANSIENT, None),
        (failures.dropped(), DeliveryCode.UNREACHABLE, None),
    ],
)
def test_failures_map_onto_delivery_codes(
    messenger: FeishuMessenger,
    feishu: FakeFeishu,
    failure: Failure,
    code: DeliveryCode,
    hint: str | None,
) -> None:
    """Feishu's codes (and the lack of one) become the outbox's codes and hints."""
    feishu.fail_next("messages.create", failure)
    with pytest.raises(DeliveryError) as caught:
        messenger.post(chat=LOGISTICS, message=_message())
    assert caught.value.code is code
    assert caught.value.hint == hint
    assert caught.value.retry_after == (3.0 if code is DeliveryCode.RATE_LIMITED else None)
    assert len(feishu.calls_to("messages.create")) == 1


@pytest.mark.parametrize("token_code", [99991663, 99991668])
def test_refused_token_is_renewed_once(
    messenger: FeishuMessenger, feishu: FakeFeishu, token_code: int
) -> None:
    """A refused tenant token is fetched again and the call repeated once."""
    messenger.post(chat=LOGISTICS, message=_message())
    feishu.revoke_tokens(token_code)
    ref = messenger.post(chat=LOGISTICS, message=_message("第二张"))
    assert [c.status for c in feishu.calls_to("messages.create")] == [200, 400, 200]
    assert len(feishu.calls_to("token")) == 2
    assert feishu.message(ref.message_id).chat_id == LOGISTICS


def test_a_token_refused_twice_is_an_auth_failure(
    messenger: FeishuMessenger, feishu: FakeFeishu
) -> None:
    """The retry happens once: a second refusal is reported, not looped on."""
    feishu.fail_next("messages.create", failures.token_invalid(), times=2)
    with pytest.raises(DeliveryError) as caught:
        messenger.post(chat=LOGISTICS, message=_message())
    assert caught.value.code is DeliveryCode.AUTH
    assert len(feishu.calls_to("messages.create")) == 2


def test_a_wrong_secret_is_an_auth_failure(feishu: FakeFeishu) -> None:
    """Feishu refusing the app secret is AUTH with the hint to check the app."""
    api = FeishuApi(make_client(feishu_settings(feishu, feishu_app_secret="wrong")))
    with pytest.raises(DeliveryError) as caught:
        FeishuMessenger(api).post(chat=LOGISTICS, message=_message())
    assert caught.value.code is DeliveryCode.AUTH and caught.value.hint == "feishu.hint.auth"


def test_feishu_down_is_unreachable(feishu: FakeFeishu) -> None:
    """Nothing listening: UNREACHABLE, which the outbox retries."""
    settings = feishu_settings(feishu, feishu_api_url="http://127.0.0.1:9")
    with pytest.raises(DeliveryError) as caught:
        FeishuMessenger(FeishuApi(make_client(settings))).post(chat=LOGISTICS, message=_message())
    assert caught.value.code is DeliveryCode.UNREACHABLE


def test_a_huge_message_still_fits(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """Text far over Feishu's 30 KB is cut to fit, Chinese intact, and Feishu accepts it."""
    ref = messenger.post(chat=LOGISTICS, message=_message("很长的背景说明。" * 5000))
    content = feishu.message(ref.message_id).content
    assert len(content.encode()) < 30 * 1024
    assert "很长的背景说明。" in content and "…" in content


def test_delayed_update_after_a_click(messenger: FeishuMessenger, feishu: FakeFeishu) -> None:
    """A click's token lets the card be replaced after the 3-second answer."""
    ref = messenger.post(chat=LOGISTICS, message=_message())
    token = feishu.click(operator=WANG, message_id=ref.message_id, value={})["event"]["token"]
    messenger.update_after_click(token=token, message=_message("王强已确认"))
    assert "王强已确认" in feishu.message(ref.message_id).content


def test_permalink_opens_the_chat(messenger: FeishuMessenger) -> None:
    """Feishu links to chats, not messages: the link opens the card's group."""
    link = messenger.permalink(ref=MessageRef(chat=LOGISTICS, message_id="om_1"))
    assert link == f"https://applink.feishu.cn/client/chat/open?openChatId={LOGISTICS}"
    assert 0.2 <= messenger.chat_interval <= 1.0
