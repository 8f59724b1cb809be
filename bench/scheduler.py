"""Scheduler benchmark: one tick with 100,000 and 10,000 stored items, 200 of them due.

Run from the repository root:  python -m bench.scheduler [--skip-postgres] [--runs 5]
Prints JSON. The tick decides what is due and writes the outbox (delivery excluded);
its cost should follow the 200 due items, not the items stored. Then the outbox is
delivered against the fake Slack Web API (tests/fakes/slack/) through the
real SlackMessenger, when handlers/slack/messenger.py is there; otherwise through
the RecordingMessenger, and the output says so.

PostgreSQL is taken from XDEPT_BENCH_DATABASE_URL (default: the local `test`
database), in a schema of its own that is dropped and recreated.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from typing import Any

from sqlalchemy import delete, insert, select, text, update

from bot.config import Settings, normalize_database_url
from bot.messages import Message, MessageKind, Section
from bot.messages import text as span
from bot.outbox import OutboxAction
from bot.ports import OneMessenger
from scheduler.delivery import Deliverer
from scheduler.tick import tick
from storage.db import Store, make_engine
from storage.migrate import upgrade
from storage.models import (
    Department,
    DepartmentPerson,
    Item,
    OutboxMessage,
    Person,
    Update,
    Workspace,
)

# Wednesday 14:00 in Shanghai, 07:00 in Berlin, 01:00 in New York: no stand-up due
# (Shanghai's was 4.5 hours ago, the others' are still ahead) and no weekly summary.
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
DEPARTMENTS = 500
DUE = 200
ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York")
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "xdept_bench_scheduler"
CHUNK = 5000


def _seed(store: Store, items: int) -> list[int]:
    """500 departments and `items` items, `DUE` of which have a reminder due at NOW.

    Returns the ids of the due items. Everything goes in with core bulk inserts.
    """
    rng = random.Random(11)
    settings_created = NOW - timedelta(days=400)
    with store.engine.begin() as conn:
        ws_id = conn.execute(
            insert(Workspace).returning(Workspace.id),
            [
                {
                    "platform": "slack",
                    "external_id": "T1",
                    "timezone": "Asia/Shanghai",
                    "last_item_number": items,
                    "created_at": settings_created,
                }
            ],
        ).scalar_one()
        depts = [
            {
                "workspace_id": ws_id,
                "key": f"dept{n:03d}",
                "name": f"Department {n}",
                "channel_id": f"C{n:05d}",
                "channel_private": False,
                "timezone": ZONES[n % len(ZONES)],
                "locale": "zh" if n % 2 else "en",
                "workdays": "mon-fri",
                "day_start": wall(9, 0),
                "day_end": wall(18, 0),
                "holidays": ["CN"] if ZONES[n % len(ZONES)] == "Asia/Shanghai" else [],
                "standup_time": wall(9, 30),
                "first_response_minutes": 8 * 60,
                "escalate_after_minutes": 24 * 60,
                "escalation_contact_id": f"boss{n % 20}",
                "created_at": settings_created,
            }
            for n in range(DEPARTMENTS)
        ]
        dept_ids = list(conn.execute(insert(Department).returning(Department.id), depts).scalars())
        conn.execute(
            insert(DepartmentPerson),
            [
                {"department_id": d, "user_id": f"lead{n}", "role": "lead"}
                for n, d in enumerate(dept_ids)
            ]
            + [
                {"department_id": d, "user_id": f"member{n}", "role": "member"}
                for n, d in enumerate(dept_ids)
            ],
        )
        conn.execute(
            insert(Person),
            [
                {
                    "workspace_id": ws_id,
                    "user_id": f"user{n}",
                    "timezone": "Asia/Shanghai",
                    "locale": "zh",
                    "is_admin": False,
                    "is_bot": False,
                    "updated_at": settings_created,
                }
                for n in range(1000)
            ],
        )
        due_numbers = set(rng.sample(range(1, items + 1), DUE))
        rows: list[dict[str, Any]] = []
        for number in range(1, items + 1):
            rows.append(_item(rng, ws_id, dept_ids, number, due=number in due_numbers))
            if len(rows) == CHUNK:
                _insert_items(conn, rows)
                rows = []
        if rows:
            _insert_items(conn, rows)
        due_ids = list(
            conn.execute(
                select(Item.id).where(Item.next_check_at <= NOW).order_by(Item.id)
            ).scalars()
        )
    assert len(due_ids) == DUE, len(due_ids)
    return due_ids


def _item(
    rng: random.Random, ws_id: int, dept_ids: list[int], number: int, *, due: bool
) -> dict[str, Any]:
    """One item: due ones are requests unanswered for about a work day; the rest are
    closed history or active items whose next reminder lies ahead."""
    dept = dept_ids[number % len(dept_ids)]
    if due:
        # Filed Tuesday 09:00 Shanghai: its unanswered nudge came due at 17:00; the tick at
        # NOW (Wednesday 14:00) sends it. The escalation offer is still a day away.
        created = datetime(2026, 11, 24, 1, 0, tzinfo=UTC) - timedelta(minutes=rng.randint(0, 30))
        return _row(ws_id, dept, number, "open", created, None, NOW - timedelta(minutes=5))
    if rng.random() < 0.7:
        created = NOW - timedelta(days=rng.randint(10, 390), minutes=rng.randint(0, 600))
        closed = created + timedelta(hours=rng.randint(1, 200))
        row = _row(ws_id, dept, number, "done", created, None, None)
        row.update(closed_at=closed, first_response_at=created + timedelta(hours=1))
        return row
    created = NOW - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
    due_at = NOW + timedelta(days=rng.randint(2, 30), hours=rng.randint(0, 8))
    row = _row(ws_id, dept, number, "acknowledged", created, due_at, due_at - timedelta(days=1))
    row["first_response_at"] = created + timedelta(minutes=30)
    return row


def _row(
    ws_id: int,
    dept: int,
    number: int,
    status: str,
    created: datetime,
    due_at: datetime | None,
    next_check: datetime | None,
) -> dict[str, Any]:
    return {
        "workspace_id": ws_id,
        "number": number,
        "kind": "request",
        "status": status,
        "text": f"benchmark request {number}: 请核对第 {number} 号订单",
        "requester_id": f"user{number % 1000}",
        "owner_id": None,
        "department_id": dept,
        "due_at": due_at,
        "created_at": created,
        "updated_at": created,
        "first_response_at": None,
        "closed_at": None,
        "channel_id": f"C{dept:05d}",
        "message_id": f"1700000000.{number:06d}",
        "version": 1,
        "next_check_at": next_check,
    }


def _insert_items(conn: Any, rows: list[dict[str, Any]]) -> None:
    ids = list(
        conn.execute(insert(Item).returning(Item.id, Item.workspace_id, Item.created_at), rows)
    )
    conn.execute(
        insert(Update),
        [
            {
                "workspace_id": ws,
                "item_id": item_id,
                "kind": "created",
                "actor_id": None,
                "at": created,
                "text": None,
                "data": {},
            }
            for item_id, ws, created in ids
        ],
    )
    conn.execute(
        insert(OutboxMessage),
        [
            {
                "workspace_id": ws,
                "dedupe_key": f"item:{item_id}:tracking",
                "kind": "tracking",
                "action": OutboxAction.POST_TRACKING.value,
                "item_id": item_id,
                "payload": {},
                "state": "sent",
                "attempts": 1,
                "next_attempt_at": created,
                "created_at": created,
                "sent_at": created,
            }
            for item_id, ws, created in ids
        ],
    )


def _analyze(store: Store) -> None:
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _reset(store: Store, due_ids: list[int]) -> None:
    """Undo what a measured tick wrote, so the next run finds the same 200 due."""
    with store.engine.begin() as conn:
        conn.execute(
            delete(OutboxMessage).where(
                OutboxMessage.kind != "tracking", OutboxMessage.created_at >= NOW
            )
        )
        conn.execute(delete(Update).where(Update.kind == "nudged"))
        conn.execute(
            update(Item)
            .where(Item.id.in_(due_ids))
            .values(next_check_at=NOW - timedelta(minutes=5))
        )


def bench_tick(url: str, items: int, runs: int) -> dict[str, Any]:
    """Seed `items`, then time one tick at NOW `runs` times (resetting between runs)."""
    store = Store.from_url(url)
    upgrade(store.engine)
    settings = Settings(database_url=url, xdept_timezone="Asia/Shanghai", xdept_locale="en")
    started = time.perf_counter()
    due_ids = _seed(store, items)
    _analyze(store)
    seed_seconds = time.perf_counter() - started
    # Warm-up: connections, calendars, statement caches; nothing is due yet.
    warm = tick(store, settings, now=NOW - timedelta(minutes=10))
    assert warm.messages == 0, warm.lines()
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        report = tick(store, settings, now=NOW)
        samples.append((time.perf_counter() - begin) * 1000)
        assert report.messages == DUE, report.lines()
        _reset(store, due_ids)
    store.dispose()
    return {
        "stored_items": items,
        "due": DUE,
        "seed_seconds": round(seed_seconds, 1),
        "tick_ms_median": round(statistics.median(samples), 1),
        "tick_ms_runs": [round(s, 1) for s in samples],
    }


def bench_database(
    fresh_url: Callable[[int], str], runs: int, *, big: int, small: int
) -> dict[str, Any]:
    """The tick at `big` and at `small` stored items, each in a fresh database."""
    large = bench_tick(fresh_url(big), big, runs)
    little = bench_tick(fresh_url(small), small, runs)
    return {
        f"tick_{big}": large,
        f"tick_{small}": little,
        "ratio_big_to_small": round(large["tick_ms_median"] / little["tick_ms_median"], 2),
    }


def _sqlite_url(label: int) -> str:
    folder = tempfile.mkdtemp(prefix=f"xdept-bench-{label}-")
    return f"sqlite:///{folder}/xdept.db"


def _pg_url(_label: int) -> str:
    base = normalize_database_url(os.environ.get("XDEPT_BENCH_DATABASE_URL", PG_DEFAULT))
    admin = make_engine(base, pool_size=1, max_overflow=0)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{PG_SCHEMA}"


def bench_delivery(messages: int = 300) -> dict[str, Any]:
    """Outbox rows delivered per second: fake Slack over HTTP via SlackMessenger if present."""
    url = _sqlite_url(0)
    store = Store.from_url(url)
    upgrade(store.engine)
    settings = Settings(database_url=url, xdept_timezone="Asia/Shanghai")
    channels = [f"C{n:05d}" for n in range(messages)]
    with store.engine.begin() as conn:
        ws_id = conn.execute(
            insert(Workspace).returning(Workspace.id),
            [
                {
                    "platform": "slack",
                    "external_id": "T1",
                    "timezone": "UTC",
                    "last_item_number": 0,
                    "created_at": NOW,
                }
            ],
        ).scalar_one()
        body = Message(kind=MessageKind.NOTE, sections=[Section(body=[span("周报已发布 · bench")])])
        conn.execute(
            insert(OutboxMessage),
            [
                {
                    "workspace_id": ws_id,
                    "dedupe_key": f"bench:{n}",
                    "kind": "note",
                    "action": OutboxAction.POST.value,
                    "channel_id": channel,
                    "payload": {"message": body.model_dump(mode="json")},
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": NOW,
                    "created_at": NOW,
                }
                for n, channel in enumerate(channels)
            ],
        )
    # One message per channel: Slack's one-a-second pacing per channel never has to wait.
    result: dict[str, Any] = {"messages": messages, "channels": len(channels)}
    if importlib.util.find_spec("handlers.slack.messenger") is not None:
        from slack_sdk import WebClient

        from handlers.slack.messenger import SlackMessenger
        from tests.fakes.slack import FakeSlack

        with FakeSlack() as slack:
            for channel in channels:
                slack.add_channel(channel, channel.lower())
            messenger = SlackMessenger(WebClient(token="xoxb-bench", base_url=slack.api_url))
            result["through"] = "SlackMessenger -> fake Slack Web API over HTTP"
            result.update(_deliver(store, messenger, settings))
            result["posted_at_fake_slack"] = len(slack.messages())
    else:
        from handlers.console.messenger import RecordingMessenger

        result["through"] = (
            "RecordingMessenger (handlers/slack/messenger.py is not there yet; no HTTP)"
        )
        result.update(_deliver(store, RecordingMessenger(), settings))
    store.dispose()
    return result


def _deliver(store: Store, messenger: Any, settings: Settings) -> dict[str, Any]:
    deliverer = Deliverer(store, OneMessenger(messenger), settings)
    begin = time.perf_counter()
    report = deliverer.deliver_pending(now=NOW, limit=1000)
    seconds = time.perf_counter() - begin
    return {
        "sent": report.sent,
        "failed": report.failed,
        "seconds": round(seconds, 2),
        "messages_per_second": round(report.sent / seconds, 1),
    }


def main() -> None:
    """Run every part and print one JSON document."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    sizes = {"big": args.big, "small": args.small}
    out: dict[str, Any] = {
        "tick_instant": NOW.isoformat(),
        "departments": DEPARTMENTS,
        "sqlite": bench_database(_sqlite_url, args.runs, **sizes),
    }
    if not args.skip_postgres:
        out["postgresql"] = bench_database(_pg_url, args.runs, **sizes)
    out["delivery"] = bench_delivery()
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
