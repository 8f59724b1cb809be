"""`/metrics` and `/readyz` of a real `xdept serve` with several HTTP workers.

Each scrape reaches whichever worker gunicorn hands it to; with
prometheus-client's multiprocess mode every scrape shows the whole server's
counts, so the figures agree whichever worker answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.slack import FakeSlack, signed_post, slash_command_body
from tests.handlers.slack.conftest import ALICE, SECRET
from tests.slow.conftest import Xdept, _opener, environment, free_port, get_status

pytestmark = pytest.mark.slow
REQUESTS = 12


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack) -> Iterator[str]:
    database = f"sqlite:///{tmp_path / 'metrics.db'}"
    port = free_port()
    serve = Xdept(
        ["serve", "--host", "127.0.0.1", "--workers", "3", "--threads", "2", "--no-scheduler"],
        environment(database, slack, PORT=str(port)),
    )
    url = f"http://127.0.0.1:{port}"
    serve.wait_for(r"inbox process (\d+) works the inbox")
    while get_status(url + "/healthz") != 200:
        time.sleep(0.1)
    yield url
    assert serve.stop() == 0
    assert "Traceback" not in serve.log()


def _commands(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "xdept_requests_total" and s.labels.get("kind") == "command":
                return s.value
    return 0.0


def test_every_worker_reports_the_whole_servers_counts(served: str, slack: FakeSlack) -> None:
    for n in range(REQUESTS):
        body = slash_command_body(
            "help", user_id=ALICE, response_url=slack.response_url(f"help-{n}")
        )
        assert signed_post(served + "/slack/events", SECRET, body).status == 200
    seen = set()
    for _ in range(10):  # new connections: gunicorn spreads them over its workers
        with _opener.open(served + "/metrics", timeout=10) as response:
            seen.add(_commands(response.read().decode()))
    assert seen == {float(REQUESTS)}
    with _opener.open(served + "/readyz", timeout=10) as response:
        assert json.loads(response.read())["ready"] is True
