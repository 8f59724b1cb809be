"""Fixtures for the fake Feishu's own tests: the fake and a real lark-oapi client on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.feishu.server import FakeFeishu

ALICE = "ou_alice0000000000000000000000000"
WANG = "ou_wang00000000000000000000000000"
LOGISTICS = "oc_logistics000000000000000000000"
TOPICS = "oc_topics0000000000000000000000000"


@pytest.fixture
def feishu() -> Iterator[FakeFeishu]:
    """A fake tenant: alice and wang, the logistics group and a topic group."""
    with FakeFeishu() as fake:
        fake.add_user(ALICE, "李娜", department_ids=["od-service"], leader_user_id=WANG)
        fake.add_user(WANG, "王强", time_zone="Asia/Shanghai", department_ids=["od-logistics"])
        fake.add_department("od-logistics", "物流部", leader_user_id=WANG, chat_id=LOGISTICS)
        fake.add_chat(LOGISTICS, "物流部", members=[ALICE, WANG])
        fake.add_chat(TOPICS, "需求讨论", chat_mode="topic", members=[ALICE, WANG])
        yield fake
        assert fake.errors == []


@pytest.fixture
def lark_client(feishu: FakeFeishu) -> Any:
    """The real SDK's client, its domain set to the fake."""
    import lark_oapi as lark

    return (
        lark.Client.builder()
        .app_id(feishu.app_id)
        .app_secret(feishu.app_secret)
        .domain(feishu.url)
        .timeout(5)
        .log_level(lark.LogLevel.ERROR)
        .build()
    )
