"""Cached lookups of chats, people and the bot, over the real SDK and the fake."""

from __future__ import annotations

import pytest

from bot.ports import DeliveryCode, DeliveryError
from handlers.feishu.api import FeishuApi
from handlers.feishu.directory import FeishuDirectory
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, TOPICS, WANG


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_chat_kinds_decide_ephemeral(api: FeishuApi, feishu: FakeFeishu) -> None:
    """Normal groups allow ephemeral cards; topic groups and direct chats do not."""
    directory = FeishuDirectory(api)
    group, topics = directory.chat(LOGISTICS), directory.chat(TOPICS)
    direct = directory.chat(feishu.dm_chat(ALICE))
    assert (group.mode, group.name, group.allows_ephemeral) == ("group", "物流部", True)
    assert (topics.mode, topics.threaded, topics.allows_ephemeral) == ("topic", True, False)
    assert (direct.mode, direct.allows_ephemeral) == ("p2p", False)


def test_lookups_are_cached_for_a_while(api: FeishuApi, feishu: FakeFeishu) -> None:
    """A second lookup within the hour asks nobody; after it, Feishu is asked again."""
    clock = Clock()
    directory = FeishuDirectory(api, ttl=60, clock=clock)
    directory.chat(LOGISTICS)
    directory.chat(LOGISTICS)
    assert len(feishu.calls_to("chats.get")) == 1
    clock.now = 61
    directory.chat(LOGISTICS)
    assert len(feishu.calls_to("chats.get")) == 2
    directory.forget_chat(LOGISTICS)
    directory.chat(LOGISTICS)
    assert len(feishu.calls_to("chats.get")) == 3


def test_people_and_the_bot(api: FeishuApi, feishu: FakeFeishu) -> None:
    """A person's name, zone, departments, leader and admin flag; the bot's own open_id."""
    directory = FeishuDirectory(api)
    alice, wang, chen = directory.person(ALICE), directory.person(WANG), directory.person(CHEN)
    assert (alice.name, alice.leader, alice.department_ids) == ("李娜", WANG, ("od-service",))
    assert wang.is_admin and not alice.is_admin
    assert chen.time_zone == "Europe/Berlin"
    assert directory.bot_open_id() == feishu.bot_open_id
    directory.bot_open_id()
    assert len(feishu.calls_to("bot.info")) == 1
    assert api.department("od-logistics")["leader_user_id"] == WANG
    assert api.tenant()["tenant_key"] == feishu.tenant_key


def test_lookup_failures_are_delivery_errors(api: FeishuApi, feishu: FakeFeishu) -> None:
    """A chat without the bot is NOT_IN_CHAT; someone outside the contact scope is AUTH."""
    feishu.world.chats[LOGISTICS].bot_in_chat = False
    with pytest.raises(DeliveryError) as chat:
        FeishuDirectory(api).chat(LOGISTICS)
    assert chat.value.code is DeliveryCode.NOT_IN_CHAT
    with pytest.raises(DeliveryError) as person:
        FeishuDirectory(api).person("ou_stranger")
    assert person.value.code is DeliveryCode.AUTH


def test_reading_a_message_back(api: FeishuApi, feishu: FakeFeishu) -> None:
    """GET of a message (the text `@xdept track` quotes) gives its content and chat."""
    event = feishu.person_message(chat_id=LOGISTICS, sender=ALICE, text="三个托盘还没到")
    message = api.message(event["event"]["message"]["message_id"])
    assert message["chat_id"] == LOGISTICS
    assert "三个托盘还没到" in message["body"]["content"]
