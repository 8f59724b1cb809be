"""The fake's events against the real SDK: its decryption, signature check and dispatcher."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakes.feishu import crypto, events
from tests.fakes.feishu.frames import CONTROL, DATA, Frame
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, LOGISTICS


def _raw_request(signed: crypto.SignedRequest) -> Any:
    import lark_oapi as lark

    request = lark.RawRequest()
    request.uri = "/feishu/events"
    request.headers = dict(signed.headers)
    request.body = signed.body
    return request


def _dispatcher(feishu: FakeFeishu, seen: list[Any]) -> Any:
    import lark_oapi as lark

    return (
        lark.EventDispatcherHandler.builder(feishu.encrypt_key or "", feishu.verification_token)
        .register_p2_im_message_receive_v1(seen.append)
        .build()
    )


def test_encryption_matches_the_sdk() -> None:
    """What the fake encrypts, the SDK's AESCipher decrypts, Chinese included."""
    from lark_oapi.core.utils import AESCipher

    plain = json.dumps({"text": "@_user_1 ask 周五前 3 托盘"}, ensure_ascii=False).encode()
    encrypted = crypto.encrypt(plain, "k-123")
    assert AESCipher("k-123").decrypt_str(encrypted).encode() == plain
    assert crypto.decrypt(encrypted, "k-123") == plain
    with pytest.raises(ValueError):
        AESCipher("another").decrypt_str(encrypted)


def test_sdk_dispatcher_accepts_the_fakes_events(feishu: FakeFeishu) -> None:
    """A message event built, encrypted and signed by the fake reaches an SDK handler."""
    seen: list[Any] = []
    payload = feishu.person_message(
        chat_id=LOGISTICS,
        sender=ALICE,
        text="@_user_1 ask @_user_2 三个托盘 周五前",
        mentions=[events.Mention(feishu.bot_open_id, "xdept"), events.Mention(ALICE, "李娜")],
    )
    response = _dispatcher(feishu, seen).do(_raw_request(feishu.signed(payload)))
    assert response.status_code == 200, response.content
    message = seen[0].event.message
    assert json.loads(message.content)["text"].startswith("@_user_1 ask")
    assert message.mentions[0].id.open_id == feishu.bot_open_id
    assert seen[0].header.event_id == payload["header"]["event_id"]


def test_sdk_dispatcher_refuses_a_forged_signature(feishu: FakeFeishu) -> None:
    """A changed signature is refused by the SDK (as an exception turned into a 500)."""
    seen: list[Any] = []
    signed = feishu.signed(feishu.event(events.MESSAGE_RECEIVE, {}))
    forged = crypto.SignedRequest(
        headers={**signed.headers, crypto.SIGNATURE: "0" * 64}, body=signed.body
    )
    response = _dispatcher(feishu, seen).do(_raw_request(forged))
    assert response.status_code == 500 and seen == []


def test_url_verification_is_answered_by_the_sdk(feishu: FakeFeishu) -> None:
    """The challenge request, encrypted, is answered with its challenge."""
    payload = events.url_verification(token=feishu.verification_token, challenge="c-42")
    response = _dispatcher(feishu, []).do(_raw_request(feishu.signed(payload)))
    assert json.loads(response.content) == {"challenge": "c-42"}


def test_frames_round_trip_through_the_sdks_protobuf() -> None:
    """The fake's hand-written Frame codec and the SDK's generated one agree."""
    from lark_oapi.ws.pb.pbbp2_pb2 import Frame as SdkFrame

    ours = Frame(
        seq_id=3,
        log_id=9,
        service=77,
        method=DATA,
        headers=[("type", "event"), ("message_id", "m1"), ("sum", "1"), ("seq", "0")],
        payload="事件".encode(),
    )
    theirs = SdkFrame()
    theirs.ParseFromString(ours.encode())
    assert (theirs.SeqID, theirs.LogID, theirs.service, theirs.method) == (3, 9, 77, DATA)
    assert [(h.key, h.value) for h in theirs.headers][0] == ("type", "event")
    assert theirs.payload.decode() == "事件"
    ping = SdkFrame()
    ping.service, ping.method, ping.SeqID, ping.LogID = 5, CONTROL, 0, 0
    header = ping.headers.add()
    header.key, header.value = "type", "ping"
    back = Frame.decode(ping.SerializeToString())
    assert (back.method, back.service, back.header("type")) == (CONTROL, 5, "ping")
    with pytest.raises(ValueError):
        Frame.decode(b"\x08")


def test_sdk_dispatcher_reads_the_fakes_people_leaving(feishu: FakeFeishu) -> None:
    """contact.user.deleted_v3 and updated_v3, encrypted and signed by the fake, reach the
    SDK's handlers for them with the person and their resigned status."""
    import lark_oapi as lark

    deleted: list[Any] = []
    updated: list[Any] = []
    dispatcher = (
        lark.EventDispatcherHandler.builder(feishu.encrypt_key or "", feishu.verification_token)
        .register_p2_contact_user_deleted_v3(deleted.append)
        .register_p2_contact_user_updated_v3(updated.append)
        .build()
    )
    gone = feishu.event(events.USER_DELETED, events.user_deleted_event(open_id=ALICE))
    assert dispatcher.do(_raw_request(feishu.signed(gone))).status_code == 200
    back = events.user_updated_event(open_id=ALICE, resigned=False, was_resigned=True)
    assert dispatcher.do(_raw_request(feishu.signed(feishu.event(events.USER_UPDATED, back))))
    assert [e.event.object.open_id for e in deleted] == [ALICE]
    assert deleted[0].header.event_type == "contact.user.deleted_v3"
    assert updated[0].event.object.status.is_resigned is False
    assert updated[0].event.old_object.status.is_resigned is True
