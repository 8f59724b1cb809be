"""Installing the app through OAuth: state issued, reused and forged; tokens per team.

A Bolt App built with xdept's OAuth flow is served over real HTTP; a small
fake of Slack's Web API (oauth.v2.access, auth.test, and a recorder for every
other method) stands in for slack.com.
"""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import yaml
from slack_bolt import App as BoltApp
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import text

from bot.config import Settings
from handlers.slack.installation_store import DatabaseInstallationStore
from handlers.slack.oauth import (
    BOT_SCOPES,
    INSTALL_PATH,
    REDIRECT_PATH,
    install_url,
    make_oauth_flow,
)
from handlers.slack.team_tokens import InstalledTokens, NotInstalled, SingleTeamToken
from storage.crypto import SecretBox, generate_key
from storage.db import Store, UnitOfWork
from storage.models import Base
from storage.tenancy_models import InstallationState
from tests.conftest import make_settings
from tests.fakes.slack import signed_post, slash_command_body
from tests.web_api import json_api

SECRET = "oauth-test-signing-secret"
CLIENT_SECRET = "oauth-test-client-secret"
# What the fake's oauth.v2.access gives for each code: team, bot token, installer.
CODES = {
    "code-a": ("TA", "Team A", "xoxb-team-a-0001", "UINSTALLA"),
    "code-b": ("TB", "Team B", "xoxb-team-b-0002", "UINSTALLB"),
}


@dataclass
class FakeWebApi:
    """Slack's Web API as far as an install and a reply need it; records every call."""

    calls: list[tuple[str, str | None, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def answer(
        self, method: str, headers: Mapping[str, str], form: dict[str, str]
    ) -> dict[str, Any]:
        auth = headers.get("Authorization")
        self.calls.append((method, auth, form))
        if method == "oauth.v2.access":
            # slack-sdk sends the client's id and secret as HTTP Basic credentials.
            basic = base64.b64encode(f"1234.5678:{CLIENT_SECRET}".encode()).decode()
            if auth != f"Basic {basic}" or form.get("code") not in CODES:
                return {"ok": False, "error": "invalid_code"}
            team, name, token, installer = CODES[form["code"]]
            return {
                "ok": True,
                "app_id": "A-XDEPT",
                "access_token": token,
                "token_type": "bot",
                "scope": ",".join(BOT_SCOPES),
                "bot_user_id": f"UBOT{team}",
                "team": {"id": team, "name": name},
                "enterprise": None,
                "authed_user": {"id": installer},
            }
        if method == "auth.test":
            token = (auth or "").removeprefix("Bearer ")
            team = next((c[0] for c in CODES.values() if c[2] == token), None)
            if team is None:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "team_id": team, "bot_id": f"B{team}", "user_id": f"UBOT{team}"}
        return {"ok": True, "ts": "1700000000.000100", "channel": form.get("channel", "C1")}

    def tokens_used_for(self, method: str) -> list[str | None]:
        """The Authorization header of each call of that method."""
        return [auth for m, auth, _ in self.calls if m == method]


@pytest.fixture
def web_api() -> Iterator[FakeWebApi]:
    fake = FakeWebApi()
    with json_api(fake.answer) as url:
        fake.url = url
        yield fake


class _ThreadingWsgi(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Installer:
    """The app's HTTP side: install page, OAuth redirect and signed requests."""

    url: str
    settings: Settings
    store: Store
    box: SecretBox
    installations: DatabaseInstallationStore
    uninstalled: list[str]

    def get(self, path: str, cookie: str | None = None) -> tuple[int, str, str | None]:
        request = urllib.request.Request(self.url + path)
        if cookie:
            request.add_header("Cookie", cookie)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode(), response.headers["Set-Cookie"]
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), None

    def start_install(self) -> tuple[str, str]:
        """The install page: its state (from the Add-to-Slack link) and the browser cookie."""
        status, page, cookie = self.get(INSTALL_PATH)
        assert status == 200 and cookie is not None
        link = page[page.index("https://slack.com/oauth/v2/authorize") :].split('"')[0]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.replace("&amp;", "&")).query)
        assert query["client_id"] == ["1234.5678"]
        assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
        return query["state"][0], cookie.split(";")[0]

    def finish(self, code: str, state: str, cookie: str) -> tuple[int, str]:
        """Slack's redirect back, as the browser follows it."""
        query = urllib.parse.urlencode({"code": code, "state": state})
        status, page, _ = self.get(f"{REDIRECT_PATH}?{query}", cookie)
        return status, page

    def install(self, code: str) -> None:
        state, cookie = self.start_install()
        status, _ = self.finish(code, state, cookie)
        assert status == 200


@pytest.fixture
def installer(store: Store, web_api: FakeWebApi) -> Iterator[Installer]:
    settings = make_settings(
        slack_client_id="1234.5678",
        slack_client_secret=CLIENT_SECRET,
        xdept_secret_key=generate_key(),
        slack_api_url=web_api.url,
        xdept_public_url="https://xdept.example.test/",
    )
    box = SecretBox(settings.secret_keys)
    uninstalled: list[str] = []

    def on_uninstall(uow: UnitOfWork, team: str, _now: Any) -> None:
        uninstalled.append(team)

    flow = make_oauth_flow(settings, store=store, box=box, on_uninstall=on_uninstall)
    bolt = BoltApp(
        signing_secret=SECRET,
        oauth_flow=flow,
        client=WebClient(base_url=web_api.url),
        process_before_response=True,
    )

    @bolt.command("/xdept")
    def reply(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=body["channel_id"], text="heard you")

    server = make_server(
        "127.0.0.1", 0, SlackRequestHandler(bolt), server_class=_ThreadingWsgi, handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    installations = flow.settings.installation_store
    assert isinstance(installations, DatabaseInstallationStore)
    url = f"http://127.0.0.1:{server.server_port}"
    yield Installer(url, settings, store, box, installations, uninstalled)
    server.shutdown()
    server.server_close()


def _command(installer: Installer, team: str) -> int:
    body = slash_command_body("list", user_id="UALICE", channel_id="CGEN", team_id=team)
    return signed_post(installer.url + "/slack/events", SECRET, body).status


def test_two_teams_install_and_each_is_served_with_its_own_token(
    installer: Installer, web_api: FakeWebApi
) -> None:
    installer.install("code-a")
    installer.install("code-b")
    tokens = InstalledTokens(installer.store, installer.box)
    assert tokens.bot_token("TA") == "xoxb-team-a-0001"
    assert tokens.bot_token("TB") == "xoxb-team-b-0002"
    with pytest.raises(NotInstalled) as info:
        tokens.bot_token("TC")  # never installed
    assert info.value.state is None

    assert _command(installer, "TA") == 200
    assert _command(installer, "TB") == 200
    assert web_api.tokens_used_for("chat.postMessage") == [
        "Bearer xoxb-team-a-0001",
        "Bearer xoxb-team-b-0002",
    ]
    # A team that never installed gets nothing sent with anyone's token.
    _command(installer, "TC")
    assert len(web_api.tokens_used_for("chat.postMessage")) == 2

    store = DatabaseInstallationStore(installer.store, installer.box)
    found = store.find_installation(enterprise_id=None, team_id="TA")
    assert found is not None and found.user_id == "UINSTALLA" and found.bot_id == "BTA"
    assert found.team_name == "Team A" and set(found.bot_scopes) == set(BOT_SCOPES)


def test_tokens_are_not_in_the_database_in_clear(installer: Installer) -> None:
    installer.install("code-a")
    installer.install("code-b")
    with installer.store.engine.connect() as conn:
        dump = "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in conn.execute(text(f"SELECT * FROM {table.name}"))
        )
    assert "Team A" in dump and "UINSTALLB" in dump
    for *_, token, _installer in [(c[0], c[2], c[3]) for c in CODES.values()]:
        assert token not in dump and token.split("-")[-1] not in dump
    assert CLIENT_SECRET not in dump


def test_a_reused_state_is_refused(installer: Installer, web_api: FakeWebApi) -> None:
    state, cookie = installer.start_install()
    assert installer.finish("code-a", state, cookie)[0] == 200
    status, _ = installer.finish("code-b", state, cookie)
    assert status == 401
    assert [f["code"] for m, _, f in web_api.calls if m == "oauth.v2.access"] == ["code-a"]
    with pytest.raises(NotInstalled):
        InstalledTokens(installer.store, installer.box).bot_token("TB")


def test_a_forged_state_is_refused(installer: Installer, web_api: FakeWebApi) -> None:
    installer.start_install()
    forged = "forged-state-the-app-never-issued"
    status, _ = installer.finish("code-a", forged, f"slack-app-oauth-state={forged}")
    assert status == 401
    # Without the browser's cookie, even a real state does not pass.
    state, _cookie = installer.start_install()
    assert installer.finish("code-a", state, "other=1")[0] == 400
    assert not [c for c in web_api.calls if c[0] == "oauth.v2.access"]


def test_uninstalling_stops_the_team_at_once_and_reinstalling_resumes(
    installer: Installer, web_api: FakeWebApi
) -> None:
    installer.install("code-a")
    installer.install("code-b")
    store = installer.installations
    # What Bolt's app_uninstalled listener does: the bot, then the rest; it stops once.
    store.delete_all(enterprise_id=None, team_id="TA")
    assert installer.uninstalled == ["TA"]
    tokens = InstalledTokens(installer.store, installer.box)
    with pytest.raises(NotInstalled) as info:
        tokens.bot_token("TA")
    assert info.value.state is InstallationState.UNINSTALLED
    assert store.find_bot(enterprise_id=None, team_id="TA") is None
    assert tokens.bot_token("TB") == "xoxb-team-b-0002"  # the other team goes on
    _command(installer, "TA")
    assert web_api.tokens_used_for("chat.postMessage") == []

    installer.install("code-a")
    assert tokens.bot_token("TA") == "xoxb-team-a-0001"
    assert _command(installer, "TA") == 200
    assert web_api.tokens_used_for("chat.postMessage") == ["Bearer xoxb-team-a-0001"]


def test_a_revoked_user_token_leaves_the_bot_working(installer: Installer) -> None:
    installer.install("code-a")
    store = installer.installations
    # tokens_revoked naming only the installer's user token.
    store.delete_installation(enterprise_id=None, team_id="TA", user_id="UINSTALLA")
    store.delete_installation(enterprise_id=None, team_id="TA", user_id="USOMEONE")
    assert installer.uninstalled == []
    assert InstalledTokens(installer.store, installer.box).bot_token("TA") == "xoxb-team-a-0001"
    store.delete_bot(enterprise_id=None, team_id="TA")
    assert installer.uninstalled == ["TA"]


def test_a_lost_key_means_reinstall_not_a_traceback(installer: Installer) -> None:
    installer.install("code-a")
    other = SecretBox([generate_key()])
    with pytest.raises(NotInstalled) as info:
        InstalledTokens(installer.store, other).bot_token("TA")
    assert info.value.state is InstallationState.NEEDS_REINSTALL
    assert (
        DatabaseInstallationStore(installer.store, other).find_bot(enterprise_id=None, team_id="TA")
        is None
    )


def test_single_workspace_token_serves_its_own_team_only(web_api: FakeWebApi) -> None:
    client = WebClient(token="xoxb-team-a-0001", base_url=web_api.url)
    tokens = SingleTeamToken.from_auth_test(client)
    assert tokens.team_id == "TA" and tokens.bot_token("TA") == "xoxb-team-a-0001"
    with pytest.raises(NotInstalled):
        tokens.bot_token("TB")


def test_install_link_and_scopes_follow_the_settings_and_the_manifest(installer: Installer) -> None:
    assert install_url(installer.settings) == "https://xdept.example.test/slack/install"
    assert install_url(make_settings()) is None
    manifest = Path(__file__).resolve().parents[3] / "handlers" / "slack" / "manifest.yml"
    scopes = yaml.safe_load(manifest.read_text())["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == sorted(BOT_SCOPES)


def test_a_rotated_bot_token_is_kept_sealed(installer: Installer) -> None:
    installer.install("code-a")
    store = installer.installations
    bot = store.find_bot(enterprise_id=None, team_id="TA")
    assert bot is not None
    bot.bot_token, bot.bot_refresh_token = "xoxb-team-a-rotated", "xoxe-1-team-a-refresh"
    bot.bot_token_expires_at = 1_900_000_000
    store.save_bot(bot)  # what Bolt does after refreshing an expiring token
    again = store.find_bot(enterprise_id=None, team_id="TA")
    assert again is not None and again.bot_token == "xoxb-team-a-rotated"
    assert again.bot_refresh_token == "xoxe-1-team-a-refresh"
    assert again.bot_token_expires_at == 1_900_000_000
    assert again.bot_user_id == "UBOTTA"  # the rest of the install is unchanged
