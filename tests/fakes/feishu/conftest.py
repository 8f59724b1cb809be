"""Fixtures for the fake Feishu's own tests: the fake and a real lark-oapi client on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import seed


@pytest.fixture
def feishu() -> Iterator[FakeFeishu]:
    """A fake tenant (tests.fakes.feishu.tenant)."""
    with FakeFeishu() as fake:
        yield seed(fake)
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
