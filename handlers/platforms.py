"""The chat platforms one process serves, over one app: Slack, Feishu, or both.

`xdept serve` (each HTTP worker and the inbox process), `xdept worker` and
`xdept feishu connect` build the same thing here: one store, one core, one
delivery that finds each workspace's messenger by its platform, and each
configured platform's adapter over them. The HTTP front door gets
`/slack/events` when Slack's settings are present and `/feishu/events` when
Feishu's are; the inbox workers get both platforms' handlers, so any process
works any row. Without Feishu settings nothing here imports lark-oapi.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.bootstrap import App, bootstrap
from bot.config import ConfigError, Settings, SlackMode
from bot.ports import ByPlatform, Messengers
from handlers.runtime.frontdoor import FrontDoor
from handlers.runtime.inbox import Route
from storage.db import Store

if TYPE_CHECKING:
    from handlers.feishu.adapter import FeishuAdapter, FeishuParts
    from handlers.feishu.resolver import OwnTenant
    from handlers.slack.adapter import SlackAdapter

log = logging.getLogger(__name__)

FEISHU_SETTINGS = ("feishu_app_id", "feishu_app_secret", "feishu_verification_token")


def serves_slack(settings: Settings) -> bool:
    """Whether Slack's settings are present (one workspace, or installs through OAuth)."""
    return settings.slack_mode is not SlackMode.NONE


def serves_feishu(settings: Settings) -> bool:
    """Whether Feishu's settings are present (FEISHU_APP_ID, at least)."""
    return settings.feishu_app_id is not None


def require_platform(settings: Settings) -> None:
    """ConfigError unless at least one platform is configured, and configured whole."""
    if not serves_slack(settings) and not serves_feishu(settings):
        raise ConfigError(
            "no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
            "for Slack, or FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_VERIFICATION_TOKEN "
            "for Feishu (or both)"
        )
    if serves_feishu(settings):
        settings.require(*FEISHU_SETTINGS)


def preload(settings: Settings) -> None:
    """Import what the configured platforms need, before `serve` forks its workers.

    lark-oapi takes seconds to import: longer than Feishu waits for an answer.
    """
    if serves_feishu(settings):
        import handlers.feishu.adapter  # noqa: F401
        from handlers.feishu import sdk

        sdk.load()


@dataclass
class Platforms:
    """The app and the adapters of the configured platforms."""

    app: App
    slack: SlackAdapter | None = None
    feishu: FeishuAdapter | None = None

    def routes(self) -> dict[str, Route]:
        """Every platform's inbox handlers, by row kind."""
        routes: dict[str, Route] = {}
        for adapter in (self.slack, self.feishu):
            if adapter is not None:
                routes.update(adapter.routes())
        return routes

    def front_door(self) -> FrontDoor:
        """The HTTP front door with each configured platform's endpoint."""
        if self.slack is not None:
            from handlers.slack.wsgi import front_door

            door = front_door(self.slack)
        else:
            store = self.app.store
            door = FrontDoor({}, healthy=store.ping, on_close=store.dispose)
        if self.feishu is not None:
            from handlers.feishu.adapter import EVENTS_PATH
            from handlers.feishu.endpoint import FeishuEndpoint
            from handlers.feishu.verify import FeishuSecrets

            secrets = FeishuSecrets.from_settings(self.app.settings)
            door.endpoints[EVENTS_PATH] = FeishuEndpoint(self.feishu.intake, secrets)
        return door


def feishu_messengers(
    settings: Settings,
    parts: FeishuParts,
    tenant: OwnTenant,
    sleep: Callable[[float], None] | None = None,
) -> Messengers:
    """Who speaks for Feishu workspaces: the self-built app's paced messenger, for its own
    tenant only (the same check the event front door makes)."""
    from handlers.feishu.messengers import FeishuMessengers

    return FeishuMessengers(parts.messenger(settings, sleep=sleep), tenant=tenant)


def slack_messengers(settings: Settings, store: Store) -> Messengers:
    """Who speaks for Slack workspaces beside Feishu: each team with its own token."""
    from handlers.slack.adapter import slack_teams
    from handlers.slack.clients import SlackMessengers

    return SlackMessengers(slack_teams(settings, store).clients)


def build(
    settings: Settings,
    *,
    store: Store | None = None,
    ring: Callable[[], None] | None = None,
    http: bool = True,
    sleep: Callable[[float], None] | None = None,
) -> Platforms:
    """The configured platforms over one app (built over `store` if given).

    `http`: requests arrive over HTTP and must be signed (not a worker, not a socket).
    `sleep`: how delivery waits between messages to one chat (tests pass a no-op).
    """
    require_platform(settings)
    if not serves_feishu(settings):
        from handlers.slack.adapter import build_slack

        slack = build_slack(settings, store=store, ring=ring, http=http)
        return Platforms(app=slack.app, slack=slack)
    from handlers.feishu.adapter import FeishuParts, build_feishu, known_tenants
    from handlers.feishu.resolver import OwnTenant

    with_slack = serves_slack(settings)
    if not with_slack and "xdept_locale" not in settings.model_fields_set:
        # Feishu gives no language per person: a Feishu-only server speaks Chinese.
        settings = settings.model_copy(update={"xdept_locale": "zh"})
    parts = FeishuParts.from_settings(settings)
    store = store or Store.from_url(settings.sqlalchemy_url)
    platforms: list[Platforms] = []
    # Asked by delivery and by the front door alike; it reads the database once built.
    tenant = OwnTenant(
        parts.api, known=lambda: known_tenants(platforms[0].app) if platforms else []
    )
    directories = {"feishu": feishu_messengers(settings, parts, tenant, sleep)}
    if with_slack:
        directories["slack"] = slack_messengers(settings, store)

    def channel_private(workspace: str, channel: str) -> bool:
        # Feishu's chat ids start with oc_; anything else is Slack's.
        if channel.startswith("oc_"):
            return parts.resolver.chat_private(channel)
        slack = platforms[0].slack if platforms else None
        if slack is None:
            return False
        return slack.deps.resolver.channel_private(workspace, channel)

    def person_locale(workspace: str, user: str) -> str | None:
        # Feishu's open ids start with ou_. Feishu has no language per person: its people
        # speak the Feishu default, as they do from their first message to the bot.
        if user.startswith("ou_"):
            return parts.resolver.locale
        slack = platforms[0].slack if platforms else None
        return slack.deps.resolver.actor(workspace, user).locale if slack else None

    app = bootstrap(
        settings,
        messengers=ByPlatform(directories),
        store=store,
        migrate=False,
        channel_private=channel_private,
        sleep=sleep,
        person_locale=person_locale,
    )
    result = Platforms(app=app)
    if with_slack:
        from handlers.slack.adapter import build_slack

        result.slack = build_slack(settings, app=app, ring=ring, http=http)
    result.feishu = build_feishu(settings, app=app, parts=parts, ring=ring, tenant=tenant)
    platforms.append(result)
    return result


def create_wsgi_app(settings: Settings, *, ring: Callable[[], None] | None = None) -> FrontDoor:
    """Build an HTTP worker's application (in each worker after the fork, never at import).

    Its connections are not pinged before each use: the acknowledgement would wait on
    one more round trip to the database (storing a request tries once more instead).
    """
    if not serves_feishu(settings):
        from handlers.slack.wsgi import create_wsgi_app as slack_only

        return slack_only(settings, ring=ring)
    store = Store.from_url(settings.sqlalchemy_url, pool_pre_ping=False)
    return build(settings, store=store, ring=ring).front_door()
