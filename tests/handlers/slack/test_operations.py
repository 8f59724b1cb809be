"""`/readyz` and `/metrics` over real HTTP, in front of the fake Slack.

Readiness: the database answers and its schema is at this code's head.
Metrics: requests by kind and outcome, acknowledgement latency, the inbox and
outbox as the database has them, ticks and deliveries.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from handlers.runtime.frontdoor import Request
from handlers.runtime.ready import ReadyPage
from scheduler.runner import tick_and_deliver
from storage.db import Store, make_engine
from storage.migrate import head_revision, upgrade
from tests.handlers.slack.conftest import SlackServer


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition text, by name and labels."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_ready_when_the_database_is_current(slack_server: SlackServer) -> None:
    status, kind, body = get(slack_server.url + "/readyz")
    assert status == 200 and kind == "application/json"
    assert json.loads(body) == {"ready": True, "database": "up", "migrations": head_revision()}


def test_not_ready_before_migrations_or_without_a_database(tmp_path: Path) -> None:
    fresh = Store(make_engine(f"sqlite:///{tmp_path / 'fresh.db'}"))
    request = Request("GET", "/readyz", "", {}, b"")
    answer = ReadyPage(fresh)(request)
    assert answer.status == 503
    assert json.loads(answer.body) == {
        "ready": False,
        "database": "up",
        "migrations": None,
        "head": head_revision(),
    }
    upgrade(fresh.engine, "0001")
    behind = json.loads(ReadyPage(fresh)(request).body)
    assert behind["migrations"] == "0001" and behind["ready"] is False
    upgrade(fresh.engine)
    assert ReadyPage(fresh)(request).status == 200
    fresh.dispose()
    # A database that does not answer (a closed port): 503, "down", no traceback.
    closed = Store(make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"))
    down = ReadyPage(closed)(request)
    assert down.status == 503 and json.loads(down.body) == {"ready": False, "database": "down"}
    closed.dispose()


def test_metrics_count_requests_latency_queues_ticks_and_deliveries(
    slack_server: SlackServer,
) -> None:
    before = get(slack_server.url + "/metrics")[2]
    slack_server.add_logistics()
    reply = slack_server.reply_to("ask @logistics Please confirm the 3 pallets")
    assert "XD-" in reply
    slack_server.settle()
    forged = urllib.request.Request(slack_server.events_url, data=b"command=/xdept", method="POST")
    try:
        urllib.request.urlopen(forged, timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 401
    tick_and_deliver(slack_server.app, now=datetime.now(UTC))

    status, kind, after = get(slack_server.url + "/metrics")
    assert status == 200 and kind.startswith("text/plain")
    labels = {"platform": "slack", "kind": "command", "outcome": "ok"}
    assert value(after, "xdept_requests_total", **labels) == (
        value(before, "xdept_requests_total", **labels) + 1
    )
    forged_labels = {"platform": "slack", "kind": "unsigned", "outcome": "forged"}
    assert value(after, "xdept_requests_total", **forged_labels) >= 1
    count = value(after, "xdept_ack_seconds_count", platform="slack")
    assert count >= value(before, "xdept_ack_seconds_count", platform="slack") + 2
    assert value(after, "xdept_ack_seconds_bucket", platform="slack", le="+Inf") == count
    assert value(after, "xdept_tick_seconds_count") >= 1
    assert value(after, "xdept_deliveries_total", outcome="sent") >= 1
    # The queues, from the database: everything was worked and sent.
    for name in ("inbox", "outbox"):
        assert re.search(rf"^xdept_{name}_depth 0\.0$", after, re.M), after
        assert re.search(rf"^xdept_{name}_oldest_age_seconds 0\.0$", after, re.M)


def test_queue_depth_and_age_come_from_the_database(slack_server: SlackServer) -> None:
    from storage.inbox import request_row

    store = slack_server.app.store
    workers = slack_server.workers
    workers.stop(timeout=10)  # nobody works the inbox: the row stays
    old = datetime(2020, 1, 1, tzinfo=UTC)
    with store.unit_of_work() as uow:
        uow.inbox.add(
            request_row(
                platform="slack",
                workspace="T1",
                key="k-old",
                kind="nothing",
                payload={},
                now=old,
            )
        )
    text = get(slack_server.url + "/metrics")[2]
    assert value(text, "xdept_inbox_depth") == 1
    assert value(text, "xdept_inbox_oldest_age_seconds") > 5 * 365 * 86400
    with store.unit_of_work() as uow:
        uow.inbox.forget_before(datetime.now(UTC))
        from sqlalchemy import delete

        from storage.models import InboxTask

        uow.session.execute(delete(InboxTask))
    workers.start()
