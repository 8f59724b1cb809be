"""Many workspaces end to end: `xdept serve`'s front door with SLACK_CLIENT_ID, the fake Slack.

Two teams install through the real OAuth redirect (state issued, reused,
forged), a third never does; every outbound call, scheduled ones included,
carries the token of the team it is for; an uninstall between ticks cancels
that team's outbox; a purge leaves the other team whole; tokens are never in
the database in clear text, nor in the log.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, select, text

from bot.cli import configure_logging
from bot.config import Settings
from handlers.runtime.service import WorkerService
from handlers.runtime.workers import LocalBell
from handlers.slack.adapter import SlackAdapter, build_slack
from handlers.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from handlers.slack.wsgi import front_door
from scheduler.runner import tick_and_deliver
from scheduler.tick import tick
from storage.crypto import generate_key
from storage.db import Store
from storage.models import InboxTask, OutboxMessage, Workspace
from storage.purge import purge_workspace
from storage.tenancy_models import Installation
from tests.conftest import make_settings
from tests.fakes.slack import (
    FakeSlack,
    SignedResponse,
    event_body,
    signed_post,
    slash_command_body,
)
from tests.handlers.slack.conftest import serve_wsgi

SECRET = "many-signing-secret"
_names = itertools.count(1)
CLIENT_ID = "1234.5678"
CLIENT_SECRET = "many-client-secret"
PUBLIC = "https://xdept.example.test"


@dataclass(frozen=True)
class Team:
    """One Slack team as the fake knows it: its install code and token, its people."""

    id: str
    code: str
    token: str
    installer: str
    requester: str
    lead: str
    channel: str

    @property
    def ids(self) -> frozenset[str]:
        return frozenset({self.id, self.installer, self.requester, self.lead, self.channel})


TA = Team("TA", "code-a", "xoxb-11-team-a-Secret7", "UAINST", "UAREQ", "UALEAD", "CAOPS")
TB = Team("TB", "code-b", "xoxb-22-team-b-Secret8", "UBINST", "UBREQ", "UBLEAD", "CBOPS")
# Team A installing again after removing the app: a new code, a new token.
TA2 = Team("TA", "code-a2", "xoxb-44-team-a-Again10", "UAINST", "UAREQ", "UALEAD", "CAOPS")
TC = Team("TC", "code-c", "xoxb-33-team-c-Secret9", "UCINST", "UCREQ", "UCLEAD", "CCOPS")


def seed(slack: FakeSlack) -> None:
    slack.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    for team in (TA, TB, TC, TA2):
        slack.add_install(
            team.code,
            team_id=team.id,
            team_name=f"Team {team.id}",
            token=team.token,
            installer=team.installer,
            bot_user_id=f"UBOT{team.id}",
            bot_id=f"BBOT{team.id}",
        )
        for user in (team.installer, team.requester, team.lead):
            slack.add_user(user, user.lower(), tz="Asia/Shanghai")
        slack.add_channel(team.channel, f"ops-{team.id.lower()}", members=[team.lead])


@dataclass
class Server:
    url: str
    slack: FakeSlack
    store: Store
    settings: Settings
    adapter: SlackAdapter
    workers: WorkerService

    def get(self, path: str, cookie: str | None = None) -> tuple[int, str, str | None]:
        request = urllib.request.Request(self.url + path)
        if cookie:
            request.add_header("Cookie", cookie)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.read().decode(), response.headers["Set-Cookie"]
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), None

    def start_install(self) -> tuple[str, str]:
        """The install page: the state in its Add-to-Slack link, and the browser's cookie."""
        status, page, cookie = self.get(INSTALL_PATH)
        assert status == 200 and cookie is not None, (status, page)
        link = page[page.index("https://slack.com/oauth/v2/authorize") :].split('"')[0]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.replace("&amp;", "&")).query)
        assert query["client_id"] == [CLIENT_ID]
        assert query["redirect_uri"] == [PUBLIC + REDIRECT_PATH]
        return query["state"][0], cookie.split(";")[0]

    def finish(self, code: str, state: str, cookie: str) -> tuple[int, str]:
        query = urllib.parse.urlencode({"code": code, "state": state})
        status, page, _ = self.get(f"{REDIRECT_PATH}?{query}", cookie)
        return status, page

    def install(self, team: Team) -> None:
        state, cookie = self.start_install()
        status, page = self.finish(team.code, state, cookie)
        assert status == 200, page

    def post(self, body: str) -> SignedResponse:
        return signed_post(self.url + "/slack/events", SECRET, body)

    def command(self, team: Team, line: str, *, user: str | None = None) -> str:
        """Type `/xdept <line>` in `team`; its private answer's text."""
        name = f"{team.id}-{next(_names)}"
        body = slash_command_body(
            line,
            user_id=user or team.requester,
            channel_id=team.channel,
            team_id=team.id,
            response_url=self.slack.response_url(name),
        )
        answer = self.post(body)
        assert answer.status == 200, answer
        if answer.body.strip():
            return str(json.loads(answer.body).get("text", ""))
        return self.slack.wait_for_response_posts(name)[0].all_text

    def event(self, team: Team, event: dict[str, Any]) -> SignedResponse:
        return self.post(event_body(event, team_id=team.id, bot_user_id=f"UBOT{team.id}"))

    def settle(self) -> None:
        self.workers.workers.wait_idle()

    def file_request(self, team: Team) -> None:
        added = self.command(
            team,
            f"dept add ops <#{team.channel}|ops> lead:<@{team.lead}|lead> "
            f"escalate:<@{team.installer}|boss>",
            user=team.installer,
        )
        assert "ops" in added, added
        reply = self.command(team, "ask @ops confirm the 3 pallets by tomorrow 5pm")
        assert "XD-1" in reply, reply
        self.settle()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        seed(fake)
        yield fake
        assert fake.errors == []


@pytest.fixture
def server(store: Store, slack: FakeSlack) -> Iterator[Server]:
    settings = make_settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SECRET,
        xdept_secret_key=generate_key(),
        xdept_public_url=PUBLIC,
        slack_api_url=slack.api_url,
    )
    ring = LocalBell()
    # The composition `xdept serve` runs: no messenger handed in, each team's own token.
    adapter = build_slack(settings, store=store, ring=ring)
    workers = WorkerService(adapter.app, adapter.routes(), threads=3, poll=0.2)
    ring.workers = workers.workers
    workers.start()
    url, http, thread = serve_wsgi(front_door(adapter))
    try:
        yield Server(url, slack, store, settings, adapter, workers)
    finally:
        http.shutdown()
        http.server_close()
        thread.join(timeout=5)
        assert workers.stop(timeout=20)


def team_of_token(token: str | None) -> Team | None:
    return next((t for t in (TA, TB, TC, TA2) if t.token == token), None)


def assert_each_call_used_its_teams_token(slack: FakeSlack, since: int = 0) -> int:
    """Every Web API call that names a team's channel or person carried that team's token."""
    checked = 0
    for call in slack.calls[since:]:
        if call.method in ("oauth.v2.access",) or not call.path.startswith("/api/"):
            continue
        team = team_of_token(call.token)
        assert team is not None, (call.method, call.params)
        named = {str(v) for v in call.params.values()} & (TA.ids | TB.ids | TC.ids)
        assert named <= team.ids, (call.method, call.params, team.id)
        checked += 1
    return checked


def rows(store: Store, model: Any, **where: Any) -> list[Any]:
    with store.unit_of_work() as uow:
        stmt = select(model).filter_by(**where)
        return list(uow.session.scalars(stmt))


def workspace_id(store: Store, team: Team) -> int | None:
    found = rows(store, Workspace, platform="slack", external_id=team.id)
    return found[0].id if found else None


# ----------------------------------------------------------------------------- install


def test_install_state_is_issued_used_once_and_never_forged(server: Server) -> None:
    state, cookie = server.start_install()
    # A forged state (with the browser's own cookie) installs nothing.
    status, _ = server.finish(TA.code, "forged-state", cookie)
    assert status >= 400
    assert rows(server.store, Installation) == []
    status, page = server.finish(TA.code, state, cookie)
    assert status == 200, page
    # The same state again: refused, nothing more stored.
    status, _ = server.finish(TB.code, state, cookie)
    assert status >= 400
    installs = rows(server.store, Installation)
    assert [(i.workspace, i.state, i.installer) for i in installs] == [
        ("TA", "active", TA.installer)
    ]
    assert TA.token not in (installs[0].secrets or "")


def test_two_teams_each_served_with_their_own_token_a_third_refused(server: Server) -> None:
    server.install(TA)
    server.install(TB)
    server.file_request(TA)
    server.file_request(TB)
    assert server.slack.messages(TA.channel) and server.slack.messages(TB.channel)
    assert assert_each_call_used_its_teams_token(server.slack) > 10

    # Scheduled work: the follow-ups go out through each team's own token.
    calls = len(server.slack.calls)
    later = datetime.now(UTC) + timedelta(days=4)
    report = tick_and_deliver(server.adapter.app, now=later)
    assert report.delivery.sent >= 2, report.lines()
    scheduled = server.slack.calls[calls:]
    # Each requester is offered the escalation by direct message, from their own team's bot.
    assert {
        (c.token, c.params.get("users")) for c in scheduled if c.method == "conversations.open"
    } == {
        (TA.token, TA.requester),
        (TB.token, TB.requester),
    }
    assert assert_each_call_used_its_teams_token(server.slack, since=calls) >= 4

    # A team that never installed: a private "not installed" with the link; nothing kept.
    calls = len(server.slack.calls)
    inbox = len(rows(server.store, InboxTask))
    answer = server.command(TC, "ask @ops anything")
    assert "not installed in this Slack workspace" in answer
    assert PUBLIC + INSTALL_PATH in answer
    event = {
        "type": "app_mention",
        "user": TC.requester,
        "text": "<@UBOTTC> help",
        "channel": TC.channel,
        "ts": "1700000000.000100",
        "event_ts": "1700000000.000100",
    }
    assert server.event(TC, event).status == 200
    assert len(server.slack.calls) == calls  # nothing posted, with any token
    # Counted apart, and the marker the gate leaves for the metrics never reaches Slack.
    raw = server.post(slash_command_body("list", user_id=TC.requester, team_id=TC.id))
    assert raw.status == 200 and "x-xdept-outcome" not in raw.headers
    _, metrics, _ = server.get("/metrics")
    assert 'kind="command",outcome="not_installed"' in metrics
    assert 'kind="event",outcome="not_installed"' in metrics
    assert len(rows(server.store, InboxTask)) == inbox
    assert workspace_id(server.store, TC) is None


# ----------------------------------------------------------------------------- removal


def test_uninstall_between_ticks_cancels_that_teams_outbox_only(server: Server) -> None:
    for team in (TA, TB):
        server.install(team)
        server.file_request(team)
    later = datetime.now(UTC) + timedelta(days=4)
    queued = tick(server.store, server.settings, now=later)
    assert queued.messages >= 2
    pending_a = [
        r
        for r in rows(server.store, OutboxMessage, workspace_id=workspace_id(server.store, TA))
        if r.state == "pending"
    ]
    assert pending_a
    # Team A removes the app before the delivery runs.
    uninstalled = {"type": "app_uninstalled", "event_ts": "1700000001.000100"}
    assert server.event(TA, uninstalled).status == 200
    calls = len(server.slack.calls)
    server.adapter.app.deliverer.deliver_pending(now=later)
    sent_since = server.slack.calls[calls:]
    assert sent_since and all(c.token == TB.token for c in sent_since)
    states = {
        r.state
        for r in rows(server.store, OutboxMessage, workspace_id=workspace_id(server.store, TA))
        if r.id in {p.id for p in pending_a}
    }
    assert states == {"cancelled"}
    assert rows(server.store, Installation, workspace="TA")[0].state == "uninstalled"
    assert rows(server.store, Installation, workspace="TA")[0].secrets is None
    # Later ticks queue nothing that reaches Slack for team A: its directory answers
    # `auth` at once, and such a row is given up, not retried.
    calls = len(server.slack.calls)
    tick_and_deliver(server.adapter.app, now=later + timedelta(days=3))
    assert all(c.token != TA.token for c in server.slack.calls[calls:])
    a_rows = rows(server.store, OutboxMessage, workspace_id=workspace_id(server.store, TA))
    given_up = [r for r in a_rows if r.state == "failed"]
    assert given_up
    assert all(r.attempts == 1 and (r.last_error or "").startswith("auth") for r in given_up)
    assert not [r for r in a_rows if r.state == "pending"]
    # Told so, privately.
    assert "not installed" in server.command(TA, "list")
    # Reinstalling resumes, with the new token.
    server.install(TA2)
    calls = len(server.slack.calls)
    assert "XD-2" in server.command(TA2, "ask @ops one more thing")
    server.settle()
    assert {c.token for c in server.slack.calls[calls:] if c.path.startswith("/api/")} == {
        TA2.token
    }


def test_revoking_the_bot_token_stops_the_team(server: Server) -> None:
    server.install(TB)
    server.file_request(TB)
    revoked = {
        "type": "tokens_revoked",
        "tokens": {"oauth": [], "bot": ["UBOTTB"]},
        "event_ts": "1700000002.000100",
    }
    assert server.event(TB, revoked).status == 200
    assert rows(server.store, Installation, workspace="TB")[0].state == "uninstalled"
    assert "not installed" in server.command(TB, "list")


def test_purge_deletes_one_team_and_leaves_the_other_whole(server: Server) -> None:
    for team in (TA, TB):
        server.install(team)
        server.file_request(team)
    meta = MetaData()
    meta.reflect(server.store.engine)

    def counts() -> dict[str, int]:
        with server.store.engine.connect() as conn:
            return {
                t.name: conn.execute(select(text("count(*)")).select_from(t)).scalar_one()
                for t in meta.sorted_tables
            }

    before = counts()
    b_id = workspace_id(server.store, TB)
    b_items = rows(server.store, OutboxMessage, workspace_id=b_id)
    with server.store.unit_of_work() as uow:
        deleted = purge_workspace(uow.session, platform="slack", external_id="TA")
    assert deleted and sum(deleted.values()) > 0
    assert workspace_id(server.store, TA) is None
    assert rows(server.store, Installation, workspace="TA") == []
    assert rows(server.store, Installation, workspace="TB") != []
    assert len(rows(server.store, OutboxMessage, workspace_id=b_id)) == len(b_items)
    after = counts()
    assert all(after[name] <= before[name] for name in before)
    # Team B still works, with its own token.
    calls = len(server.slack.calls)
    assert "XD-2" in server.command(TB, "ask @ops after the purge")
    server.settle()
    assert assert_each_call_used_its_teams_token(server.slack, since=calls) >= 1


# ----------------------------------------------------------------------------- secrets


@pytest.fixture
def log_state() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    factory = logging.getLogRecordFactory()
    names = ["bot", "handlers", "storage", "scheduler", "slack_sdk", "slack_bolt", "urllib3"]
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.setLogRecordFactory(factory)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


def test_tokens_are_never_in_clear_text_in_the_database_nor_the_log(
    server: Server, log_state: None
) -> None:
    stream = io.StringIO()
    configure_logging(
        server.settings.model_copy(update={"xdept_log_level": "DEBUG"}), stream=stream
    )
    for team in (TA, TB):
        server.install(team)
        server.file_request(team)
    tick_and_deliver(server.adapter.app, now=datetime.now(UTC) + timedelta(days=4))
    server.event(TA, {"type": "app_uninstalled", "event_ts": "1700000003.000100"})
    meta = MetaData()
    meta.reflect(server.store.engine)
    dump = []
    with server.store.engine.connect() as conn:
        for table in meta.sorted_tables:
            dump.extend(repr(tuple(row)) for row in conn.execute(table.select()))
    everything = "\n".join(dump)
    assert "UAINST" in everything  # the dump holds the installs
    logged = stream.getvalue()
    assert "installed in Slack workspace TA" in logged
    for team in (TA, TB):
        assert team.token not in everything
        assert team.token not in logged
    assert CLIENT_SECRET not in logged and CLIENT_SECRET not in everything


def test_a_token_no_key_opens_means_reinstall_and_people_are_told(server: Server) -> None:
    from storage.crypto import SecretBox

    server.install(TA)
    # The key that sealed team A's token is gone (replaced without a rotation).
    stranger = SecretBox([generate_key()])
    with server.store.unit_of_work() as uow:
        install = uow.session.scalars(select(Installation).filter_by(workspace="TA")).one()
        install.secrets = stranger.seal('{"bot_token": "xoxb-unreadable"}')
    calls = len(server.slack.calls)
    answer = server.command(TA, "list")
    assert "must be installed again" in answer and PUBLIC + INSTALL_PATH in answer
    assert rows(server.store, Installation, workspace="TA")[0].state == "needs_reinstall"
    assert len(server.slack.calls) == calls
    # Installing again heals it.
    server.install(TA2)
    assert "installed" not in server.command(TA2, "list")
    assert rows(server.store, Installation, workspace="TA")[0].state == "active"


def test_scheduler_run_once_sends_with_each_teams_token(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    from scheduler.runner import run_once

    for team in (TA, TB):
        server.install(team)
        server.file_request(team)
    url = server.store.engine.url.render_as_string(hide_password=False)
    calls = len(server.slack.calls)
    settings = server.settings.model_copy(update={"database_url": url})
    assert run_once(settings, at=datetime.now(UTC) + timedelta(days=4)) == 0
    assert "delivery: sent 2" in capsys.readouterr().out
    tokens = {c.token for c in server.slack.calls[calls:]}
    assert tokens == {TA.token, TB.token}
    assert assert_each_call_used_its_teams_token(server.slack, since=calls) >= 4
