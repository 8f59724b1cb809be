"""`xdept serve` for real (gunicorn and its inbox process), health checks, Socket Mode."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import ProxyHandler, build_opener

import pytest
from sqlalchemy import select

from bot.bootstrap import bootstrap
from bot.cli import main
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.socket import SocketMode
from handlers.slack.wsgi import create_wsgi_app
from storage.db import Store
from storage.migrate import upgrade
from storage.models import InboxTask
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack, signed_post, slash_command_body
from tests.handlers.slack.conftest import (
    ALICE,
    SECRET,
    SERVICE,
    TOKEN,
    SlackServer,
    serve_wsgi,
)

_opener = build_opener(ProxyHandler({}))


def _get(url: str) -> int:
    try:
        with _opener.open(url, timeout=10) as response:
            return int(response.status)
    except HTTPError as error:
        return int(error.code)


def test_health_is_200_while_the_database_answers(slack_server: SlackServer) -> None:
    assert _get(slack_server.url + "/healthz") == 200
    assert _get(slack_server.url + "/slack/events") == 405
    assert _get(slack_server.url + "/nope") == 404


def test_health_is_503_when_the_database_does_not_answer(slack: FakeSlack) -> None:
    settings = make_settings(
        slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=slack.api_url
    )
    dead = Store.from_url("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    app = bootstrap(
        settings, messenger=SlackMessenger(make_client(settings)), store=dead, migrate=False
    )
    wsgi = create_wsgi_app(settings, app=app)
    url, server, thread = serve_wsgi(wsgi)
    try:
        assert _get(url + "/healthz") == 503
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        wsgi.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running `xdept serve`."""

    url: str
    db: str
    process: subprocess.Popen[str]
    log: list[str]
    drain: threading.Thread

    def stop(self) -> list[str]:
        """SIGTERM, as a service manager sends it; returns everything it logged."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            assert self.process.wait(timeout=40) == 0
            self.drain.join(timeout=5)
        return self.log


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack) -> Iterator[Served]:
    """`xdept serve` as a person runs it: gunicorn, two gthread workers, SQLite in a file."""
    port = _free_port()
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "XDEPT_TIMEZONE": "Asia/Shanghai",
        "XDEPT_ADMINS": "",
        "PORT": str(port),
    }
    command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
    command += ["--workers", "2", "--threads", "4"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    booted = 0
    log: list[str] = []
    assert process.stderr is not None
    for line in process.stderr:  # wait for both HTTP workers and the inbox process
        log.append(line)
        if "Booting worker" in line:
            booted += 1
        if booted == 3 and _get(f"http://127.0.0.1:{port}/healthz") == 200:
            break
    else:
        pytest.fail("xdept serve did not start:\n" + "".join(log))
    drain = threading.Thread(target=lambda: log.extend(process.stderr or []), daemon=True)
    drain.start()
    server = Served(f"http://127.0.0.1:{port}", db, process, log, drain)
    try:
        yield server
    finally:
        server.stop()


def test_xdept_serve_answers_slack_over_gunicorn(served: Served, slack: FakeSlack) -> None:
    url = served.url
    assert _get(url + "/healthz") == 200
    events = url + "/slack/events"
    body = slash_command_body(
        "help", user_id=ALICE, channel_id=SERVICE, response_url=slack.response_url("help")
    )
    assert signed_post(events, SECRET, body).status == 200
    assert signed_post(events, SECRET, body).status == 200  # the same request again
    assert "/xdept ask" in slack.wait_for_response_posts("help")[0].all_text
    forged = slash_command_body("help", user_id=ALICE, response_url=slack.response_url("forged"))
    assert signed_post(events, "wrong", forged).status == 401
    log = served.stop()
    store = Store.from_url(served.db)
    try:
        with store.unit_of_work() as uow:
            rows = list(uow.session.scalars(select(InboxTask)))
        assert [(r.kind, r.state) for r in rows] == [("slack.command", "done")]
    finally:
        store.dispose()
    assert len(slack.response_posts("help")) == 1
    assert slack.response_posts("forged") == []
    # The reply came from the inbox process, which also ran the scheduler's tick, and
    # everything stopped cleanly.
    text = "".join(log)
    assert "works the inbox with 8 threads; scheduler on" in text
    assert "inbox process" in text and "stopped" in text
    assert "Traceback" not in text


def test_serve_and_socket_need_their_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    assert main(["serve"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    assert main(["socket"]) == 2
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_socket_mode_uses_the_same_listeners(tmp_path: Path, slack: FakeSlack) -> None:
    settings = make_settings(
        database_url=f"sqlite:///{tmp_path / 'socket.db'}",
        slack_bot_token=TOKEN,
        slack_app_token="xapp-test",
        slack_api_url=slack.api_url,
    )

    migrated = Store.from_url(settings.sqlalchemy_url)
    upgrade(migrated.engine)
    migrated.dispose()
    mode = SocketMode(settings, scheduler=False)
    try:
        names = {listener.ack_function.__name__ for listener in mode.handler.app._listeners}
        assert {"on_command", "on_submit", "on_message", "on_reaction", "on_home"} <= names
        assert mode.handler.app_token == "xapp-test"
        assert "slack.command" in mode.service.runner.routes
        assert mode.adapter.app.store.ping()
    finally:
        mode.handler.client.close()
        mode.adapter.app.store.dispose()
