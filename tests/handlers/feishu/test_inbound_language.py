"""Feishu gives no locale: a person is addressed in their own `lang` setting, else the
workspace default, Chinese on Feishu even where XDEPT_LOCALE was left at its default
(SPEC). Checked on the escalation an escalation contact receives by DM."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.db import Store
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, LOGISTICS
from tests.handlers.feishu import inbound_support
from tests.handlers.feishu.inbound_support import (
    SERVICE,
    ZHAO,
    FeishuServer,
    card_text,
    feishu_fake,
)

__all__ = ["feishu_fake"]


@pytest.fixture(params=["feishu", "feishu+slack"])
def untuned(
    request: pytest.FixtureRequest,
    sqlite_url: str,
    feishu_fake: FakeFeishu,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FeishuServer]:
    """The app as an operator runs it who never set XDEPT_LOCALE (its default is en), on
    Feishu alone and on one server with Slack too."""
    made = inbound_support.feishu_settings
    slack: dict[str, object] = {}
    if request.param == "feishu+slack":
        slack = {"slack_bot_token": "xoxb-test", "slack_signing_secret": "s3cret"}

    def defaulted(fake: FakeFeishu, **overrides: object) -> object:
        settings = made(fake, **{"xdept_locale": "en", **slack, **overrides})
        settings.__pydantic_fields_set__.discard("xdept_locale")
        return settings

    monkeypatch.setattr(inbound_support, "feishu_settings", defaulted)
    store = Store.from_url(sqlite_url)
    try:
        yield from inbound_support._serving(store, feishu_fake)
    finally:
        store.dispose()


def _escalate(server: FeishuServer) -> str:
    server.add_logistics()
    server.say("ask @物流 请核对上周的 5 单拒收，明天下班前", sender=ALICE, chat=SERVICE)
    server.settle()
    card = str(server.wait_for_cards(LOGISTICS, 1)[0].message_id)
    answer = server.click(card, {"action": "xdept_escalate", "value": "XD-1"}, operator=ALICE)
    assert answer["toast"]["type"] == "success", answer
    server.settle()
    escalations = [m for m in server.dms_to(ZHAO) if "XD-1" in card_text(m)]
    assert len(escalations) == 1
    return card_text(escalations[0])


def test_a_contact_who_never_used_the_bot_gets_chinese(untuned: FeishuServer) -> None:
    """The manager never wrote to the bot: the escalation is in Chinese."""
    text = _escalate(untuned)
    assert "背景" in text and "Background" not in text


def test_a_contact_who_chose_english_gets_english(untuned: FeishuServer) -> None:
    """The manager set `@xdept lang en` once: the escalation is in English."""
    untuned.say("lang en", sender=ZHAO, chat=untuned.feishu.dm_chat(ZHAO), chat_type="p2p")
    untuned.settle()
    text = _escalate(untuned)
    assert "Background" in text and "背景" not in text
