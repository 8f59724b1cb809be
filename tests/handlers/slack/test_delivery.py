"""SlackMessenger against Slack's failures: rate limits, channels the bot is not in, dead ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.i18n import t
from bot.messages import Message, MessageKind, Section, text
from bot.ports import DeliveryCode, DeliveryError, MessageRef
from handlers.slack.messenger import SlackMessenger, make_client
from storage.models import OutboxMessage
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack
from tests.handlers.slack.conftest import ALICE, LOGISTICS, TOKEN, WANG, SlackServer

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HELLO = Message(kind=MessageKind.NOTE, sections=[Section(body=[text("hello")])])


def _rows(server: SlackServer) -> list[OutboxMessage]:
    with server.app.store.unit_of_work() as uow:
        return list(uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@sqlite_only
def test_rate_limited_then_delivered_once(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    reply = slack_server.reply_to("ask @logistics after the rate limit")
    assert "XD-1" in reply
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert len(slack.messages(LOGISTICS)) == 1
    assert slack.permalink(LOGISTICS, slack.messages(LOGISTICS)[0].ts) in reply


@sqlite_only
def test_a_long_retry_after_is_left_to_the_outbox(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    slack.fail_next("chat.postMessage", status=429, retry_after=120)
    reply = slack_server.reply_to("ask @logistics when Slack lets us")
    assert "XD-1" in reply  # filed; the message waits
    assert slack.messages(LOGISTICS) == []
    row = next(r for r in _rows(slack_server) if r.action == "post_tracking")
    assert row.state == "pending" and "rate_limited" in (row.last_error or "")
    later = datetime.now(UTC) + timedelta(seconds=121)
    assert row.next_attempt_at >= later - timedelta(seconds=10)
    slack_server.app.deliver(later)
    assert len(slack.messages(LOGISTICS)) == 1
    slack_server.app.deliver(later + timedelta(minutes=5))
    assert len(slack.messages(LOGISTICS)) == 1


def test_joins_a_public_channel_it_was_not_in(slack_server: SlackServer, slack: FakeSlack) -> None:
    slack.add_channel(LOGISTICS, "logistics", bot_is_member=False)
    slack_server.add_logistics()
    reply = slack_server.reply_to("ask @logistics knock knock")
    assert "XD-1" in reply
    assert len(slack.calls_to("conversations.join")) == 1
    assert len(slack.messages(LOGISTICS)) == 1


@pytest.mark.parametrize("channel_state", ["private, not invited", "archived"])
def test_a_channel_it_cannot_post_in_is_reported_to_the_lead_once(
    slack_server: SlackServer, slack: FakeSlack, channel_state: str
) -> None:
    if channel_state == "archived":
        slack.archive_channel(LOGISTICS)
    else:
        slack.add_channel(LOGISTICS, "logistics", private=True, bot_is_member=False)
    slack_server.add_logistics()
    for n in range(3):
        assert f"XD-{n + 1}" in slack_server.reply_to(f"ask @logistics request {n}")
    lead_dm = slack.dm_channel(WANG)
    slack.wait_for_messages(lead_dm, 1)  # sent after the requester's answer
    slack_server.settle()
    told = slack.messages(lead_dm)
    assert len(told) == 1
    if channel_state != "archived":
        assert "/invite" in told[0].all_text
    assert slack.messages(LOGISTICS) == []
    assert slack.calls_to("conversations.join") == []
    # Nothing is lost: the tracking rows are kept, marked failed with the reason.
    failed = [r for r in _rows(slack_server) if r.action == "post_tracking"]
    assert len(failed) == 3 and {r.state for r in failed} == {"failed"}


def _messenger(slack: FakeSlack) -> SlackMessenger:
    settings = make_settings(slack_bot_token=TOKEN, slack_api_url=slack.api_url)
    return SlackMessenger(make_client(settings))


def test_private_channel_that_refuses_a_join(slack: FakeSlack) -> None:
    slack.add_channel("GPRIV", "secret", private=True)
    slack.fail_next("chat.postMessage", error="not_in_channel")
    with pytest.raises(DeliveryError) as failure:
        _messenger(slack).post(chat="GPRIV", message=HELLO)
    assert failure.value.permanent and failure.value.code is DeliveryCode.NOT_IN_CHAT
    assert "invite" in t("en", failure.value.hint or "")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("channel_not_found", DeliveryCode.GONE),
        ("is_archived", DeliveryCode.GONE),
        ("account_inactive", DeliveryCode.GONE),
        ("invalid_auth", DeliveryCode.AUTH),
        ("msg_too_long", DeliveryCode.TOO_LONG),
        ("invalid_blocks", DeliveryCode.REJECTED),
        ("internal_error", DeliveryCode.TRANSIENT),
        ("fatal_error", DeliveryCode.TRANSIENT),
    ],
)
def test_api_errors_map_to_neutral_codes(slack: FakeSlack, error: str, code: DeliveryCode) -> None:
    slack.fail_next("chat.update", error=error)
    with pytest.raises(DeliveryError) as failure:
        _messenger(slack).update(ref=MessageRef(chat=LOGISTICS, message_id="1.0"), message=HELLO)
    assert failure.value.code is code
    assert failure.value.permanent is (code not in (DeliveryCode.TRANSIENT,))
    assert error in failure.value.reason


def test_a_server_error_is_retried(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", status=503)
    ref = _messenger(slack).post(chat=LOGISTICS, message=HELLO)
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503, 200]
    assert slack.message(LOGISTICS, ref.message_id) is not None


def test_an_unreachable_slack_is_transient() -> None:
    client = WebClient(token=TOKEN, base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    with pytest.raises(DeliveryError) as failure:
        SlackMessenger(client).post(chat=LOGISTICS, message=HELLO)
    assert not failure.value.permanent and failure.value.code is DeliveryCode.UNREACHABLE


def test_direct_messages_files_and_permalinks(slack: FakeSlack) -> None:
    messenger = _messenger(slack)
    ref = messenger.dm(user=ALICE, message=HELLO)
    assert ref.chat == slack.dm_channel(ALICE)
    messenger.dm(user=ALICE, message=HELLO)
    assert len(slack.calls_to("conversations.open")) == 1  # the DM channel is remembered
    messenger.upload(chat=ref.chat, filename="items.csv", content=b"code\nXD-1\n", title="x")
    assert slack.uploads[0].completed and slack.uploads[0].text == "code\nXD-1\n"
    assert messenger.permalink(ref=ref) == slack.permalink(ref.chat, ref.message_id)
    assert messenger.permalink(ref=MessageRef(chat="CNOPE", message_id="1.0")) is None
    messenger.ephemeral(chat=LOGISTICS, user=ALICE, message=HELLO)
    assert slack.ephemerals_to(ALICE)[0].all_text.startswith("hello")
