"""Outbox delivery: rounds of claimed rows sent through each workspace's Messenger.

A round is two transactions whatever its size: one takes its rows (a
conditional UPDATE, so two replicas never send the same row) and their
chats' pace (scheduler.pacing) and plans them; the other records what
happened. In between, the messages go out, with no transaction open.
Transient failures back off and honour Retry-After for their chat alone;
permanent ones are recorded and reported once to the department's lead.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.config import Settings
from bot.outbox import RowState
from bot.ports import (
    DeliveryCode,
    DeliveryError,
    MessageRef,
    Messenger,
    Messengers,
    WorkspaceAddress,
)
from scheduler.outcomes import DeliveryReport, Outcome, Recorder
from scheduler.pacing import Chat, LogicalClock, PaceClock, Readiness, WallClock
from scheduler.planning import Plan, Planner
from scheduler.pump import Pump
from scheduler.rounds import Candidate, Taken, choose, take
from scheduler.sending import send
from storage.db import Store, UnitOfWork
from storage.models import Workspace

__all__ = ["STALE_CLAIM", "Deliverer", "DeliveryReport"]

log = logging.getLogger(__name__)

# A claimed row whose sender died is looked for, then retried, after this long.
STALE_CLAIM = timedelta(minutes=10)


@dataclass
class _WaitBudget:
    """How long one delivery run may still spend waiting (pace, Retry-After)."""

    left: float

    def take(self, seconds: float) -> bool:
        """Spend `seconds` if there are that many left."""
        if seconds > self.left:
            return False
        self.left -= seconds
        return True


def _sending_order(plan: Plan) -> tuple[bool, int]:
    """Oldest first, but edits of tracking messages before everything else: an edit may
    have the platform post the message again, and its thread's messages then go there."""
    return (not (plan.kind == "update" and plan.item_id is not None), plan.row_id)


class Deliverer:
    """Sends pending outbox rows, each through its workspace's Messenger, at each chat's pace.

    `clock` is the pace's clock: the wall clock by default; with only `sleep` given
    (tests, the demo), a LogicalClock that moves with each run's `now` and each wait.
    """

    def __init__(
        self,
        store: Store,
        messengers: Messengers,
        settings: Settings,
        *,
        sleep: Callable[[float], None] | None = None,
        clock: PaceClock | None = None,
        max_wait: float = 30.0,
        rows_wait: float = 5.0,
        pump: bool = False,
    ) -> None:
        self.store = store
        self.messengers = messengers
        self.settings = settings
        self.clock = clock or (LogicalClock(sleep) if sleep is not None else WallClock())
        self.max_wait = max_wait
        # With a pump, a use case's rows that must wait for their chat go to its thread
        # at once; without one, the use case waits up to `rows_wait`, then the tick.
        self._pump = Pump(self._deliver_later, self.clock) if pump else None
        self.rows_wait = 0.0 if pump else rows_wait
        self.planner = Planner(settings)
        self.recorder = Recorder(settings)

    def deliver_pending(self, *, now: datetime, limit: int = 500) -> DeliveryReport:
        """Send every due row (oldest first, up to `limit`), each chat at its pace.

        Rows queued while delivering (a failure reported to a lead) go too. Waits for
        chats' pace and Retry-Afters take up to `max_wait` in all; past that, the rest
        is left for the next tick.
        """
        return _Run(self, now=now, ids=None, limit=limit, wait=self.max_wait).go()

    def deliver_rows(self, ids: Sequence[int], *, now: datetime) -> DeliveryReport:
        """Send exactly these rows (one use case's), oldest first; what fails stays queued.

        A use case waits for its chats at most `rows_wait` seconds (its worker has other
        requests to serve); what can't go by then is left for the tick's delivery.
        """
        if not ids:
            return DeliveryReport()
        report = _Run(
            self,
            now=now,
            ids=sorted(set(ids)),
            limit=len(ids),
            wait=self.rows_wait,
            hand_on=self._pump is not None,
        ).go()
        if self._pump is not None and report.waiting and report.ready_at is not None:
            self._pump.later(report.waiting, report.ready_at)
        return report

    def _deliver_later(self, ids: Sequence[int], now: datetime) -> None:
        self.deliver_rows(ids, now=now)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the pump's thread, if there is one (its rows stay pending for the tick)."""
        return self._pump.stop(timeout) if self._pump is not None else True

    def messenger(self, workspace: WorkspaceAddress) -> Messenger:
        """The workspace's messenger (DeliveryError AUTH if the bot may not speak there)."""
        return self.messengers.for_workspace(workspace)


class _Run:
    """One call's delivery: a queue of candidate rows worked in rounds."""

    def __init__(
        self,
        deliverer: Deliverer,
        *,
        now: datetime,
        ids: list[int] | None,
        limit: int,
        wait: float,
        hand_on: bool = False,
    ) -> None:
        self.d = deliverer
        # What still waits for its chat when the budget is spent is handed on (a pump).
        self.hand_on = hand_on
        self.now = now
        self.limit = limit
        self.budget = _WaitBudget(wait)
        self.report = DeliveryReport()
        self.ready = Readiness()
        self.queue: dict[int, Candidate] = {}
        self.intervals: dict[int, float] = {}  # per workspace
        self.addresses: dict[int, WorkspaceAddress] = {}
        self.token = uuid.uuid4().hex
        self._first = True
        self._ids = ids
        self._load: list[int] = []
        deliverer.clock.observe(now)

    def go(self) -> DeliveryReport:
        """Work the queue until it is empty or the wait budget is spent."""
        while True:
            pace_now = self.d.clock.now()
            chosen: list[Candidate] = []
            taken: Taken | None = None
            if not self._first and not self._load:
                chosen = self._choose(pace_now)
            if self._first or self._load:
                with self.d.store.unit_of_work() as uow:
                    self._fill(uow)
                # Outside the transaction: a workspace's messenger may read the database
                # itself (a team's token), and on SQLite that waits for this writer's lock.
                self._learn_intervals()
                chosen = self._choose(pace_now)
            if chosen:
                with self.d.store.unit_of_work() as uow:
                    taken = self._take(uow, chosen, pace_now)
            if taken is None:
                if not self.queue or not self._wait(pace_now):
                    return self._leftovers()
                continue
            if not taken.claimed and not taken.chats:
                continue  # every chat chosen was busy: what it learnt decides the wait
            outcomes = self._send(taken)
            self._close(taken, outcomes, pace_now)

    def _leftovers(self) -> DeliveryReport:
        """The report, naming the rows that still wait for their chat (and until when)."""
        if self.queue:
            self.report.waiting = sorted(self.queue)
            self.report.ready_at = self.ready.earliest(
                (c.chat for c in self.queue.values()), self.queue, after=self.d.clock.now()
            )
        return self.report

    # -- the queue ----------------------------------------------------------------------------

    def _fill(self, uow: UnitOfWork) -> None:
        if self._first:
            self._first = False
            if self._ids is None:
                uow.outbox.release_stale(self.now - STALE_CLAIM)
                rows = uow.outbox.candidates(due=self.now, limit=self.limit)
            else:
                rows = uow.outbox.candidates(self._ids, limit=self.limit)
        else:
            rows = uow.outbox.candidates(self._load, limit=len(self._load))
        self._load = []
        for row in rows:
            candidate = Candidate.of(row)
            self.queue[candidate.id] = candidate
            self._learn_address(uow, candidate.workspace_id)

    def _learn_address(self, uow: UnitOfWork, workspace_id: int) -> None:
        if workspace_id in self.addresses:
            return
        ws = uow.session.get(Workspace, workspace_id)
        if ws is not None:
            address = WorkspaceAddress(platform=ws.platform, external_id=ws.external_id)
            self.addresses[workspace_id] = address

    def _learn_intervals(self) -> None:
        """Each new workspace's pace, from its messenger (0 where it has none)."""
        for workspace_id, address in self.addresses.items():
            if workspace_id in self.intervals:
                continue
            try:
                interval = float(self.d.messenger(address).chat_interval)
            except DeliveryError:
                interval = 0.0  # its rows fail when sent, and say why
            self.intervals[workspace_id] = interval

    def _interval(self, chat: Chat) -> float:
        return self.intervals.get(chat[0], 0.0)

    def _paced(self, chat: Chat) -> bool:
        return self._interval(chat) > 0

    def _choose(self, pace_now: datetime) -> list[Candidate]:
        ordered = [self.queue[i] for i in sorted(self.queue)]
        return choose(ordered, self.ready, now=pace_now, paced=self._paced)

    def _take(self, uow: UnitOfWork, chosen: list[Candidate], pace_now: datetime) -> Taken:
        taken = take(
            uow,
            chosen,
            token=self.token,
            now=self.now,
            pace_now=pace_now,
            ready=self.ready,
            planner=self.d.planner,
            paced=self._paced,
            interval=self._interval,
            addresses=self.addresses,
        )
        for row_id in taken.missed:
            candidate = self.queue[row_id]
            if candidate.chat is None or self.ready.chat_free(candidate.chat, pace_now):
                # Another sender has it, or it is not due: not this run's to send.
                del self.queue[row_id]
        return taken

    def _wait(self, pace_now: datetime) -> bool:
        """Wait for the first chat or row of the queue that may go; False if none will in
        the budget."""
        at = self.ready.earliest((c.chat for c in self.queue.values()), self.queue, after=pace_now)
        if at is None:
            return False  # nothing the queue waits for lies ahead: it is stuck, not paced
        seconds = max((at - pace_now).total_seconds(), 0.0)
        if not self.budget.take(seconds):
            return False
        self.report.paced += seconds
        self.d.clock.sleep(seconds)
        return True

    # -- sending and recording ----------------------------------------------------------------

    def _send(self, taken: Taken) -> dict[int, tuple[Outcome, datetime]]:
        outcomes = {i: (o, self.d.clock.now()) for i, o in taken.outcomes.items()}
        links: dict[int, str] = {}
        failed_items: set[int] = set()
        moved: dict[int, MessageRef] = {}
        for plan in sorted(taken.plans, key=_sending_order):
            if plan.answer is not None and plan.answer.item_id in failed_items:
                outcomes[plan.row_id] = (Outcome(plan=plan, held=True), self.d.clock.now())
                continue
            if plan.thread_of in moved:
                # Planned before the edit that had the tracking message posted again.
                new = moved[plan.thread_of]
                plan = replace(plan, channel=new.chat, thread_id=new.message_id)
            try:
                result = send(plan, self.d.messenger(plan.workspace), links=links)
                outcome = Outcome(plan=plan, result=result)
                if plan.item_id is not None and result.permalink:
                    links[plan.item_id] = result.permalink
                if plan.item_id is not None and plan.kind == "update" and result.ref is not None:
                    moved[plan.item_id] = result.ref
            except DeliveryError as exc:
                outcome = Outcome(plan=plan, error=exc)
                if plan.item_id is not None and plan.kind != "update":
                    # The tracking message never went out: answers that link it wait.
                    failed_items.add(plan.item_id)
            except Exception as exc:  # a bug or an unexpected answer: keep the row, log loudly
                log.exception("outbox row %s failed unexpectedly", plan.row_id)
                error = DeliveryError(DeliveryCode.TRANSIENT, f"unexpected: {exc!r}")
                outcome = Outcome(plan=plan, error=error)
            outcomes[plan.row_id] = (outcome, self.d.clock.now())
        return outcomes

    def _close(
        self, taken: Taken, outcomes: dict[int, tuple[Outcome, datetime]], pace_now: datetime
    ) -> None:
        """Record every outcome and give the chats back, in one transaction."""
        free_at: dict[Chat, datetime] = {chat: pace_now for chat in taken.chats}
        kept: set[int] = set()
        with self.d.store.collect_queued() as follow_ups, self.d.store.unit_of_work() as uow:
            for row in uow.outbox.held(sorted(outcomes), self.token):
                outcome, done_at = outcomes[row.id]
                state = self.d.recorder.record(uow, row, outcome, now=self.now)
                self._count(row.id, outcome, state)
                chat = self.queue[row.id].chat if row.id in self.queue else None
                if chat is not None and chat in free_at:
                    free_at[chat] = self._free_at(chat, outcome, done_at)
                    self.ready.chats[chat] = free_at[chat]
                if self._keep(row.id, outcome, state, done_at):
                    kept.add(row.id)
            uow.pace.give_back(free_at)
        for row_id in set(outcomes) - kept:
            self.queue.pop(row_id, None)  # done, or its claim was lost to another sender
        self._load.extend(follow_ups)

    def _free_at(self, chat: Chat, outcome: Outcome, done_at: datetime) -> datetime:
        """When the chat may get its next message after this outcome."""
        gap = self._interval(chat)
        if outcome.retry_after is not None:
            gap = max(gap, outcome.retry_after)
        if outcome.result is None and outcome.error is None:
            return done_at  # nothing was sent (skipped, put off)
        return done_at + timedelta(seconds=gap)

    def _count(self, row_id: int, outcome: Outcome, state: RowState) -> None:
        report = self.report
        if outcome.error is not None:
            report.errors.append(outcome.error.reason)
        if outcome.held:
            return
        if outcome.deferred:
            report.deferred += 1
        elif state is RowState.SENT:
            report.sent += 1
            report.found += int(outcome.result is not None and outcome.result.found)
        elif state is RowState.SKIPPED:
            report.skipped += 1
        elif state is RowState.FAILED:
            report.failed += 1
        else:
            report.retried += 1

    def _keep(self, row_id: int, outcome: Outcome, state: RowState, done_at: datetime) -> bool:
        """Keep a row in this run only if a Retry-After it can wait out holds it back."""
        candidate = self.queue.get(row_id)
        wait = outcome.retry_after
        if candidate is not None and outcome.held:
            return True  # it goes with its tracking message, or alone once that is off
        if candidate is None or state is not RowState.PENDING or outcome.deferred:
            return False
        if wait is None or wait > (self.d.max_wait if self.hand_on else self.budget.left):
            return False  # a backoff or a long Retry-After: the tick takes it from here
        candidate.early = True
        self.ready.rows[row_id] = done_at + timedelta(seconds=wait)
        return True
