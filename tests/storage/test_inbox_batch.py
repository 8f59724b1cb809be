"""Many threads storing requests at once: each row stored once, each thread told its own
outcome, a failure reaching every thread whose row it took, no thread left waiting."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from storage import inbox_batch
from storage.db import Store
from storage.inbox import request_row
from storage.inbox_batch import RequestWriter
from storage.models import InboxTask

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _row(key: str) -> dict[str, Any]:
    return request_row(
        platform="test", workspace="W", key=key, kind="x", payload={"k": key}, now=NOW
    )


def _count(store: Store) -> int:
    with store.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(InboxTask)) or 0)


def test_concurrent_requests_are_each_stored_once(store: Store) -> None:
    writer = RequestWriter(store.engine)
    keys = [f"k{n}" for n in range(300)]
    sent = keys + random.sample(keys, 100)  # retries racing their originals
    random.shuffle(sent)

    def put(key: str) -> tuple[str, int | None]:
        return key, writer.put(_row(key))

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(put, sent))
    stored = [(key, row_id) for key, row_id in outcomes if row_id is not None]
    assert sorted(key for key, _ in stored) == sorted(keys)  # each key told "new" once
    assert len({row_id for _, row_id in stored}) == len(keys)
    assert _count(store) == len(keys)
    with store.unit_of_work() as uow:
        payloads = dict(uow.session.execute(select(InboxTask.key, InboxTask.payload)).all())
    assert payloads == {key: {"k": key} for key in keys}


def test_a_key_stored_before_is_none(store: Store) -> None:
    writer = RequestWriter(store.engine)
    assert writer.put(_row("once")) is not None
    assert writer.put(_row("once")) is None
    assert _count(store) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_rows_queued_during_a_commit_go_together_and_a_failure_reaches_each(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = RequestWriter(store.engine)
    real = inbox_batch.store_requests_on_postgres
    entered, release = threading.Event(), threading.Event()
    batches: list[int] = []

    def slow_first(engine: Any, rows: list[dict[str, Any]]) -> Any:
        batches.append(len(rows))
        if len(batches) == 1:
            entered.set()
            assert release.wait(10)
        return real(engine, rows)

    monkeypatch.setattr(inbox_batch, "store_requests_on_postgres", slow_first)
    with ThreadPoolExecutor(max_workers=9) as pool:
        first = pool.submit(writer.put, _row("first"))
        assert entered.wait(10)
        rest = [pool.submit(writer.put, _row(f"r{n}")) for n in range(8)]
        while len(writer._queue) < 8:  # the eight are queued behind the commit under way
            threading.Event().wait(0.01)
        release.set()
        assert first.result(10) is not None and all(f.result(10) for f in rest)
    assert batches == [1, 8]

    # The inbox gone: every thread of the batch gets the error, and the next put too.
    with store.engine.begin() as connection:
        connection.execute(text("ALTER TABLE inbox RENAME TO inbox_away"))
    try:
        monkeypatch.setattr(inbox_batch, "store_requests_on_postgres", real)
        with ThreadPoolExecutor(max_workers=8) as pool:
            failed = [pool.submit(writer.put, _row(f"f{n}")) for n in range(8)]
            for future in failed:
                with pytest.raises(SQLAlchemyError):
                    future.result(10)
        with pytest.raises(SQLAlchemyError):
            writer.put(_row("after"))
    finally:
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE inbox_away RENAME TO inbox"))
    assert writer.put(_row("back")) is not None
