"""The inbox table and the ambient transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.db import Store
from storage.inbox import TaskState, request_row
from storage.models import InboxTask, Workspace

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def _add(store: Store, key: str, *, now: datetime = NOW) -> int | None:
    with store.unit_of_work() as uow:
        return uow.inbox.add(
            request_row(
                platform="slack", workspace="T1", key=key, kind="test", payload={"k": key}, now=now
            )
        )


def _claim(store: Store, token: str, *, now: datetime = NOW):  # type: ignore[no-untyped-def]
    with store.unit_of_work() as uow:
        return uow.inbox.claim_next(token=token, now=now, lease_until=now + LEASE)


def test_a_request_is_stored_once_per_key(store: Store) -> None:
    first = _add(store, "command:1")
    assert first is not None
    assert _add(store, "command:1") is None  # Slack's retry, or the same request twice
    with store.unit_of_work() as uow:
        assert uow.inbox.add(
            request_row(
                platform="feishu", workspace="t", key="command:1", kind="x", payload={}, now=NOW
            )
        )
        assert uow.inbox.open_count() == 2


def test_claims_take_the_oldest_row_and_never_the_same_one_twice(store: Store) -> None:
    ids = [_add(store, f"k{n}") for n in range(3)]
    a, b = _claim(store, "a"), _claim(store, "b")
    assert a is not None and b is not None
    assert [a.id, b.id] == ids[:2]
    assert a.payload == {"k": "k0"} and a.attempts == 1 and a.claim == "a"
    assert a.received_at == NOW
    c = _claim(store, "c")
    assert c is not None and c.id == ids[2]
    assert _claim(store, "d") is None


def test_a_row_not_due_yet_waits(store: Store) -> None:
    _add(store, "later", now=NOW + timedelta(minutes=1))
    assert _claim(store, "a") is None
    assert _claim(store, "a", now=NOW + timedelta(minutes=1)) is not None


def test_only_the_claim_in_force_finishes_a_row(store: Store) -> None:
    _add(store, "k")
    first = _claim(store, "first")
    assert first is not None
    # The first worker stalls past its lease: another reclaims the row.
    assert _claim(store, "second", now=NOW + LEASE / 2) is None
    second = _claim(store, "second", now=NOW + LEASE)
    assert second is not None and second.id == first.id and second.attempts == 2
    with store.unit_of_work() as uow:
        assert uow.inbox.finish(first.id, "first", now=NOW) is False
        assert uow.inbox.finish(second.id, "second", now=NOW) is True
        assert uow.inbox.finish(second.id, "second", now=NOW) is False  # done already
    with store.unit_of_work() as uow:
        row = uow.inbox.get(first.id)
        assert row is not None and row.state == TaskState.DONE.value
    assert _claim(store, "third", now=NOW + 10 * LEASE) is None


def test_a_released_row_runs_again_after_its_retry_time(store: Store) -> None:
    _add(store, "k")
    task = _claim(store, "a")
    assert task is not None
    with store.unit_of_work() as uow:
        retry = NOW + timedelta(seconds=4)
        assert uow.inbox.release(task.id, "a", retry_at=retry, error="boom") is True
    assert _claim(store, "b", now=NOW + timedelta(seconds=3)) is None
    again = _claim(store, "b", now=NOW + timedelta(seconds=4))
    assert again is not None and again.attempts == 2


def test_a_row_stored_already_claimed_is_not_claimed_by_others(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.inbox.add(
            request_row(
                platform="slack",
                workspace="T1",
                key="form",
                kind="x",
                payload={},
                now=NOW,
                claim="request",
                lease_until=NOW + LEASE,
            )
        )
    assert _claim(store, "worker") is None
    # The request's process died: the lease lapses and a worker takes over.
    assert _claim(store, "worker", now=NOW + LEASE) is not None


def test_finished_rows_are_forgotten_after_a_week(store: Store) -> None:
    for key, age in (("old", 8), ("new", 1), ("old-open", 9)):
        _add(store, key, now=NOW - timedelta(days=age))
    for token in ("a", "b"):
        task = _claim(store, token)
        assert task is not None
        if task.key != "old-open":
            with store.unit_of_work() as uow:
                uow.inbox.finish(task.id, token, now=NOW)
    with store.unit_of_work() as uow:
        # Unfinished work is never forgotten, however old.
        assert uow.inbox.forget_before(NOW - timedelta(days=7)) == 1
    with store.unit_of_work() as uow:
        keys = set(uow.session.scalars(select(InboxTask.key)))
    assert keys == {"new", "old-open"}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_concurrent_claimers_split_the_rows_between_them(store: Store) -> None:
    for n in range(40):
        _add(store, f"k{n}")
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (task := _claim(store, name)) is not None:
            with lock:
                claimed.append(task.id)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 40


def _workspaces(store: Store) -> int:
    with store.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Workspace)) or 0)


def _workspace(external_id: str) -> Workspace:
    return Workspace(platform="slack", external_id=external_id, timezone="UTC", created_at=NOW)


def test_units_of_work_inside_a_transaction_land_with_it(store: Store) -> None:
    with pytest.raises(RuntimeError, match="after"), store.transaction():  # noqa: PT012
        with store.unit_of_work() as uow:
            uow.session.add(_workspace("T-a"))
        assert store.in_transaction()
        assert _workspaces(store) == 1  # inside: seen by the transaction itself
        raise RuntimeError("after the use case, before the commit")
    assert not store.in_transaction()
    assert _workspaces(store) == 0  # nothing landed
    with store.transaction() as outer:
        with store.unit_of_work() as uow:
            uow.session.add(_workspace("T-b"))
        outer.inbox.add(
            request_row(platform="slack", workspace="T1", key="k", kind="x", payload={}, now=NOW)
        )
    assert _workspaces(store) == 1
    with store.unit_of_work() as uow:
        assert uow.inbox.open_count() == 1


def test_a_failing_unit_inside_a_transaction_undoes_only_itself(store: Store) -> None:
    with store.collect_queued() as queued, store.transaction():
        with store.unit_of_work() as uow:
            uow.session.add(_workspace("T-kept"))
            uow.session.flush()
            ws_id = uow.session.scalars(select(Workspace.id)).one()
        with pytest.raises(ValueError), store.unit_of_work() as uow:  # noqa: PT012
            uow.session.add(_workspace("T-undone"))
            uow.outbox.enqueue(
                workspace_id=ws_id,
                dedupe_key="undone",
                kind="reply",
                action="dm",
                user_id="U1",
                created_at=NOW,
            )
            raise ValueError("refused")
        with store.unit_of_work() as uow:
            assert uow.outbox.enqueue(
                workspace_id=ws_id,
                dedupe_key="kept",
                kind="reply",
                action="dm",
                user_id="U1",
                created_at=NOW,
            )
        assert queued == []  # nothing is committed before the transaction is
    with store.unit_of_work() as uow:
        names = set(uow.session.scalars(select(Workspace.external_id)))
        kept = uow.outbox.by_key("kept")
        assert uow.outbox.by_key("undone") is None
    assert names == {"T-kept"}
    assert kept is not None and queued == [kept.id]
