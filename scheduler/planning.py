"""Planning: what an outbox row says, where, and through whose messenger, decided from
the database inside the transaction that claims it. Nothing here talks to a chat platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import compose
from bot.config import Settings
from bot.domain import Status
from bot.lookup import Lookup, normalize_locale
from bot.messages import Message, MessageKind, text
from bot.outbox import OutboxAction, RowState, file_from_payload, tracking_key
from bot.ports import DeliveryCode, DeliveryError, WorkspaceAddress
from scheduler.answers import Answer, plan_answer
from storage.db import UnitOfWork
from storage.models import Item, OutboxMessage, Workspace

# Scheduled reminders about an item: pointless once it is closed.
REMINDER_KINDS = frozenset(
    {
        MessageKind.DUE_SOON.value,
        MessageKind.OVERDUE.value,
        MessageKind.UNANSWERED.value,
        MessageKind.ESCALATION_SUGGESTION.value,
    }
)


class Defer(Exception):
    """The row can't go yet (its tracking message is not posted); try again shortly."""


@dataclass(frozen=True)
class Plan:
    """One send, decided inside a transaction and carried out outside it."""

    row_id: int
    key: str  # the row's dedupe key: the message's idempotency key on the platform
    kind: str  # post | update | dm | answer
    message: Message
    workspace: WorkspaceAddress
    channel: str | None = None
    thread_id: str | None = None
    user: str | None = None
    attachment: tuple[str, bytes, str] | None = None
    item_id: int | None = None  # a tracking message: remember where it landed
    # A message in this item's tracking thread: it follows the tracking message if an
    # edit earlier in the round had the platform post that again (Messenger.update).
    thread_of: int | None = None
    standup_id: int | None = None
    answer: Answer | None = None  # a private answer (scheduler.answers)
    # A stale claim: the message may have gone out since then; look before sending.
    unsure_since: datetime | None = None


class Planner:
    """Turns claimed rows into plans."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lookup = Lookup(settings)

    def plan(
        self,
        uow: UnitOfWork,
        row: OutboxMessage,
        now: datetime,
        *,
        addresses: dict[int, WorkspaceAddress] | None = None,
    ) -> Plan | None:
        """What to send for a row, and through whose messenger; None to skip it.

        `addresses` remembers workspaces across the rows of a round (one lookup each).
        """
        if self._moot_reminder(uow, row):
            return None
        known = addresses if addresses is not None else {}
        address = known.get(row.workspace_id) or self._address(uow, row.workspace_id)
        known[row.workspace_id] = address

        def base(**fields: Any) -> Plan:
            return Plan(
                row_id=row.id,
                key=row.dedupe_key,
                workspace=address,
                unsure_since=row.unsure_since,
                **fields,
            )

        action = OutboxAction(row.action)
        if action in (OutboxAction.POST_TRACKING, OutboxAction.UPDATE_TRACKING):
            return self._plan_tracking(uow, row, now, action, base)
        if action is OutboxAction.THREAD:
            return self._plan_thread(uow, row, base)
        if action is OutboxAction.ANSWER:
            answer = plan_answer(uow, row, now=now, lookup=self._lookup)
            return base(kind="answer", message=answer.message, answer=answer)
        message = (
            Message.model_validate(row.payload["message"]) if "message" in row.payload else None
        )
        attachment = file_from_payload(row.payload["file"], uow) if "file" in row.payload else None
        if action is OutboxAction.POST:
            assert row.channel_id and message is not None
            standup = row.payload.get("standup_id")
            return base(
                kind="post",
                channel=row.channel_id,
                message=message,
                attachment=attachment,
                standup_id=int(standup) if standup is not None else None,
            )
        if action is OutboxAction.EDIT:
            assert row.channel_id and message is not None
            edited = str(row.payload["message_id"])
            return base(kind="update", channel=row.channel_id, thread_id=edited, message=message)
        if action is OutboxAction.DM:
            assert row.user_id and message is not None
            return base(kind="dm", user=row.user_id, message=message)
        if action is OutboxAction.UPLOAD:
            assert row.user_id and attachment is not None
            return base(
                kind="dm",
                user=row.user_id,
                message=compose.reply([text(attachment[2])]),
                attachment=attachment,
            )
        raise DeliveryError(DeliveryCode.REJECTED, f"unknown outbox action {row.action}")

    def _address(self, uow: UnitOfWork, workspace_id: int) -> WorkspaceAddress:
        ws = uow.session.get(Workspace, workspace_id)
        if ws is None:
            raise DeliveryError(DeliveryCode.GONE, f"workspace {workspace_id} no longer exists")
        return WorkspaceAddress(platform=ws.platform, external_id=ws.external_id)

    def _moot_reminder(self, uow: UnitOfWork, row: OutboxMessage) -> bool:
        """A reminder whose item was closed (or escalated) after it was queued goes unsent."""
        if row.kind not in REMINDER_KINDS or row.item_id is None:
            return False
        item = uow.items.by_id(row.item_id)
        if item is None or Status(item.status).is_closed:
            return True
        return row.kind == MessageKind.ESCALATION_SUGGESTION.value and item.escalated_at is not None

    def _plan_tracking(
        self,
        uow: UnitOfWork,
        row: OutboxMessage,
        now: datetime,
        action: OutboxAction,
        base: Callable[..., Plan],
    ) -> Plan | None:
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
            return base(
                kind="update",
                channel=item.channel_id,
                thread_id=item.message_id,
                message=self.tracking_message(uow, item, now),
                item_id=item.id,  # the platform may move it (Messenger.update)
            )
        if item.message_id is not None:
            return None
        assert item.channel_id
        return base(
            kind="post",
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

    def _plan_thread(
        self, uow: UnitOfWork, row: OutboxMessage, base: Callable[..., Plan]
    ) -> Plan | None:
        message = Message.model_validate(row.payload["message"])
        thread_id = row.payload.get("thread_id")
        channel = row.channel_id
        thread_of = None
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
                    raise Defer()
                thread_id = None  # the tracking message never made it; say it in the channel
            else:
                thread_id, thread_of = item.message_id, item.id
            channel = item.channel_id
        assert channel
        return base(
            kind="post",
            channel=channel,
            message=message,
            thread_id=thread_id,
            thread_of=thread_of,
        )
