"""Scheduler benchmark: the cost of the scheduler's questions as the archive grows.

Run from the repository root:

    python -m bench.scheduler --items 10000 100000 1000000 [--sqlite] [--runs 3]

For each size, a fresh database is seeded in bulk with SQL (bench/archive.py: 500
departments, fixed live work, an archive of closed items that makes up the rest) and
these are measured and printed as JSON:

- the stand-up tick (500 prompts and 200 unanswered nudges due at one instant),
- the weekly metrics of every department (what the Monday summary computes),
- the Monday tick that writes the summary, and the bytes it leaves in the outbox,
- the default `/xdept list` (median and p99 of 200 calls),

then, once, outbox delivery against the fake Slack Web API (tests/fakes/slack/)
through the real SlackMessenger. The live work is the same at every size, so every
figure should stay flat from 10k to 1M.

PostgreSQL is taken from XDEPT_BENCH_DATABASE_URL (default: the local `test`
database), in a schema of its own that is dropped and recreated; --sqlite uses a
temporary SQLite file instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, inspect, select, text, update

from bench.archive import (
    DEPARTMENTS,
    DUE,
    STANDUP_NOW,
    SUMMARY_NOW,
    ZONE,
    Seeded,
    analyze,
    seed,
)
from bot.config import Settings, normalize_database_url
from bot.context import Actor, Context
from bot.messages import Message, MessageKind, Section
from bot.messages import text as span
from bot.outbox import OutboxAction
from bot.ports import OneMessenger
from bot.services import ItemService
from scheduler.delivery import Deliverer
from scheduler.summary import due_period, period_metrics, summary_departments
from scheduler.tick import tick
from storage.db import Store, make_engine
from storage.migrate import upgrade
from storage.models import Item, OutboxMessage, Standup, Update, Workspace

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # delivery's clock
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "xdept_bench_scheduler"


def _reset(store: Store, due_ids: list[int]) -> None:
    """Undo what a measured stand-up tick wrote, so the next run finds the same work due."""
    today = STANDUP_NOW.date().isoformat()
    with store.engine.begin() as conn:
        conn.execute(
            delete(OutboxMessage).where(
                OutboxMessage.kind != "tracking", OutboxMessage.created_at >= STANDUP_NOW
            )
        )
        conn.execute(delete(Standup).where(Standup.local_date == today))
        conn.execute(delete(Update).where(Update.kind == "nudged"))
        conn.execute(
            update(Item)
            .where(Item.id.in_(due_ids))
            .values(next_check_at=STANDUP_NOW - timedelta(minutes=5))
        )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _ms(samples: list[float]) -> dict[str, Any]:
    return {
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
    }


def bench_standup_tick(store: Store, settings: Settings, seeded: Seeded, runs: int) -> dict:
    """The tick at 09:31 on a Tuesday: 500 stand-up prompts and DUE unanswered nudges."""
    warm = tick(store, settings, now=STANDUP_NOW - timedelta(minutes=20))
    assert warm.messages == 0, warm.lines()
    samples, cpu = [], []
    for _ in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        report = tick(store, settings, now=STANDUP_NOW)
        samples.append((time.perf_counter() - begin) * 1000)
        # This process's CPU: what a loaded machine does not inflate (the database's aside).
        cpu.append((time.process_time() - begin_cpu) * 1000)
        assert report.written["standup"] == DEPARTMENTS, report.lines()
        assert report.written["unanswered"] == DUE, report.lines()
        _reset(store, seeded.due_ids)
    return {
        **_ms(samples),
        "client_cpu_ms_median": round(statistics.median(cpu), 1),
        "messages": report.messages,
    }


def bench_week_metrics(store: Store, settings: Settings, seeded: Seeded, runs: int) -> dict:
    """The figures of last week for every department (what the Monday summary computes)."""
    period = due_period(SUMMARY_NOW, settings.xdept_timezone)
    assert period is not None
    samples = []
    for _ in range(runs + 1):
        with store.unit_of_work() as uow:
            begin = time.perf_counter()
            depts = summary_departments(uow.session, seeded.workspace_id, period)
            weeks = period_metrics(uow.session, seeded.workspace_id, period, depts)
            samples.append((time.perf_counter() - begin) * 1000)
    opened = sum(w.opened for w in weeks.values())
    assert opened >= seeded.week, (opened, seeded.week)  # and active items filed that week
    return {**_ms(samples[1:]), "opened": opened}


def bench_summary(store: Store, settings: Settings) -> dict:
    """The Monday tick that writes the weekly summary, and the bytes it leaves in the outbox."""
    begin = time.perf_counter()
    report = tick(store, settings, now=SUMMARY_NOW)
    seconds = time.perf_counter() - begin
    return {
        "tick_ms": round(seconds * 1000, 1),
        "rows": report.written["summary"],
        "bytes": summary_bytes(store),
    }


def summary_bytes(store: Store) -> dict[str, int]:
    """Bytes the summary left in the outbox (payload JSON) and in stored files, if any."""
    with store.engine.connect() as conn:
        payloads = conn.execute(
            select(OutboxMessage.payload).where(OutboxMessage.kind == "summary")
        ).scalars()
        outbox = sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in payloads)
        files = 0
        if inspect(conn).has_table("outbox_files"):
            files = int(
                conn.execute(
                    text("SELECT COALESCE(SUM(LENGTH(content)), 0) FROM outbox_files")
                ).scalar_one()
            )
    return {"outbox_payloads": outbox, "stored_files": files, "total": outbox + files}


def bench_list(store: Store, settings: Settings, runs: int) -> dict:
    """`/xdept list` with no arguments, for a lead and for a requester."""
    service = ItemService(store, settings)
    out = {}
    for who in ("lead3", "user42"):
        ctx = Context(
            platform="slack",
            workspace="T1",
            actor=Actor(user_id=who),
            now=STANDUP_NOW,
            channel_id="C00003",
        )
        for _ in range(5):
            service.list_items(ctx=ctx)
        samples = []
        for _ in range(runs):
            begin = time.perf_counter()
            page = service.list_items(ctx=ctx)
            samples.append((time.perf_counter() - begin) * 1000)
        out[who] = {
            "median_ms": round(statistics.median(samples), 2),
            "p99_ms": round(_percentile(samples, 0.99), 2),
            "listed": page.total,
        }
    return out


def bench_size(url: str, items: int, runs: int) -> dict[str, Any]:
    """Seed `items` in a fresh database, then measure each figure."""
    store = Store.from_url(url)
    upgrade(store.engine)
    settings = Settings(database_url=url, xdept_timezone=ZONE, xdept_locale="en")
    started = time.perf_counter()
    seeded = seed(store, items)
    analyze(store)
    out: dict[str, Any] = {
        "stored_items": items,
        "archive": seeded.archive,
        "active": seeded.active + seeded.week // 2,
        "seed_seconds": round(time.perf_counter() - started, 1),
    }
    assert len(seeded.due_ids) == DUE, len(seeded.due_ids)
    out["standup_tick"] = bench_standup_tick(store, settings, seeded, runs)
    out["week_metrics"] = bench_week_metrics(store, settings, seeded, runs)
    out["summary"] = bench_summary(store, settings)
    out["list_default"] = bench_list(store, settings, 200)
    store.dispose()
    return out


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
    """Every size, then delivery; one JSON document."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, nargs="+", default=[10_000])
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-delivery", action="store_true")
    args = parser.parse_args()
    fresh = _sqlite_url if args.sqlite else _pg_url
    out: dict[str, Any] = {
        "database": "sqlite" if args.sqlite else "postgresql",
        "departments": DEPARTMENTS,
        "sizes": [bench_size(fresh(n), n, args.runs) for n in args.items],
    }
    if not args.skip_delivery:
        out["delivery"] = bench_delivery()
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
