"""The Slack adapter assembled: teams and their tokens, resolver, core, inbox, Bolt, handlers.

Every mode builds it the same way: `xdept serve` in each HTTP worker (where
it only stores and acknowledges) and in its inbox process (where it works
the rows), `xdept worker`, `xdept socket`, and the tests.

One workspace (SLACK_BOT_TOKEN) or many (SLACK_CLIENT_ID, installs through
OAuth): either way every Slack call names its team and gets that team's
client (handlers.slack.clients), from a listener, an inbox worker or the
scheduler's delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App as BoltApp
from slack_bolt.oauth.oauth_flow import OAuthFlow

from bot.bootstrap import App, bootstrap, chat_messengers
from bot.config import ConfigError, Settings, SlackMode
from handlers.runtime.inbox import Inbox, Route
from handlers.slack.app import build_bolt_app, slack_routes
from handlers.slack.clients import SlackClients, SlackMessengers
from handlers.slack.installation_store import DatabaseInstallationStore
from handlers.slack.messenger import make_client
from handlers.slack.oauth import make_oauth_flow, secret_box
from handlers.slack.resolver import Resolver
from handlers.slack.runtime import Deps
from handlers.slack.team_tokens import InstalledTokens, SingleTeamToken, TeamTokens
from handlers.slack.tenancy import Tenancy, stop_team
from storage.db import Store


@dataclass
class SlackAdapter:
    """Everything the Slack side of one process holds."""

    deps: Deps
    bolt: BoltApp
    oauth_flow: OAuthFlow | None = None

    @property
    def app(self) -> App:
        """The core's app (store, messengers, core, deliverer)."""
        return self.deps.app

    def routes(self) -> dict[str, Route]:
        """The inbox handlers of the Slack listeners."""
        return slack_routes(self.deps)


@dataclass(frozen=True)
class SlackTeams:
    """The Slack side's view of its teams: their tokens and clients, and the install flow."""

    clients: SlackClients
    installations: DatabaseInstallationStore | None
    oauth_flow: OAuthFlow | None


def slack_teams(
    settings: Settings, store: Store, *, tokens: TeamTokens | None = None
) -> SlackTeams:
    """Tokens by team for the settings' mode: SLACK_BOT_TOKEN's team, or each install's."""
    if settings.require_slack() is SlackMode.DISTRIBUTED:
        box = secret_box(settings)
        flow = make_oauth_flow(settings, store=store, box=box, on_uninstall=stop_team)
        installations = flow.settings.installation_store
        assert isinstance(installations, DatabaseInstallationStore)
        clients = SlackClients(settings, tokens or InstalledTokens(store, box))
        return SlackTeams(clients, installations, flow)
    tokens = tokens or SingleTeamToken.lazy(make_client(settings))
    return SlackTeams(SlackClients(settings, tokens), None, None)


def build_slack(
    settings: Settings,
    *,
    app: App | None = None,
    store: Store | None = None,
    ring: Callable[[], None] | None = None,
    http: bool = True,
    tokens: TeamTokens | None = None,
) -> SlackAdapter:
    """The Slack adapter over `app` (built from the settings, over `store` if given).

    `http`: requests arrive over HTTP and must be signed (not Socket Mode, not a worker).
    `tokens`: which teams are served, with which token (default: from the settings).
    """
    signing = settings.slack_signing_secret
    secret = signing.get_secret_value() if signing else None
    if not secret and http:
        # Without a secret every forged request would pass: HTTP mode refuses to start.
        raise ConfigError("SLACK_SIGNING_SECRET is required to answer Slack over HTTP")
    if app is not None:
        store = app.store
    elif store is None:
        store = Store.from_url(settings.sqlalchemy_url)
    teams = slack_teams(settings, store, tokens=tokens)
    resolver = Resolver(teams.clients.client)
    if app is None:
        app = bootstrap(
            settings,
            messengers=chat_messengers(settings, store, slack=SlackMessengers(teams.clients)),
            store=store,
            migrate=False,
            channel_private=resolver.channel_private,
            person_locale=lambda team, user: resolver.actor(team, user).locale,
        )
    tenancy = Tenancy(settings, store, teams.clients, installations=teams.installations)
    deps = Deps(
        app=app,
        resolver=resolver,
        clients=teams.clients,
        tenancy=tenancy,
        inbox=Inbox(app.store),
        ring=ring or (lambda: None),
    )
    bolt = build_bolt_app(deps, oauth_flow=teams.oauth_flow)
    return SlackAdapter(deps=deps, bolt=bolt, oauth_flow=teams.oauth_flow)
