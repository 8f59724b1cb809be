"""The scheduler's cost follows the work due, not the departments one by one nor the archive.

The workspace is bench/archive.py's (500 departments, bulk-seeded with SQL): the
stand-up tick and the weekly metrics must ask the database the same few questions
whatever the number of departments or stored items. The benchmark itself, at a
size CI can afford, runs in the slow stage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bench.archive import DEPARTMENTS, DUE, STANDUP_NOW, SUMMARY_NOW, ZONE, seed
from bench.scheduler import bench_size
from scheduler import facts
from scheduler.summary import due_period, period_metrics, summary_departments
from scheduler.tick import tick
from storage.db import Store
from tests.conftest import make_settings


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_the_standup_tick_asks_a_few_questions_for_500_departments(store: Store) -> None:
    seeded = seed(store, 2_000)
    settings = make_settings(xdept_timezone=ZONE, xdept_locale="en")
    quiet = tick(store, settings, now=STANDUP_NOW - timedelta(minutes=20))
    assert quiet.messages == 0, quiet.lines()
    with statements(store) as sent:
        report = tick(store, settings, now=STANDUP_NOW)
    assert report.written["standup"] == DEPARTMENTS and report.written["unanswered"] == DUE
    assert len(seeded.due_ids) == DUE
    # Three round trips per department made it 1,500 statements; now it is a handful.
    assert len(sent) <= 25, sent


def test_weekly_metrics_ask_a_few_questions_for_500_departments(store: Store) -> None:
    seeded = seed(store, 2_000)
    period = due_period(SUMMARY_NOW, ZONE)
    assert period is not None
    with store.unit_of_work() as uow, statements(store) as sent:
        depts = summary_departments(uow.session, seeded.workspace_id, period)
        weeks = period_metrics(uow.session, seeded.workspace_id, period, depts)
    assert len(weeks) == DEPARTMENTS
    assert sum(w.opened for w in weeks.values()) >= seeded.week
    assert sum(w.closed["done"] for w in weeks.values()) > 0
    assert sum(w.standup_replies for w in weeks.values()) > 0
    assert len(sent) <= 12, sent


@pytest.mark.slow
def test_the_benchmark_runs_at_10k_items_and_the_summary_stores_its_chart_once(
    store: Store, database_url: str
) -> None:
    result = bench_size(database_url, 10_000, runs=1)
    assert result["standup_tick"]["messages"] == DEPARTMENTS + DUE
    summary = result["summary"]
    assert summary["rows"] == DEPARTMENTS
    # A chart per language stored once, 500 rows naming it: each row carries its message
    # and progress table (about 9 kB), not a copy of the PNG (70 kB more as base64).
    assert summary["bytes"]["stored_files"] > 10_000
    assert summary["bytes"]["outbox_payloads"] < DEPARTMENTS * 20_000
    assert result["list_default"]["lead3"]["listed"] > 0


def test_the_tick_reads_item_columns_in_the_order_of_item_rows() -> None:
    names = [column.key for column in facts._ITEM_COLUMNS]
    assert names == [f.name for f in dataclasses.fields(facts.ItemRow)]
