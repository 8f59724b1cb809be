"""Recording what a delivery round did to each row: sent (and where it landed), skipped,
put off, retried later, or given up and reported once to the department's lead."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Settings
from bot.domain import Role
from bot.i18n import register, tr
from bot.lookup import normalize_locale
from bot.messages import Message, MessageKind, Section
from bot.outbox import OutboxAction, RowState, direct_message
from bot.ports import DeliveryError
from scheduler.planning import Plan
from scheduler.sending import Result
from storage.db import UnitOfWork
from storage.models import Department, OutboxMessage, Standup

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A row put off because its tracking message is not posted yet is looked at again after this.
DEFER = timedelta(seconds=5)

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


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    found: int = 0  # reconciled: already out after a stale claim, not sent again
    paced: float = 0.0  # seconds waited for chats' pace and Retry-Afters
    errors: list[str] = field(default_factory=list)
    # Rows left pending because their chat (or a Retry-After) made them wait past the
    # run's budget, and the first instant (pace clock) one of them may go.
    waiting: list[int] = field(default_factory=list)
    ready_at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row in a round."""

    plan: Plan | None = None  # None: nothing to send (skipped), or planning failed
    result: Result | None = None
    error: DeliveryError | None = None
    deferred: bool = False  # put off for a few seconds (its tracking message is not out)
    # Not sent: its item's tracking message failed just before it in the round, and the
    # confirmation waits to link it. Back in the queue, unchanged.
    held: bool = False

    @property
    def retry_after(self) -> float | None:
        """The platform's Retry-After, if it asked to wait and try again."""
        if self.error is None or self.error.permanent:
            return None
        return self.error.retry_after


class Recorder:
    """Writes outcomes onto their rows, inside the round's closing transaction."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def record(
        self, uow: UnitOfWork, row: OutboxMessage, outcome: Outcome, *, now: datetime
    ) -> RowState:
        """Update the row; the state it ends in (PENDING: it goes again later)."""
        row.claim = None
        if outcome.held:
            row.state = RowState.PENDING.value
            return RowState.PENDING
        if outcome.deferred:
            row.state = RowState.PENDING.value
            row.next_attempt_at = now + DEFER
            return RowState.PENDING
        row.attempts += 1
        if outcome.error is not None:
            return self._failed(uow, row, outcome.error, now)
        row.unsure_since = None
        if outcome.plan is None:
            row.state = RowState.SKIPPED.value
            return RowState.SKIPPED
        self._landed(uow, row, outcome.plan, outcome.result, now)
        row.state = RowState.SENT.value
        row.sent_at = now
        return RowState.SENT

    def _failed(
        self, uow: UnitOfWork, row: OutboxMessage, exc: DeliveryError, now: datetime
    ) -> RowState:
        row.last_error = exc.reason
        if exc.permanent or row.attempts >= MAX_ATTEMPTS:
            row.state = RowState.FAILED.value
            log.warning("outbox row %s (%s) failed for good: %s", row.id, row.kind, exc.reason)
            self._report_failure(uow, row, exc, now)
            return RowState.FAILED
        row.state = RowState.PENDING.value
        backoff = min(2**row.attempts * 5, 3600)
        wait = exc.retry_after if exc.retry_after is not None else backoff
        row.next_attempt_at = now + timedelta(seconds=max(wait, 1))
        return RowState.PENDING

    def _landed(
        self, uow: UnitOfWork, row: OutboxMessage, plan: Plan, result: Result | None, now: datetime
    ) -> None:
        """Store where the message landed (tracking message ids, stand-up thread)."""
        if result is None or result.ref is None:
            return
        row.result_ref = result.ref.message_id
        if plan.item_id is not None:
            item = uow.items.by_id(plan.item_id)
            if item is not None:
                ref = result.ref
                uow.items.place_tracking(item, chat=ref.chat, message_id=ref.message_id, at=now)
                item.permalink = result.permalink
        if plan.standup_id is not None:
            standup = uow.session.get(Standup, plan.standup_id)
            if standup is not None:
                standup.channel_id, standup.message_id = result.ref.chat, result.ref.message_id

    def _report_failure(
        self, uow: UnitOfWork, row: OutboxMessage, exc: DeliveryError, now: datetime
    ) -> None:
        """Tell the department's lead, once per department and failure code, that messages
        are stuck, with the adapter's advice on what to do."""
        if row.kind == MessageKind.DELIVERY_FAILURE.value or row.action == OutboxAction.ANSWER:
            return  # a private answer's trouble is the person's, not the department's
        dept = None
        if row.item_id is not None:
            item = uow.items.by_id(row.item_id)
            dept = item.department if item else None
        elif row.department_id is not None:
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
