"""The Slack adapter assembled: client, resolver, core, inbox, Bolt, and the inbox handlers.

Every mode builds it the same way: `xdept serve` in each HTTP worker (where
it only stores and acknowledges) and in its inbox process (where it works
the rows), `xdept worker`, `xdept socket`, and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App as BoltApp

from bot.bootstrap import App, bootstrap
from bot.config import ConfigError, Settings
from handlers.runtime.inbox import Inbox, Route
from handlers.slack.app import build_bolt_app, slack_routes
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.resolver import Resolver
from handlers.slack.runtime import Deps
from storage.db import Store


@dataclass
class SlackAdapter:
    """Everything the Slack side of one process holds."""

    deps: Deps
    bolt: BoltApp

    @property
    def app(self) -> App:
        """The core's app (store, messenger, core, deliverer)."""
        return self.deps.app

    def routes(self) -> dict[str, Route]:
        """The inbox handlers of the Slack listeners."""
        return slack_routes(self.deps)


def build_slack(
    settings: Settings,
    *,
    app: App | None = None,
    store: Store | None = None,
    ring: Callable[[], None] | None = None,
    http: bool = True,
) -> SlackAdapter:
    """The Slack adapter over `app` (built from the settings, over `store` if given).

    `http`: requests arrive over HTTP and must be signed (not Socket Mode, not a worker).
    """
    signing = settings.slack_signing_secret
    secret = signing.get_secret_value() if signing else None
    if not secret and http:
        # Without a secret every forged request would pass: HTTP mode refuses to start.
        raise ConfigError("SLACK_SIGNING_SECRET is required to answer Slack over HTTP")
    client = make_client(settings)
    resolver = Resolver(client)
    if app is None:
        app = bootstrap(
            settings,
            messenger=SlackMessenger(client),
            store=store,
            migrate=False,
            channel_private=resolver.channel_private,
            person_locale=lambda team, user: resolver.actor(team, user).locale,
        )
    deps = Deps(
        app=app,
        resolver=resolver,
        client=client,
        inbox=Inbox(app.store),
        ring=ring or (lambda: None),
    )
    bolt = build_bolt_app(deps)
    return SlackAdapter(deps=deps, bolt=bolt)
