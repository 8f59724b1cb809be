"""A small tenant for Feishu tests: people, departments, a normal group and a topic group."""

from __future__ import annotations

from tests.fakes.feishu.server import FakeFeishu

ALICE = "ou_alice0000000000000000000000000"  # customer service, files requests
WANG = "ou_wang00000000000000000000000000"  # lead of logistics
CHEN = "ou_chen00000000000000000000000000"  # member of logistics
LOGISTICS = "oc_logistics000000000000000000000"  # the logistics group
TOPICS = "oc_topics0000000000000000000000000"  # a topic group


def seed(fake: FakeFeishu) -> FakeFeishu:
    """Fill a fake with the tenant above."""
    fake.add_user(ALICE, "李娜", department_ids=["od-service"], leader_user_id=WANG)
    fake.add_user(WANG, "王强", department_ids=["od-logistics"], is_tenant_manager=True)
    fake.add_user(CHEN, "陈晨", time_zone="Europe/Berlin", department_ids=["od-logistics"])
    fake.add_department("od-logistics", "物流部", leader_user_id=WANG, chat_id=LOGISTICS)
    fake.add_chat(LOGISTICS, "物流部", members=[ALICE, WANG, CHEN])
    fake.add_chat(TOPICS, "需求讨论", chat_mode="topic", members=[ALICE, WANG])
    return fake
