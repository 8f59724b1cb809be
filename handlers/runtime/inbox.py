"""The inbox as the listeners and the workers use it: store, claim, finish, retry, give up.

A use case and the completion of the inbox row that asked for it commit
together: `Finish` opens an ambient transaction (storage.db), marks the row
done first (which also locks it, so nobody reclaims it meanwhile) and lets
the handler run its use case and queue the person's answer inside. A worker
that crashes before that commit leaves the row to be reclaimed when its lease
lapses; one that crashes after it left the row done. Either way the request
is done once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError

from storage.db import Store, UnitOfWork
from storage.inbox import Claimed, TaskState, request_row
from storage.inbox_batch import RequestWriter

log = logging.getLogger(__name__)

# How long a claim holds before another worker may take the row over. The work before
# the completing transaction is short (a few lookups on the chat platform); a claim
# that lapses while its worker is still busy only means the worker's commit is refused.
LEASE = timedelta(seconds=30)
# Attempts before a row is given up and its person told; a crash counts as one.
MAX_ATTEMPTS = 5
# Delivering what work done inside a request queued (the platform-neutral follow-up).
SEND_KIND = "outbox.send"

Task = Claimed
Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """Now, in UTC (the runtime is the edge that reads the clock)."""
    return datetime.now(UTC)


def new_claim() -> str:
    """A fresh claim token."""
    return uuid.uuid4().hex


class ClaimLost(Exception):
    """The row's claim lapsed and another worker took it over (or it was finished)."""


class Inbox:
    """Inbox rows over one store."""

    def __init__(self, store: Store, *, lease: timedelta = LEASE) -> None:
        self.store = store
        self.lease = lease
        self._writer = RequestWriter(store.engine)

    def put(
        self,
        *,
        platform: str,
        workspace: str,
        key: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        claim: bool = False,
    ) -> Task | None:
        """Store a request before acknowledging it; None if its key was stored before.

        With `claim`, the caller holds the row (work done inside the request) and gets
        it back as a task to finish.
        """
        token = new_claim() if claim else None
        values = request_row(
            platform=platform,
            workspace=workspace,
            key=key,
            kind=kind,
            payload=payload,
            now=now,
            claim=token,
            lease_until=now + self.lease,
        )
        try:
            row_id = self._store(values)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            # A pooled connection the database dropped (a restart): the pool renews
            # them all; one more try on a fresh one.
            row_id = self._store(values)
        if row_id is None:
            return None
        return Task(
            id=row_id,
            platform=platform,
            workspace=workspace,
            key=key,
            kind=kind,
            payload=payload,
            received_at=now,
            attempts=1 if claim else 0,
            claim=token or "",
        )

    def _store(self, values: dict[str, Any]) -> int | None:
        return self._writer.put(values)

    def claim(self, *, now: datetime) -> Task | None:
        """Claim the oldest row that may run now."""
        with self.store.unit_of_work() as uow:
            return uow.inbox.claim_next(token=new_claim(), now=now, lease_until=now + self.lease)

    def release(self, task: Task, *, retry_at: datetime, error: str) -> bool:
        """Give a claimed row back, to run again at `retry_at`."""
        with self.store.unit_of_work() as uow:
            return uow.inbox.release(task.id, task.claim, retry_at=retry_at, error=error)

    def open_count(self) -> int:
        """Rows waiting or being worked."""
        with self.store.unit_of_work() as uow:
            return uow.inbox.open_count()


class Finish:
    """Completes one task in the transaction of the use case it runs (call it as a block)."""

    def __init__(self, inbox: Inbox, task: Task, clock: Clock) -> None:
        self.inbox = inbox
        self.task = task
        self.clock = clock
        self.used = False

    @contextmanager
    def __call__(
        self, *, state: TaskState = TaskState.DONE, error: str | None = None
    ) -> Iterator[UnitOfWork]:
        """The ambient transaction: the row is closed first, the use case runs inside."""
        self.used = True
        with self.inbox.store.transaction() as uow:
            if not uow.inbox.finish(
                self.task.id, self.task.claim, now=self.clock(), state=state, error=error
            ):
                raise ClaimLost(f"inbox row {self.task.id} ({self.task.kind})")
            yield uow


class Work(Protocol):
    """A platform's handler for one kind of row: runs the use case inside `finish()`."""

    def __call__(self, task: Task, finish: Finish) -> None:
        """Do what the request asked."""
        ...


Tell = Callable[[Task], None]


@dataclass(frozen=True)
class Route:
    """What a kind of row does; `give_up` queues word to its person when it is given up
    (inside the transaction that closes the row)."""

    work: Work
    give_up: Tell | None = None


Sender = Callable[[Sequence[int], datetime], None]


class Runner:
    """Runs one claimed task: its handler, its completion, then the delivery of what it queued."""

    def __init__(
        self,
        inbox: Inbox,
        routes: Mapping[str, Route],
        *,
        send: Sender,
        clock: Clock = wall_clock,
    ) -> None:
        self.inbox = inbox
        self.routes = {SEND_KIND: Route(work=self._send_follow_up), **routes}
        self.send = send
        self.clock = clock

    def run(self, task: Task) -> None:
        """Do the task once; a failure is retried later, or given up after MAX_ATTEMPTS."""
        route = self.routes.get(task.kind)
        with self.inbox.store.collect_queued() as queued:
            if route is None:
                log.error("inbox row %d has an unknown kind %r; given up", task.id, task.kind)
                self._close(task, TaskState.FAILED, f"unknown kind {task.kind}", None)
            elif task.attempts > MAX_ATTEMPTS:
                self._give_up(task, route, "too many attempts (a worker died on it each time?)")
            else:
                self._attempt(task, route)
        if queued:
            self.send(queued, self.clock())

    def _attempt(self, task: Task, route: Route) -> None:
        finish = Finish(self.inbox, task, self.clock)
        try:
            route.work(task, finish)
            if not finish.used:  # nothing to change: the row is done all the same
                with finish():
                    pass
        except ClaimLost:
            log.info("inbox row %d was taken over by another worker", task.id)
        except Exception as exc:
            log.exception("inbox row %d (%s) failed, attempt %d", task.id, task.kind, task.attempts)
            if task.attempts >= MAX_ATTEMPTS:
                self._give_up(task, route, repr(exc))
            else:
                retry_at = self.clock() + timedelta(seconds=2**task.attempts)
                self.inbox.release(task, retry_at=retry_at, error=repr(exc)[:2000])

    def _give_up(self, task: Task, route: Route, error: str) -> None:
        log.error("inbox row %d (%s) given up: %s", task.id, task.kind, error)
        self._close(task, TaskState.FAILED, error[:2000], route.give_up)

    def _close(self, task: Task, state: TaskState, error: str, tell: Tell | None) -> None:
        finish = Finish(self.inbox, task, self.clock)
        try:
            with finish(state=state, error=error):
                if tell is not None:
                    tell(task)
        except ClaimLost:
            log.info("inbox row %d was taken over by another worker", task.id)
        except Exception:
            log.exception("could not tell the person behind inbox row %d", task.id)
            if tell is not None:
                self._close(task, state, error, None)

    def _send_follow_up(self, task: Task, finish: Finish) -> None:
        """Deliver what work done inside a request queued (it could not wait for Slack)."""
        with finish():
            pass
        self.send([int(i) for i in task.payload.get("ids", [])], self.clock())


def follow_up(uow: UnitOfWork, task: Task, *, now: datetime) -> bool:
    """Inside a request's own finishing transaction: leave the delivery of what it queued
    to the workers (a durable row, like any other); True if there was something to send."""
    ids = list(uow.outbox.queued)
    if not ids:
        return False
    uow.inbox.add(
        request_row(
            platform=task.platform,
            workspace=task.workspace,
            key=f"send:{task.key}"[:200],
            kind=SEND_KIND,
            payload={"ids": ids},
            now=now,
        )
    )
    return True
