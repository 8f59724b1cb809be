"""Whatever Feishu (or anyone else) sends: each event changes things once, forgeries nothing.

Redelivered events (same event id), the same message under a new event id
after a reconnect, forged and mis-signed requests, another tenant's events,
group chatter that is not for the bot.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.domain import Status, UpdateKind
from storage.models import InboxTask
from tests.fakes.feishu import crypto, events
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.failures import Failure, server_error
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS
from tests.handlers.feishu.inbound_support import (
    SERVICE,
    FeishuServer,
    feishu_fake,
    feishu_on_sqlite,
    feishu_server,
)

__all__ = ["feishu_fake", "feishu_on_sqlite", "feishu_server"]

ASK = "ask @物流 请在周五前确认 12 箱退货的入库"


def _ask_payload(server: FeishuServer, **kw: object) -> dict[str, object]:
    fake = server.feishu
    return fake.person_message(
        chat_id=SERVICE,
        sender=ALICE,
        text="@_user_1 " + ASK,
        mentions=[Mention(fake.bot_open_id, fake.bot_name)],
        **kw,  # type: ignore[arg-type]
    )


def test_a_redelivered_event_files_one_item(feishu_server: FeishuServer) -> None:
    """The same event twice, then the same message under a new event id: one item."""
    server = feishu_server
    server.add_logistics()
    payload = _ask_payload(server)
    for _ in range(2):
        status, _answer = server.deliver(payload)
        assert status == 200
    again = json.loads(json.dumps(payload))
    again["header"]["event_id"] = "reconnected-" + str(payload["header"]["event_id"])  # type: ignore[index]
    assert server.deliver(again)[0] == 200
    server.settle()
    assert server.items() == 1
    server.wait_for_cards(LOGISTICS, 1)
    assert len(server.cards_in(LOGISTICS)) == 1
    # The rows keep the event, not the verification token it carried.
    with server.app.store.unit_of_work() as uow:
        stored = json.dumps([row.payload for row in uow.session.scalars(select(InboxTask))])
    assert str(payload["event"]["message"]["message_id"]) in stored  # type: ignore[index]
    assert str(server.feishu.verification_token) not in stored


@pytest.mark.parametrize(
    "forge",
    [
        "bad-signature",
        "no-signature",
        "wrong-token",
        "not-encrypted",
        "other-key",
        "not-json",
    ],
)
def test_forged_requests_get_401_and_store_nothing(
    feishu_on_sqlite: FeishuServer, forge: str
) -> None:
    """Signature, encryption and verification token are checked before anything is kept."""
    server, fake = feishu_on_sqlite, feishu_on_sqlite.feishu
    payload = _ask_payload(server)
    if forge == "wrong-token":
        payload["header"]["token"] = "not-the-token"  # type: ignore[index]
    key = "someone-elses-key" if forge == "other-key" else fake.encrypt_key
    signed = crypto.build_request(payload, encrypt_key=key)
    headers, body = dict(signed.headers), signed.body
    if forge == "bad-signature":
        headers[crypto.SIGNATURE] = "0" * 64
    elif forge == "no-signature":
        headers = {"Content-Type": "application/json"}
    elif forge == "not-encrypted":
        body = json.dumps(payload).encode()
        headers[crypto.SIGNATURE] = crypto.signature(
            headers[crypto.TIMESTAMP], headers[crypto.NONCE], str(fake.encrypt_key), body
        )
    elif forge == "not-json":
        body = b"\xff\xfe not json"
        headers[crypto.SIGNATURE] = crypto.signature(
            headers[crypto.TIMESTAMP], headers[crypto.NONCE], str(fake.encrypt_key), body
        )
    status, _ = server.post_raw(body, headers)
    assert status == 401
    assert server.inbox_rows() == 0 and server.items() == 0


def test_another_tenants_events_are_acknowledged_and_ignored(feishu_server: FeishuServer) -> None:
    """A correctly signed event of another tenant: 200, nothing stored, nothing sent."""
    server, fake = feishu_server, feishu_server.feishu
    payload = events.envelope(
        events.MESSAGE_RECEIVE,
        events.message_event(chat_id=SERVICE, sender=ALICE, text=ASK, chat_type="p2p"),
        app_id=fake.app_id,
        tenant_key="another-company",
        token=str(fake.verification_token),
    )
    status, answer = server.deliver(payload)
    assert status == 200 and answer == {}
    assert server.inbox_rows() == 0
    assert fake.calls_to("messages.create") == [] and fake.calls_to("ephemeral.send") == []


def test_the_url_check_gets_its_challenge(feishu_on_sqlite: FeishuServer) -> None:
    """Saving the request URL in Feishu's console: the challenge comes back."""
    fake = feishu_on_sqlite.feishu
    check = events.url_verification(token=str(fake.verification_token), challenge="c-123")
    assert feishu_on_sqlite.deliver(check) == (200, {"challenge": "c-123"})


def test_group_chatter_not_for_the_bot_is_not_stored(feishu_on_sqlite: FeishuServer) -> None:
    """With im:message.group_msg the bot sees every group message: only its own are kept."""
    server = feishu_on_sqlite
    server.say("今天谁值班？", sender=ALICE, chat=SERVICE, to_bot=False)
    server.react("om_not_a_card", "THUMBSUP", operator=ALICE)
    assert server.inbox_rows() == 0


@pytest.mark.parametrize(
    "event_type, event",
    [
        (events.CARD_ACTION, {"operator": {"open_id": ALICE}, "action": {"value": [1, 2]}}),
        (
            events.CARD_ACTION,
            {
                "operator": {"open_id": ALICE},
                "action": {"value": {"action": "xdept_ack", "value": {"not": "a code"}}},
                "context": {"open_message_id": "om_x", "open_chat_id": SERVICE},
            },
        ),
        (events.MESSAGE_RECEIVE, {"message": {"content": "not json"}, "sender": {}}),
        (events.REACTION_CREATED, {"message_id": "om_x", "reaction_type": "DONE"}),
        ("im.something.new_v9", {"anything": True}),
    ],
)
def test_odd_authentic_events_are_answered_200(
    feishu_on_sqlite: FeishuServer, event_type: str, event: dict[str, object]
) -> None:
    """Authentic but odd events: acknowledged (an error toast at most), never a 500."""
    status, answer = feishu_on_sqlite.deliver(feishu_on_sqlite.feishu.event(event_type, event))
    assert status == 200
    assert answer == {} or answer["toast"]["type"] in ("error", "warning")
    feishu_on_sqlite.settle()
    assert feishu_on_sqlite.items() == 0


def _p2p_hello(server: FeishuServer, tenant: str) -> dict[str, object]:
    fake = server.feishu
    return events.envelope(
        events.MESSAGE_RECEIVE,
        events.message_event(
            chat_id=fake.dm_chat(ALICE), sender=ALICE, text="help", chat_type="p2p"
        ),
        app_id=fake.app_id,
        tenant_key=tenant,
        token=str(fake.verification_token),
    )


def test_without_the_tenant_permission_the_first_tenant_seen_is_ours(
    feishu_server: FeishuServer,
) -> None:
    """Feishu refuses the tenant query (no permission, or a 404): the app's own events
    still work, and another tenant's are still ignored."""
    server, fake = feishu_server, feishu_server.feishu
    fake.fail_next("tenant.query", Failure(99991672, "Access denied: tenant:tenant:readonly"))
    assert server.deliver(_p2p_hello(server, fake.tenant_key))[0] == 200
    assert server.deliver(_p2p_hello(server, "another-company"))[0] == 200
    server.settle()
    assert server.inbox_rows() == 1
    assert len(server.dms_to(ALICE)) == 1


def test_while_feishu_is_unreachable_events_are_refused_for_now(
    feishu_server: FeishuServer,
) -> None:
    """The tenant cannot be asked (a 502): 503, nothing stored; Feishu sends it again."""
    server, fake = feishu_server, feishu_server.feishu
    fake.fail_next("tenant.query", server_error())
    assert server.deliver(_p2p_hello(server, fake.tenant_key))[0] == 503
    assert server.inbox_rows() == 0
    assert server.deliver(_p2p_hello(server, fake.tenant_key))[0] == 200
    assert server.inbox_rows() == 1


def test_while_the_bot_cannot_say_who_it_is_its_leading_mention_still_counts(
    feishu_server: FeishuServer,
) -> None:
    """bot/v3/info fails: `@xdept ask ...` in a group is still a command to the bot."""
    server, fake = feishu_server, feishu_server.feishu
    server.add_logistics()
    server.platforms.feishu.deps.directory._bot.forget("bot")  # type: ignore[union-attr]
    fake.fail_next("bot.info", Failure(99991672, "Access denied"), times=10)
    server.say("ask @物流 周五前确认退货", sender=ALICE, chat=SERVICE)
    server.settle()
    assert server.items() == 1


@pytest.mark.parametrize("prefix", ["/xdept", "@xdept"])
def test_a_slash_command_in_a_group_is_for_the_bot(
    feishu_server: FeishuServer, prefix: str
) -> None:
    """A registered slash command (or `@xdept` typed as text) needs no mention."""
    server = feishu_server
    server.add_logistics()
    server.say(f"{prefix} ask @物流 周五前确认退货", sender=ALICE, chat=SERVICE, to_bot=False)
    server.settle()
    assert server.items() == 1


def test_acknowledge_answers_with_the_updated_card_once(
    feishu_server: FeishuServer,
) -> None:
    """A member's click: success toast and the card in its new state; a double click: once."""
    server = feishu_server
    server.add_logistics()
    server.say("ask @物流 请核对上周的 5 单拒收，明天下班前", sender=ALICE, chat=SERVICE)
    server.settle()
    filed = server.wait_for_cards(LOGISTICS, 1)[0].message_id
    answer = server.click(filed, {"action": "xdept_ack", "value": "XD-1"}, operator=CHEN)
    assert answer["toast"]["type"] == "success"
    assert answer["card"]["type"] == "raw"
    shown = json.dumps(answer["card"]["data"], ensure_ascii=False)
    assert "已确认" in shown or "确认收到" in shown
    again = server.click(filed, {"action": "xdept_ack", "value": "XD-1"}, operator=CHEN)
    assert again["toast"] == {"type": "info", "content": "已处理，无需重复点击。"}
    assert "card" not in again
    server.settle()
    item = server.item("XD-1")
    assert item.status is Status.ACKNOWLEDGED and item.owner_id == CHEN
    acks = [u for u in item.updates if u.kind is UpdateKind.ACKNOWLEDGED]
    assert len(acks) == 1
