"""Outbox delivery: claim a row, send it through the Messenger, record the result.

A row is claimed with a conditional UPDATE before anything is sent, so two
replicas (or a use case and the tick) never send the same row. Transient
failures back off and honour Retry-After; permanent ones are recorded and
reported once to the department's lead.
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update

from bot import compose
from bot.config import Settings
from bot.domain import Role, Status
from bot.i18n import register, tr
from bot.lookup import Lookup, normalize_locale
from bot.messages import Message, MessageKind, Section, text
from bot.outbox import OutboxAction, direct_message, file_from_payload, tracking_key
from bot.ports import (
    DeliveryCode,
    DeliveryError,
    MessageRef,
    Messenger,
    Messengers,
    WorkspaceAddress,
)
from scheduler.answers import Answer, plan_answer, send_answer
from storage.db import Store, UnitOfWork
from storage.models import Item, OutboxMessage, Standup, Workspace

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claimed row whose sender died is retried after this long.
STALE_CLAIM = timedelta(minutes=10)
# Scheduled reminders about an item: pointless once it is closed.
REMINDER_KINDS = frozenset(
    {
        MessageKind.DUE_SOON.value,
        MessageKind.OVERDUE.value,
        MessageKind.UNANSWERED.value,
        MessageKind.ESCALATION_SUGGESTION.value,
    }
)
# Passes over the outbox in one delivery run (later passes pick up rows queued meanwhile).
MAX_PASSES = 3

register(
    {
        "delivery.failed": (
            "I could not deliver a message to {where}: {error}. {hint}",
            "无法向 {where} 发送消息：{error}。{hint}",
        ),
        "delivery.hint.other": (
            "Check the department's channel with `{cmd} dept show`.",
            "请用 `{cmd} dept show` 检查部门频道设置。",
        ),
    }
)


class RowState(StrEnum):
    """Where an outbox row stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    """One send, decided inside a transaction and carried out outside it."""

    kind: str  # post | update | dm
    message: Message
    channel: str | None = None
    thread_id: str | None = None
    user: str | None = None
    attachment: tuple[str, bytes, str] | None = None
    item_id: int | None = None  # a tracking message: remember where it landed
    standup_id: int | None = None
    answer: Answer | None = None  # a private answer (scheduler.answers)
    workspace: WorkspaceAddress | None = None  # whose messenger sends it (set by _plan)


@dataclass(frozen=True)
class _Result:
    ref: MessageRef | None
    permalink: str | None


@dataclass
class _WaitBudget:
    """How long one delivery run may still spend waiting out rate limits."""

    left: float

    def take(self, seconds: float) -> bool:
        """Spend `seconds` if there are that many left."""
        if seconds > self.left:
            return False
        self.left -= seconds
        return True


class _Defer(Exception):
    """The row can't go yet (its tracking message is not posted); try again shortly."""


class Deliverer:
    """Sends pending outbox rows, each through its workspace's Messenger."""

    def __init__(
        self,
        store: Store,
        messengers: Messengers,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = _time.sleep,
        monotonic: Callable[[], float] = _time.monotonic,
        max_wait: float = 30.0,
    ) -> None:
        self.store = store
        self.messengers = messengers
        self.settings = settings
        self._lookup = Lookup(settings)
        self._sleep = sleep
        self._monotonic = monotonic
        self.max_wait = max_wait
        self._last_post: dict[str, float] = {}

    def deliver_pending(self, *, now: datetime, limit: int = 500) -> DeliveryReport:
        """Send every due row (oldest first), up to `limit` a pass; what fails stays for later.

        Rows queued while delivering (a failure reported to a lead) go in a further pass.
        A Retry-After is waited out while the total wait stays within `max_wait`; past
        that, the rest is left for the next tick.
        """
        report = DeliveryReport()
        budget = _WaitBudget(self.max_wait)
        seen: set[int] = set()
        for attempt in range(MAX_PASSES):
            with self.store.unit_of_work() as uow:
                if attempt == 0:
                    self._release_stale_claims(uow, now)
                ids = [i for i in uow.outbox.due_ids(now, limit=limit) if i not in seen]
            if not ids:
                break
            seen.update(ids)
            if not self._send_each(ids, now=now, report=report, budget=budget):
                break
        return report

    def deliver_rows(self, ids: Sequence[int], *, now: datetime) -> DeliveryReport:
        """Send exactly these rows (one use case's), oldest first; what fails stays queued.

        A Retry-After is waited out within `max_wait`, as in `deliver_pending`; rows
        that can't go yet are left for the tick's delivery.
        """
        report = DeliveryReport()
        budget = _WaitBudget(self.max_wait)
        batch = sorted(set(ids))
        for _ in range(MAX_PASSES):
            if not batch:
                break
            # Sending can queue follow-ups of its own (a lead told that a channel is
            # unreachable): they belong to this use case too.
            with self.store.collect_queued() as follow_ups:
                finished = self._send_each(batch, now=now, report=report, budget=budget)
            if not finished:
                break
            batch = sorted(set(follow_ups))
        return report

    def _send_each(
        self, ids: Sequence[int], *, now: datetime, report: DeliveryReport, budget: _WaitBudget
    ) -> bool:
        """Deliver rows in order, waiting out Retry-Afters; False once the budget is spent."""
        for row_id in ids:
            wait = self._deliver_one(row_id, now=now, report=report)
            while wait is not None and wait > 0:
                if not budget.take(wait):
                    return False
                self._sleep(wait)
                wait = self._deliver_one(row_id, now=now, report=report, retry=True)
        return True

    def _release_stale_claims(self, uow: UnitOfWork, now: datetime) -> None:
        uow.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.state == RowState.SENDING.value,
                OutboxMessage.next_attempt_at < now - STALE_CLAIM,
            )
            .values(state=RowState.PENDING.value)
        )

    def _claim(self, row_id: int, now: datetime, *, retry: bool) -> bool:
        """Take the row for sending; False if another sender has it or it is not due."""
        conditions = [OutboxMessage.id == row_id, OutboxMessage.state == RowState.PENDING.value]
        if not retry:
            conditions.append(OutboxMessage.next_attempt_at <= now)
        with self.store.unit_of_work() as uow:
            result = uow.session.execute(
                update(OutboxMessage)
                .where(*conditions)
                .values(state=RowState.SENDING.value, next_attempt_at=now)
            )
            return bool(getattr(result, "rowcount", 0))

    def _deliver_one(
        self, row_id: int, *, now: datetime, report: DeliveryReport, retry: bool = False
    ) -> float | None:
        """Deliver one row; returns a Retry-After to wait out, if the platform asked for one.

        Three short transactions: claim, plan, record. Nothing is held open while the
        chat platform answers, so a slow platform never blocks other writers.
        """
        if not self._claim(row_id, now, retry=retry):
            return None
        try:
            with self.store.unit_of_work() as uow:
                row = uow.outbox.get(row_id)
                assert row is not None
                plan = self._plan(uow, row, now)
            result = self._execute(plan) if plan is not None else None
            with self.store.unit_of_work() as uow:
                row = uow.outbox.get(row_id)
                assert row is not None
                row.attempts += 1
                if plan is None:
                    row.state = RowState.SKIPPED.value
                    report.skipped += 1
                else:
                    self._record(uow, row, plan, result)
                    row.state = RowState.SENT.value
                    row.sent_at = now
                    report.sent += 1
            return None
        except _Defer:
            self._finish(row_id, RowState.PENDING, now + timedelta(seconds=5), None, count=False)
            report.deferred += 1
            return None
        except DeliveryError as exc:
            return self._failed(row_id, exc, now=now, report=report)
        except Exception as exc:  # a bug or an unexpected answer: keep the row, log loudly
            log.exception("outbox row %s failed unexpectedly", row_id)
            return self._failed(
                row_id,
                DeliveryError(DeliveryCode.TRANSIENT, f"unexpected: {exc!r}"),
                now=now,
                report=report,
            )

    def _failed(
        self, row_id: int, exc: DeliveryError, *, now: datetime, report: DeliveryReport
    ) -> float | None:
        report.errors.append(exc.reason)
        with self.store.unit_of_work() as uow:
            row = uow.outbox.get(row_id)
            assert row is not None
            row.attempts += 1
            row.last_error = exc.reason
            if exc.permanent or row.attempts >= MAX_ATTEMPTS:
                row.state = RowState.FAILED.value
                report.failed += 1
                log.warning("outbox row %s (%s) failed for good: %s", row_id, row.kind, exc.reason)
                self._report_failure(uow, row, exc, now)
                return None
            row.state = RowState.PENDING.value
            backoff = min(2**row.attempts * 5, 3600)
            wait = exc.retry_after if exc.retry_after is not None else backoff
            row.next_attempt_at = now + timedelta(seconds=max(wait, 1))
            report.retried += 1
        if exc.retry_after is not None and exc.retry_after <= self.max_wait:
            return exc.retry_after
        return None

    def _finish(
        self, row_id: int, state: RowState, next_at: datetime, error: str | None, *, count: bool
    ) -> None:
        with self.store.unit_of_work() as uow:
            row = uow.outbox.get(row_id)
            assert row is not None
            row.state = state.value
            row.next_attempt_at = next_at
            row.last_error = error
            if count:
                row.attempts += 1

    # -- sending ------------------------------------------------------------------------------

    def _plan(self, uow: UnitOfWork, row: OutboxMessage, now: datetime) -> _Plan | None:
        """What to send for a row, and through whose messenger; None to skip it."""
        plan = self._plan_send(uow, row, now)
        if plan is None:
            return None
        return replace(plan, workspace=self._address(uow, row.workspace_id))

    def _address(self, uow: UnitOfWork, workspace_id: int) -> WorkspaceAddress:
        ws = uow.session.get(Workspace, workspace_id)
        if ws is None:
            raise DeliveryError(DeliveryCode.GONE, f"workspace {workspace_id} no longer exists")
        return WorkspaceAddress(platform=ws.platform, external_id=ws.external_id)

    def _plan_send(self, uow: UnitOfWork, row: OutboxMessage, now: datetime) -> _Plan | None:
        """What to send for a row, decided from the database; None to skip it."""
        if self._moot_reminder(uow, row):
            return None
        action = OutboxAction(row.action)
        if action in (OutboxAction.POST_TRACKING, OutboxAction.UPDATE_TRACKING):
            return self._plan_tracking(uow, row, now, action)
        if action is OutboxAction.THREAD:
            return self._plan_thread(uow, row)
        if action is OutboxAction.ANSWER:
            answer = plan_answer(uow, row, now=now, lookup=self._lookup)
            return _Plan("answer", message=answer.message, answer=answer)
        message = (
            Message.model_validate(row.payload["message"]) if "message" in row.payload else None
        )
        attachment = file_from_payload(row.payload["file"], uow) if "file" in row.payload else None
        if action is OutboxAction.POST:
            assert row.channel_id and message is not None
            standup = row.payload.get("standup_id")
            return _Plan(
                "post",
                channel=row.channel_id,
                message=message,
                attachment=attachment,
                standup_id=int(standup) if standup is not None else None,
            )
        if action is OutboxAction.EDIT:
            assert row.channel_id and message is not None
            edited = str(row.payload["message_id"])
            return _Plan("update", channel=row.channel_id, thread_id=edited, message=message)
        if action is OutboxAction.DM:
            assert row.user_id and message is not None
            return _Plan("dm", user=row.user_id, message=message)
        if action is OutboxAction.UPLOAD:
            assert row.user_id and attachment is not None
            return _Plan(
                "dm",
                user=row.user_id,
                message=compose.reply([text(attachment[2])]),
                attachment=attachment,
            )
        raise DeliveryError(DeliveryCode.REJECTED, f"unknown outbox action {row.action}")

    def _moot_reminder(self, uow: UnitOfWork, row: OutboxMessage) -> bool:
        """A reminder whose item was closed (or escalated) after it was queued goes unsent."""
        if row.kind not in REMINDER_KINDS or row.item_id is None:
            return False
        item = uow.items.by_id(row.item_id)
        if item is None or Status(item.status).is_closed:
            return True
        return row.kind == MessageKind.ESCALATION_SUGGESTION.value and item.escalated_at is not None

    def _plan_tracking(
        self, uow: UnitOfWork, row: OutboxMessage, now: datetime, action: OutboxAction
    ) -> _Plan | None:
        item = uow.items.by_id(row.item_id or 0)
        if item is None:
            return None
        if action is OutboxAction.UPDATE_TRACKING:
            if item.message_id is None:
                # The post renders the latest state when it goes, so this edit is moot.
                return None
            newer = [
                r
                for r in uow.outbox.pending_for_item(item.id)
                if r.action == OutboxAction.UPDATE_TRACKING.value and r.id > row.id
            ]
            if newer:
                return None
            assert item.channel_id
            return _Plan(
                "update",
                channel=item.channel_id,
                thread_id=item.message_id,
                message=self.tracking_message(uow, item, now),
            )
        if item.message_id is not None:
            return None
        assert item.channel_id
        return _Plan(
            "post",
            channel=item.channel_id,
            message=self.tracking_message(uow, item, now),
            item_id=item.id,
        )

    def tracking_message(self, uow: UnitOfWork, item: Item, now: datetime) -> Message:
        """The tracking message as the item stands now, in its department's language and zone."""
        view = self._lookup.item_view(uow, item)
        dept = item.department
        locale = normalize_locale(dept.locale if dept else None, self.settings.xdept_locale)
        tz = dept.timezone if dept else self._workspace_tz(uow, item.workspace_id)
        return compose.tracking_message(view, locale=locale, now=now, tz=tz)

    def _workspace_tz(self, uow: UnitOfWork, workspace_id: int) -> str:
        ws = uow.session.get(Workspace, workspace_id)
        return ws.timezone if ws else self.settings.xdept_timezone

    def _plan_thread(self, uow: UnitOfWork, row: OutboxMessage) -> _Plan | None:
        message = Message.model_validate(row.payload["message"])
        thread_id = row.payload.get("thread_id")
        channel = row.channel_id
        if row.item_id is not None:
            item = uow.items.by_id(row.item_id)
            if item is None:
                return None
            if item.message_id is None:
                post = uow.outbox.by_key(tracking_key(item))
                if post is not None and post.state in (
                    RowState.PENDING.value,
                    RowState.SENDING.value,
                ):
                    raise _Defer()
                thread_id = None  # the tracking message never made it; say it in the channel
            else:
                thread_id = item.message_id
            channel = item.channel_id
        assert channel
        return _Plan("post", channel=channel, message=message, thread_id=thread_id)

    def _execute(self, plan: _Plan) -> _Result:
        """Talk to the chat platform; no database work happens here."""
        assert plan.workspace is not None
        messenger = self.messengers.for_workspace(plan.workspace)
        if plan.answer is not None:
            send_answer(messenger, plan.answer)
            return _Result(ref=None, permalink=None)
        if plan.kind == "update":
            assert plan.channel and plan.thread_id
            messenger.update(
                ref=MessageRef(chat=plan.channel, message_id=plan.thread_id), message=plan.message
            )
            return _Result(ref=None, permalink=None)
        if plan.kind == "dm":
            assert plan.user
            ref = messenger.dm(user=plan.user, message=plan.message)
        else:
            assert plan.channel
            ref = self._post(
                messenger, chat=plan.channel, message=plan.message, thread_id=plan.thread_id
            )
        if plan.attachment is not None:
            name, content, title = plan.attachment
            messenger.upload(chat=ref.chat, filename=name, content=content, title=title)
        permalink = messenger.permalink(ref=ref) if plan.item_id is not None else None
        return _Result(ref=ref, permalink=permalink)

    def _record(
        self, uow: UnitOfWork, row: OutboxMessage, plan: _Plan, result: _Result | None
    ) -> None:
        """Store where the message landed (tracking message ids, stand-up thread)."""
        if result is None or result.ref is None:
            return
        row.result_ref = result.ref.message_id
        if plan.item_id is not None:
            item = uow.items.by_id(plan.item_id)
            if item is not None:
                item.channel_id, item.message_id = result.ref.chat, result.ref.message_id
                item.permalink = result.permalink
        if plan.standup_id is not None:
            standup = uow.session.get(Standup, plan.standup_id)
            if standup is not None:
                standup.channel_id, standup.message_id = result.ref.chat, result.ref.message_id

    def _post(
        self, messenger: Messenger, *, chat: str, message: Message, thread_id: str | None = None
    ) -> MessageRef:
        """Post, keeping the platform's pace between two messages to one chat."""
        last = self._last_post.get(chat)
        interval = messenger.chat_interval
        if last is not None:
            gap = self._monotonic() - last
            if gap < interval:
                self._sleep(interval - gap)
        try:
            return messenger.post(chat=chat, message=message, thread_id=thread_id)
        finally:
            self._last_post[chat] = self._monotonic()

    def _report_failure(
        self, uow: UnitOfWork, row: OutboxMessage, exc: DeliveryError, now: datetime
    ) -> None:
        """Tell the department's lead, once per department and failure code, that messages
        are stuck, with the adapter's advice on what to do."""
        if row.kind == MessageKind.DELIVERY_FAILURE.value:
            return
        dept = None
        if row.item_id is not None:
            item = uow.items.by_id(row.item_id)
            dept = item.department if item else None
        elif row.department_id is not None:
            from storage.models import Department

            dept = uow.session.get(Department, row.department_id)
        if dept is None:
            return
        leads = dept.user_ids(Role.LEAD)
        if not leads:
            return
        locale = normalize_locale(dept.locale, self.settings.xdept_locale)
        where = f"#{dept.channel_name or dept.channel_id}"
        hint = tr(locale, exc.hint or "delivery.hint.other")
        body = tr(locale, "delivery.failed", where=where, error=exc.code.value, hint=hint)
        message = Message(kind=MessageKind.DELIVERY_FAILURE, sections=[Section(body=body)])
        direct_message(
            uow,
            workspace_id=row.workspace_id,
            user_id=leads[0],
            message=message,
            key=f"delivery-failure:{dept.id}:{exc.code.value}",
            now=now,
            department_id=dept.id,
        )
