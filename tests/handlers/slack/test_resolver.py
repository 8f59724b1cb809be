"""Slack ids resolved once and cached: zone, language, admin flag, user groups, channel privacy."""

from __future__ import annotations

from handlers.slack.messenger import make_client
from handlers.slack.resolver import USER_TTL, Resolver
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack
from tests.handlers.slack.conftest import ADMIN, CHEN, LOGISTICS_GROUP, TEAM, TOKEN


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _resolver(slack: FakeSlack, clock: Clock | None = None) -> Resolver:
    client = make_client(make_settings(slack_bot_token=TOKEN, slack_api_url=slack.api_url))
    return Resolver(client, clock=clock or Clock())


def test_a_person_is_looked_up_once_per_ttl(slack: FakeSlack) -> None:
    clock = Clock()
    resolver = _resolver(slack, clock)
    chen = resolver.actor(TEAM, CHEN)
    assert (chen.timezone, chen.locale, chen.is_admin) == ("Asia/Shanghai", "zh-CN", False)
    assert chen.usergroups == frozenset({LOGISTICS_GROUP})
    assert resolver.actor(TEAM, CHEN) == chen
    assert len(slack.calls_to("users.info")) == 1
    assert slack.calls_to("users.info")[0].params["include_locale"] in ("true", "1", True)
    clock.now += USER_TTL + 1
    resolver.actor(TEAM, CHEN)
    assert len(slack.calls_to("users.info")) == 2


def test_admins_and_owners_are_admins(slack: FakeSlack) -> None:
    slack.add_user("UOWNER", "owner", is_owner=True)
    resolver = _resolver(slack)
    assert resolver.actor(TEAM, ADMIN).is_admin
    assert resolver.actor(TEAM, "UOWNER").is_admin


def test_an_unknown_person_still_acts_with_defaults(slack: FakeSlack) -> None:
    actor = _resolver(slack).actor(TEAM, "UGHOST")
    assert actor.user_id == "UGHOST" and actor.timezone is None and actor.locale is None


def test_channel_privacy(slack: FakeSlack) -> None:
    slack.add_channel("CPUB", "public")
    slack.add_channel("CPRIV", "private", private=True)
    slack.add_channel("CHIDDEN", "hidden", private=True, bot_is_member=False)
    resolver = _resolver(slack)
    assert resolver.channel_private("T1", "CPUB") is False
    assert resolver.channel_private("T1", "CPRIV") is True
    assert resolver.channel_private("T1", "CHIDDEN") is True  # cannot see it: treated as private
    resolver.channel_private("T1", "CPRIV")
    assert len(slack.calls_to("conversations.info")) == 3
