"""The "Add to Slack" install: Bolt's OAuth flow over xdept's stores and settings.

`GET /slack/install` offers the button and `GET /slack/oauth_redirect`
completes OAuth v2: the front door hands both to this flow
(handlers.slack.wsgi.OAuthPages), and the Bolt App that takes it as
`oauth_flow=` authorizes each request with its own team's token
(handlers.slack.tenancy).
"""

from __future__ import annotations

from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.config import Settings
from handlers.slack.installation_store import (
    Clock,
    DatabaseInstallationStore,
    DatabaseOAuthStateStore,
    OnUninstall,
    wall_clock,
)
from storage.crypto import SecretBox
from storage.db import Store

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600
OAUTH_TIMEOUT = 10
# The bot scopes of manifest.yml (a test keeps the two equal).
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "reactions:read",
    "usergroups:read",
    "users:read",
)


def secret_box(settings: Settings) -> SecretBox:
    """The box over XDEPT_SECRET_KEY (BadSecretKey names a malformed key)."""
    return SecretBox(settings.secret_keys)


def install_url(settings: Settings) -> str | None:
    """Where a workspace installs the app (needs XDEPT_PUBLIC_URL)."""
    return settings.xdept_public_url + INSTALL_PATH if settings.xdept_public_url else None


def make_oauth_flow(
    settings: Settings,
    *,
    store: Store,
    box: SecretBox,
    clock: Clock = wall_clock,
    on_uninstall: OnUninstall | None = None,
) -> OAuthFlow:
    """The flow a Bolt App takes as `oauth_flow=`: xdept's stores, the manifest's scopes.

    It calls SLACK_API_URL's oauth.v2.access with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET;
    the App authorizes each request through `flow.settings.installation_store`.
    """
    public = settings.xdept_public_url
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.secret("slack_client_secret"),
        scopes=list(BOT_SCOPES),
        # Without it Slack uses the app's one configured redirect URL.
        redirect_uri=public + REDIRECT_PATH if public else None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=DatabaseInstallationStore(
            store, box, clock=clock, on_uninstall=on_uninstall
        ),
        state_store=DatabaseOAuthStateStore(store, expiration_seconds=STATE_SECONDS, clock=clock),
        state_expiration_seconds=STATE_SECONDS,
    )
    client = WebClient(base_url=settings.slack_api_url, timeout=OAUTH_TIMEOUT)
    return OAuthFlow(client=client, settings=oauth)
