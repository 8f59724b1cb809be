"""Fixtures for the Slack fakes' own tests: a seeded FakeSlack and a WebClient on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import FakeSlack

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


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    """The Slack error code of a failed WebClient call."""
    return str(excinfo.value.response["error"])
