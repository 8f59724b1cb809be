"""The fake Slack as a referee of delivery: its per-channel pace, message metadata, and
history windows (`oldest`, `latest`, `include_all_metadata`)."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import FakeSlack

META = {"event_type": "xdept_outbox", "event_payload": {"key": "k1"}}


def test_a_post_sooner_than_the_interval_is_refused_with_429_and_counted() -> None:
    with FakeSlack(chat_interval=30) as slack:
        slack.add_channel("C1", "one")
        slack.add_channel("C2", "two")
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        client.chat_postMessage(channel="C1", text="first")
        client.chat_postMessage(channel="C2", text="another channel is not held")
        with pytest.raises(SlackApiError) as refused:
            client.chat_postMessage(channel="C1", text="too soon")
        assert refused.value.response.status_code == 429
        assert refused.value.response.headers["Retry-After"] == "30"
        assert [channel for channel, _gap in slack.pace_violations] == ["C1"]
        assert len(slack.messages("C1")) == 1


def test_metadata_needs_an_event_type_and_a_payload() -> None:
    with FakeSlack() as slack:
        slack.add_channel("C1", "one")
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        with pytest.raises(SlackApiError) as bad:
            client.chat_postMessage(channel="C1", text="x", metadata={"event_type": "e"})
        assert bad.value.response["error"] == "invalid_metadata_schema"


def test_history_lists_a_window_and_metadata_only_when_asked() -> None:
    base = int(time.time())
    with FakeSlack(ts_base=base) as slack:
        slack.add_channel("C1", "one")
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        first = client.chat_postMessage(channel="C1", text="a", metadata=META)["ts"]
        second = client.chat_postMessage(channel="C1", text="b", metadata=META)["ts"]
        plain = client.conversations_history(channel="C1")["messages"]
        assert [m["ts"] for m in plain] == [second, first]
        assert all("metadata" not in m for m in plain)
        window = client.conversations_history(
            channel="C1", oldest=first, include_all_metadata=True
        )["messages"]
        assert [m["ts"] for m in window] == [second]
        assert window[0]["metadata"] == META
        inclusive = client.conversations_history(channel="C1", oldest=first, inclusive=True)
        assert len(inclusive["messages"]) == 2
        replies = client.conversations_replies(channel="C1", ts=first, oldest=second)
        assert [m["ts"] for m in replies["messages"]] == [first]  # the parent always
