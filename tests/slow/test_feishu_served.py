"""Feishu as a person runs it: `xdept serve` with Slack and Feishu side by side (gunicorn,
an inbox process), and `xdept feishu connect` stopped by SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fakes.feishu import crypto
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.server import FakeFeishu, wait_until
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, seed
from tests.fakes.slack import FakeSlack, signed_post, slash_command_body
from tests.handlers.feishu.inbound_support import dept_add_event, tracking_cards
from tests.handlers.slack.conftest import SECRET
from tests.slow.conftest import Xdept, environment, free_port, get_status

pytestmark = pytest.mark.slow
# Importing lark_oapi takes seconds, more on a loaded machine.
START_TIMEOUT = 180.0


def feishu_env(fake: FakeFeishu, database: str, **extra: str) -> dict[str, str]:
    """What `xdept` reads for Feishu against the fake (Slack's variables left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_"))}
    env.update(
        DATABASE_URL=database,
        FEISHU_APP_ID=fake.app_id,
        FEISHU_APP_SECRET=fake.app_secret,
        FEISHU_VERIFICATION_TOKEN=str(fake.verification_token),
        FEISHU_ENCRYPT_KEY=str(fake.encrypt_key),
        FEISHU_API_URL=fake.url,
        XDEPT_TIMEZONE="Asia/Shanghai",
        XDEPT_ADMINS="",
        **extra,
    )
    return env


def _post(url: str, request: crypto.SignedRequest) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("POST", parts.path, body=request.body, headers=request.headers)
        return conn.getresponse().status
    finally:
        conn.close()


def _wait_answered(fake: FakeFeishu, payload: dict[str, Any]) -> None:
    """Wait for the private answer to a message (the next one may depend on it)."""
    sender = payload["event"]["sender"]["sender_id"]["open_id"]
    assert wait_until(
        lambda: any(c.json["open_id"] == sender for c in fake.calls_to("ephemeral.send")),
        timeout=60,
    )


def _story_messages(fake: FakeFeishu) -> list[dict[str, Any]]:
    bot = Mention(fake.bot_open_id, fake.bot_name)
    add = dept_add_event(fake)
    ask = fake.person_message(
        chat_id=LOGISTICS, sender=ALICE, text="@_user_1 ask @物流 周五前确认退货", mentions=[bot]
    )
    return [add, ask]


@pytest.fixture
def feishu() -> Iterator[FakeFeishu]:
    """A fake tenant with the long connection enabled too."""
    with FakeFeishu(long_connection=True) as fake:
        yield seed(fake)


@pytest.mark.parametrize("with_slack", [True, False], ids=["slack-and-feishu", "feishu-only"])
def test_serve_answers_feishu_beside_slack(
    tmp_path: Path, feishu: FakeFeishu, slack: FakeSlack, with_slack: bool
) -> None:
    """/feishu/events files and answers a click in time; /slack/events works when set up."""
    database = f"sqlite:///{tmp_path / 'served.db'}"
    port = free_port()
    env = feishu_env(feishu, database, PORT=str(port))
    if with_slack:
        env = {
            **environment(database, slack, PORT=str(port)),
            **{k: v for k, v in env.items() if k.startswith("FEISHU_")},
        }
    serve = Xdept(["serve", "--host", "127.0.0.1", "--workers", "2", "--no-scheduler"], env)
    url = f"http://127.0.0.1:{port}"
    try:
        served = "Slack and Feishu" if with_slack else "Feishu on"
        serve.wait_for(f"serving {served}", timeout=START_TIMEOUT)
        serve.wait_for(r"inbox process (\d+) works the inbox", timeout=START_TIMEOUT)
        while get_status(url + "/healthz") != 200:
            time.sleep(0.1)
        for payload in _story_messages(feishu):
            started = time.monotonic()
            status, _ = feishu.deliver(url + "/feishu/events", payload)
            assert status == 200 and time.monotonic() - started < 3.0
            _wait_answered(feishu, payload)
        assert wait_until(lambda: len(tracking_cards(feishu, LOGISTICS)) == 1, timeout=60)
        click = feishu.click(
            operator=CHEN,
            message_id=tracking_cards(feishu, LOGISTICS)[0],
            value={"action": "xdept_ack", "value": "XD-1"},
        )
        started = time.monotonic()
        status, body = feishu.deliver(url + "/feishu/events", click)
        assert status == 200 and time.monotonic() - started < 3.0
        assert json.loads(body)["toast"]["type"] == "success"
        slash = signed_post(
            url + "/slack/events", SECRET, slash_command_body("help", user_id="UALICE")
        )
        assert slash.status == (200 if with_slack else 404)
        forged = crypto.build_request(_story_messages(feishu)[1], encrypt_key="not-the-key")
        assert _post(url + "/feishu/events", forged) == 401
    finally:
        assert serve.stop() == 0
    assert "Traceback" not in serve.log()


def test_feishu_connect_works_events_and_stops_on_sigterm(
    tmp_path: Path, feishu: FakeFeishu
) -> None:
    """`xdept feishu connect`: events over the long connection are worked; SIGTERM stops it."""
    database = f"sqlite:///{tmp_path / 'connect.db'}"
    connect = Xdept(["feishu", "connect", "--no-scheduler"], feishu_env(feishu, database))
    ws = feishu.long_connection
    assert ws is not None
    try:
        connect.wait_for(r"connected to Feishu over the long connection", timeout=START_TIMEOUT)
        assert ws.wait_connected()
        for payload in _story_messages(feishu):
            ack = ws.wait_for_ack(ws.push(payload))
            assert ack is not None and ack.code == 200
            _wait_answered(feishu, payload)
        assert wait_until(lambda: len(tracking_cards(feishu, LOGISTICS)) == 1, timeout=60)
    finally:
        code = connect.stop()
    assert code == 0, connect.log()
    assert ws.wait_disconnected()
    assert "Traceback" not in connect.log()
