"""Core benchmark: filing rate, list/show latency at 100,000 items, parse_due speed.

Run from the repository root:  python -m bench.core [--items 100000] [--skip-postgres]
Prints JSON. PostgreSQL is taken from XDEPT_BENCH_DATABASE_URL (default: the local
`test` database, in a schema of its own that is dropped and recreated).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bench.dates_bench import bench_parse_due
from bot.commands import ListScope, Target, TargetKind
from bot.config import Settings, normalize_database_url
from bot.context import Actor, Context
from bot.services import ItemService
from storage.db import Store, make_engine
from storage.migrate import upgrade
from storage.models import Department, DepartmentPerson, Item, Update, Workspace

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DEPARTMENTS = 50
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _ctx(user: str, now: datetime = NOW) -> Context:
    return Context(
        platform="slack", workspace="T1", actor=Actor(user_id=user), now=now, channel_id="C0GEN"
    )


def _seed(store: Store, items: int) -> None:
    """50 departments with a lead each, and `items` items spread over them (bulk inserts)."""
    rng = random.Random(7)
    with store.engine.begin() as conn:
        ws_id = conn.execute(
            insert(Workspace).returning(Workspace.id),
            [
                {
                    "platform": "slack",
                    "external_id": "T1",
                    "timezone": "Asia/Shanghai",
                    "last_item_number": items,
                    "created_at": NOW,
                }
            ],
        ).scalar_one()
        dept_rows = [
            {
                "workspace_id": ws_id,
                "key": f"dept{d}",
                "name": f"Department {d}",
                "channel_id": f"C{d:04d}",
                "channel_private": False,
                "timezone": "Asia/Shanghai",
                "workdays": "mon-fri",
                "day_start": datetime(2000, 1, 1, 9).time(),
                "day_end": datetime(2000, 1, 1, 18).time(),
                "holidays": [],
                "standup_time": datetime(2000, 1, 1, 9, 30).time(),
                "first_response_minutes": 480,
                "escalate_after_minutes": 1440,
                "created_at": NOW,
            }
            for d in range(DEPARTMENTS)
        ]
        dept_ids = list(
            conn.execute(insert(Department).returning(Department.id), dept_rows).scalars()
        )
        conn.execute(
            insert(DepartmentPerson),
            [
                {"department_id": d, "user_id": f"lead{i}", "role": "lead"}
                for i, d in enumerate(dept_ids)
            ],
        )
        statuses = ["open"] * 3 + ["acknowledged"] * 2 + ["done"] * 4 + ["cancelled"]
        batch: list[dict[str, Any]] = []
        for n in range(1, items + 1):
            created = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 120))
            status = rng.choice(statuses)
            batch.append(
                {
                    "workspace_id": ws_id,
                    "number": n,
                    "kind": "request",
                    "status": status,
                    "text": f"request {n}: 请处理订单 {n}",
                    "requester_id": f"user{rng.randint(0, 2000)}",
                    "owner_id": None,
                    "department_id": dept_ids[n % DEPARTMENTS],
                    "due_at": created + timedelta(days=rng.randint(1, 20)) if n % 4 else None,
                    "created_at": created,
                    "updated_at": created,
                    "channel_id": f"C{n % DEPARTMENTS:04d}",
                    "message_id": f"{1700000000 + n}.000100",
                    "version": 1,
                    "closed_at": created + timedelta(days=2)
                    if status in ("done", "cancelled")
                    else None,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(Item), batch)
                batch = []
        if batch:
            conn.execute(insert(Item), batch)
        conn.execute(
            insert(Update),
            [
                {
                    "workspace_id": ws_id,
                    "item_id": n,
                    "kind": "created",
                    "actor_id": "x",
                    "at": NOW,
                    "data": {},
                }
                for n in range(1, min(items, 20000) + 1)
            ],
        )


def _timed(fn: Any, runs: int) -> dict[str, float]:
    for _ in range(5):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p99_ms": round(_percentile(samples, 0.99), 2),
    }


def bench_database(url: str, items: int) -> dict[str, Any]:
    """Filing rate, then list/show latency with `items` stored items."""
    store = Store.from_url(url)
    upgrade(store.engine)
    settings = Settings(xdept_timezone="Asia/Shanghai", database_url=url)
    service = ItemService(store, settings)
    started = time.perf_counter()
    _seed(store, items)
    seed_seconds = time.perf_counter() - started
    if store.engine.dialect.name == "postgresql":
        # What autovacuum would have done after a bulk load: statistics and the visibility map.
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))

    target = Target(kind=TargetKind.NAME, name="dept3")
    filed = 300
    start = time.perf_counter()
    for n in range(filed):
        service.ask(
            ctx=_ctx(f"filer{n}", NOW + timedelta(seconds=n)),
            target=target,
            text=f"benchmark request {n} by Friday",
        )
    filing_rate = filed / (time.perf_counter() - start)

    lead = _ctx("lead3")
    requester = _ctx("user42")
    return {
        "items": items + filed,
        "departments": DEPARTMENTS,
        "seed_seconds": round(seed_seconds, 1),
        "items_filed_per_second": round(filing_rate, 1),
        "list_default_lead": _timed(lambda: service.list_items(ctx=lead), 200),
        "list_default_requester": _timed(lambda: service.list_items(ctx=requester), 200),
        "list_overdue_lead": _timed(
            lambda: service.list_items(ctx=lead, scope=ListScope.OVERDUE), 100
        ),
        "list_dept_page_5": _timed(
            lambda: service.list_items(ctx=lead, scope=ListScope.DEPT, dept="dept3", page=5), 100
        ),
        "show": _timed(lambda: service.show(ctx=lead, code=f"XD-{random.randint(1, items)}"), 200),
    }


def _pg_url() -> str:
    base = normalize_database_url(os.environ.get("XDEPT_BENCH_DATABASE_URL", PG_DEFAULT))
    admin = make_engine(base, pool_size=1, max_overflow=0)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS xdept_bench CASCADE"))
        conn.execute(text("CREATE SCHEMA xdept_bench"))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3Dxdept_bench"


def main() -> None:
    """Run every part and print one JSON document."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {"parse_due": bench_parse_due()}
    with tempfile.TemporaryDirectory() as tmp:
        result["sqlite"] = bench_database(f"sqlite:///{tmp}/bench.db", args.items)
    if not args.skip_postgres:
        result["postgresql"] = bench_database(_pg_url(), args.items)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
