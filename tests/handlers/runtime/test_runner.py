"""The inbox runner: a row is done once, with its use case, or retried, or given up and told."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql

from bot.bootstrap import App
from bot.messages import Message, MessageKind, Section, text
from bot.outbox import direct_message
from handlers.runtime.inbox import (
    LEASE,
    MAX_ATTEMPTS,
    SEND_KIND,
    Finish,
    Inbox,
    Route,
    Runner,
    Task,
    follow_up,
)
from storage.db import Store
from storage.inbox import TaskState
from storage.models import InboxTask, OutboxMessage, Workspace

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _note(body: str) -> Message:
    return Message(kind=MessageKind.NOTE, sections=[Section(body=[text(body)])])


class Harness:
    """A runner over the app's store whose 'use case' records a workspace and a DM."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.clock = Clock()
        self.inbox = Inbox(app.store)
        self.sent: list[list[int]] = []
        self.failures: list[int] = []  # attempts that should fail
        self.told: list[int] = []
        routes = {"test.work": Route(self.work, self.give_up)}
        self.runner = Runner(self.inbox, routes, send=self.send, clock=self.clock)

    def send(self, ids: Sequence[int], now: datetime) -> None:
        self.sent.append(list(ids))

    def _queue(self, name: str, user: str) -> None:
        with self.app.store.unit_of_work() as uow:
            ws = uow.workspaces.get_or_create("test", name, now=T0, timezone="UTC")
            direct_message(
                uow, workspace_id=ws.id, user_id=user, message=_note(name), key=name, now=T0
            )

    def work(self, task: Task, finish: Finish) -> None:
        with finish():
            self._queue(f"done-{task.key}", "U1")
            if task.attempts in self.failures:
                raise RuntimeError(f"failure on attempt {task.attempts}")

    def give_up(self, task: Task) -> None:
        self.told.append(task.id)
        self._queue(f"told-{task.key}", "U1")

    def put(self, key: str = "k") -> Task:
        task = self.inbox.put(
            platform="test", workspace="W", key=key, kind="test.work", payload={}, now=T0
        )
        assert task is not None
        return task

    def claim(self) -> Task:
        task = self.inbox.claim(now=self.clock())
        assert task is not None
        return task

    def rows(self) -> list[InboxTask]:
        with self.app.store.unit_of_work() as uow:
            return list(uow.session.scalars(select(InboxTask).order_by(InboxTask.id)))

    def workspaces(self) -> set[str]:
        with self.app.store.unit_of_work() as uow:
            return set(uow.session.scalars(select(Workspace.external_id)))

    def outbox_keys(self) -> list[str]:
        with self.app.store.unit_of_work() as uow:
            return list(uow.session.scalars(select(OutboxMessage.dedupe_key)))


@pytest.fixture
def harness(app: App) -> Harness:
    return Harness(app)


def test_a_row_is_done_with_its_use_case_and_what_it_queued_is_sent(harness: Harness) -> None:
    harness.put()
    harness.runner.run(harness.claim())
    (row,) = harness.rows()
    assert row.state == TaskState.DONE.value and row.finished_at == T0
    assert harness.workspaces() == {"done-k"}
    with harness.app.store.unit_of_work() as uow:
        queued = uow.outbox.by_key("done-k")
    assert queued is not None and harness.sent == [[queued.id]]
    assert harness.inbox.claim(now=T0 + timedelta(days=1)) is None


def test_a_failure_undoes_the_use_case_and_the_row_runs_again_later(harness: Harness) -> None:
    harness.failures = [1]
    harness.put()
    harness.runner.run(harness.claim())
    (row,) = harness.rows()
    assert row.state == TaskState.PENDING.value and "attempt 1" in (row.last_error or "")
    assert harness.workspaces() == set() and harness.outbox_keys() == [] and harness.sent == []
    assert harness.inbox.claim(now=T0 + timedelta(seconds=1)) is None  # backing off
    harness.clock.now = T0 + timedelta(seconds=2)
    harness.runner.run(harness.claim())
    assert harness.rows()[0].state == TaskState.DONE.value
    assert harness.outbox_keys() == ["done-k"]


def test_a_row_that_keeps_failing_is_given_up_and_its_person_told(harness: Harness) -> None:
    harness.failures = list(range(1, MAX_ATTEMPTS + 1))
    harness.put()
    for _ in range(MAX_ATTEMPTS):
        harness.clock.now += timedelta(minutes=5)
        harness.runner.run(harness.claim())
    (row,) = harness.rows()
    assert row.state == TaskState.FAILED.value and row.attempts == MAX_ATTEMPTS
    assert harness.told == [row.id]
    assert harness.outbox_keys() == ["told-k"]  # the notice, never the failed work
    assert len(harness.sent) == 1


def test_a_row_whose_worker_keeps_dying_is_given_up(harness: Harness) -> None:
    harness.put()
    for _ in range(MAX_ATTEMPTS):  # claimed, then the worker dies: nothing runs
        harness.claim()
        harness.clock.now += LEASE
    harness.runner.run(harness.claim())
    (row,) = harness.rows()
    assert row.state == TaskState.FAILED.value and harness.told == [row.id]
    assert harness.workspaces() == {"told-k"}


def test_a_worker_whose_claim_lapsed_cannot_finish_the_row(harness: Harness) -> None:
    harness.put()
    slow = harness.claim()
    harness.clock.now += LEASE  # the first worker stalls past its lease
    fast = harness.claim()
    harness.runner.run(fast)
    harness.runner.run(slow)  # its commit is refused: the use case is not done twice
    assert harness.workspaces() == {"done-k"}
    assert harness.outbox_keys() == ["done-k"]
    assert harness.rows()[0].state == TaskState.DONE.value


def test_an_unknown_kind_is_given_up(harness: Harness) -> None:
    harness.inbox.put(platform="test", workspace="W", key="x", kind="nobody", payload={}, now=T0)
    harness.runner.run(harness.claim())
    assert harness.rows()[0].state == TaskState.FAILED.value


def test_work_done_inside_a_request_leaves_its_delivery_to_the_workers(harness: Harness) -> None:
    task = harness.inbox.put(
        platform="test", workspace="W", key="form", kind="test.form", payload={}, now=T0, claim=True
    )
    assert task is not None
    with Finish(harness.inbox, task, harness.clock)() as uow:
        harness._queue("from-the-request", "U2")
        assert follow_up(uow, task, now=T0)
    follow = harness.claim()
    assert follow.kind == SEND_KIND and follow.key == "send:form"
    harness.runner.run(follow)
    with harness.app.store.unit_of_work() as uow:
        queued = uow.outbox.by_key("from-the-request")
        states = dict(uow.session.execute(select(InboxTask.key, InboxTask.state)).all())
        count = uow.session.scalar(select(func.count()).select_from(InboxTask))
    assert queued is not None and harness.sent == [[queued.id]]
    assert states == {"form": "done", "send:form": "done"} and count == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_storing_a_request_survives_a_connection_the_database_dropped(database_url: str) -> None:
    store = Store.from_url(database_url, pool_pre_ping=False, pool_size=1, max_overflow=0)
    other = Store.from_url(database_url)
    try:
        inbox = Inbox(store)
        with store.engine.connect() as connection:
            backend = connection.execute(sql("SELECT pg_backend_pid()")).scalar()
        with other.engine.begin() as connection:  # a restart, as the pooled connection sees it
            connection.execute(sql("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        key = f"dropped-{uuid.uuid4().hex}"  # this database is not emptied for this test
        task = inbox.put(platform="test", workspace="W", key=key, kind="x", payload={}, now=T0)
        assert task is not None
        with store.unit_of_work() as uow:
            assert uow.inbox.by_key("test", key) is not None
    finally:
        store.dispose()
        other.dispose()
