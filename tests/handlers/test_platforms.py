"""Which platforms a process serves: Slack, Feishu, or both over one app."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from handlers.platforms import build, require_platform
from storage.db import Store
from tests.conftest import make_settings

SLACK = {
    "slack_bot_token": "xoxb-test",
    "slack_signing_secret": "secret",
    "slack_api_url": "http://127.0.0.1:9/api/",
}
FEISHU = {
    "feishu_app_id": "cli_platforms_test",
    "feishu_app_secret": "s",
    "feishu_verification_token": "t",
    "feishu_api_url": "http://127.0.0.1:9",
}


def test_both_platforms_share_one_app_its_front_door_and_its_workers(store: Store) -> None:
    """Both paths on one front door; one set of inbox handlers works both platforms' rows."""
    platforms = build(make_settings(**SLACK, **FEISHU), store=store)
    assert platforms.slack is not None and platforms.feishu is not None
    assert platforms.slack.app is platforms.app and platforms.feishu.app is platforms.app
    assert {"/slack/events", "/feishu/events"} <= set(platforms.front_door().endpoints)
    kinds = set(platforms.routes())
    assert {"slack.command", "feishu.message", "feishu.reaction", "feishu.click"} <= kinds
    # Each workspace's messages go out through its own platform.
    assert platforms.app.settings.xdept_locale == "en"  # as set: Slack people keep it


def test_feishu_alone_speaks_chinese_unless_told_otherwise(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Slack: no /slack/events; Chinese when XDEPT_LOCALE was not set."""
    for name in ("XDEPT_LOCALE", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(database_url="sqlite://", **FEISHU)  # type: ignore[arg-type]
    platforms = build(settings, store=store)
    assert platforms.slack is None
    assert set(platforms.front_door().endpoints) == {"/feishu/events"}
    assert platforms.app.settings.xdept_locale == "zh"
    assert platforms.feishu is not None and platforms.feishu.deps.resolver.locale == "zh"


def test_slack_alone_is_as_before(store: Store) -> None:
    """No Feishu settings: Slack's adapter over its own app, no /feishu/events."""
    platforms = build(make_settings(**SLACK), store=store)
    assert platforms.feishu is None
    assert "/feishu/events" not in platforms.front_door().endpoints


def test_nothing_to_serve_is_refused_in_one_line() -> None:
    """Neither platform configured, or Feishu half configured: a clear ConfigError."""
    with pytest.raises(ConfigError, match="no chat platform is configured"):
        require_platform(make_settings())
    with pytest.raises(ConfigError, match="FEISHU_VERIFICATION_TOKEN"):
        require_platform(make_settings(feishu_app_id="cli_x", feishu_app_secret="s"))


def test_beside_feishu_each_slack_team_still_gets_its_own_token(store: Store) -> None:
    """The delivery's Slack directory is the per-team one, not SLACK_BOT_TOKEN for all."""
    from bot.ports import DeliveryError, WorkspaceAddress
    from handlers.slack.clients import SlackMessengers
    from handlers.slack.team_tokens import SingleTeamToken

    platforms = build(make_settings(**SLACK, **FEISHU), store=store)
    directory = platforms.app.deliverer.messengers
    slack = directory._directories["slack"]  # type: ignore[attr-defined]
    assert isinstance(slack, SlackMessengers)
    # Taught its team without calling Slack: another team's delivery is refused, not sent.
    slack.clients.tokens = SingleTeamToken("T1", "xoxb-test")
    assert slack.for_workspace(WorkspaceAddress(platform="slack", external_id="T1"))
    with pytest.raises(DeliveryError) as refused:
        directory.for_workspace(WorkspaceAddress(platform="slack", external_id="T2"))
    assert refused.value.code.value == "auth" and refused.value.permanent
