"""The Feishu adapter under test: a fake Feishu over HTTP and the real lark-oapi client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import Settings
from handlers.feishu.api import FeishuApi, make_client
from handlers.feishu.messenger import FeishuMessenger
from tests.conftest import make_settings
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import seed


@pytest.fixture
def feishu() -> Iterator[FakeFeishu]:
    """A fake tenant (tests.fakes.feishu.tenant), with its own app id."""
    with FakeFeishu() as fake:
        yield seed(fake)
        assert fake.errors == []


def feishu_settings(fake: FakeFeishu, **overrides: object) -> Settings:
    """Settings pointing at a fake Feishu."""
    values: dict[str, object] = {
        "feishu_app_id": fake.app_id,
        "feishu_app_secret": fake.app_secret,
        "feishu_verification_token": fake.verification_token,
        "feishu_encrypt_key": fake.encrypt_key,
        "feishu_api_url": fake.url,
        "xdept_locale": "zh",
    }
    values.update(overrides)
    return make_settings(**values)


@pytest.fixture
def api(feishu: FakeFeishu) -> FeishuApi:
    """FeishuApi over the real SDK, pointed at the fake."""
    return FeishuApi(make_client(feishu_settings(feishu)))


@pytest.fixture
def messenger(api: FeishuApi) -> FeishuMessenger:
    """The messenger under test."""
    return FeishuMessenger(api)
