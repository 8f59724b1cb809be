"""Writes what a tick decided in a few statements: outbox rows, updates, next checks.

An update (NUDGED, ESCALATION_SUGGESTED) is written only for an outbox row that
was new, in the same transaction, so a second tick at the same instant adds
neither the message nor its record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from bot.messages import Message
from bot.outbox import OutboxAction
from storage.models import Item, Update, UTCDateTime
from storage.repositories import OutboxRepository

SKIPPED = "skipped"


@dataclass
class _Pending:
    row: dict[str, Any]
    update: dict[str, Any] | None


@dataclass
class TickWriter:
    """Collects the tick's writes and flushes them together."""

    session: Session
    now: datetime
    _messages: list[_Pending] = field(default_factory=list)
    _checks: list[dict[str, Any]] = field(default_factory=list)

    def thread(
        self,
        *,
        workspace_id: int,
        item_id: int,
        channel_id: str | None,
        message: Message,
        key: str,
        update: dict[str, Any] | None = None,
    ) -> None:
        """A message in an item's thread."""
        self._add(
            {
                "workspace_id": workspace_id,
                "dedupe_key": key,
                "kind": message.kind.value,
                "action": OutboxAction.THREAD.value,
                "item_id": item_id,
                "channel_id": channel_id,
                "payload": {"message": message.model_dump(mode="json")},
            },
            update,
        )

    def direct(
        self,
        *,
        workspace_id: int,
        user_id: str,
        message: Message,
        key: str,
        item_id: int | None = None,
        department_id: int | None = None,
        update: dict[str, Any] | None = None,
    ) -> None:
        """A direct message to a person."""
        self._add(
            {
                "workspace_id": workspace_id,
                "dedupe_key": key,
                "kind": message.kind.value,
                "action": OutboxAction.DM.value,
                "item_id": item_id,
                "department_id": department_id,
                "user_id": user_id,
                "payload": {"message": message.model_dump(mode="json")},
            },
            update,
        )

    def channel(
        self,
        *,
        workspace_id: int,
        channel_id: str,
        message: Message,
        key: str,
        department_id: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """A message in a channel; `extra` goes into the payload (a stand-up id, a file)."""
        payload: dict[str, Any] = {"message": message.model_dump(mode="json"), **(extra or {})}
        self._add(
            {
                "workspace_id": workspace_id,
                "dedupe_key": key,
                "kind": message.kind.value,
                "action": OutboxAction.POST.value,
                "department_id": department_id,
                "channel_id": channel_id,
                "payload": payload,
            },
            None,
        )

    def superseded(self, *, workspace_id: int, item_id: int, kind: str, key: str, by: str) -> None:
        """Record a reminder a catch-up made obsolete, so no later tick sends it."""
        self._add(
            {
                "workspace_id": workspace_id,
                "dedupe_key": key,
                "kind": kind,
                "action": OutboxAction.THREAD.value,
                "item_id": item_id,
                "state": SKIPPED,
                "last_error": f"superseded by {by} (catch-up)",
                "payload": {},
            },
            None,
        )

    def next_check(self, item_id: int, version: int, at: datetime | None) -> None:
        """When to look at the item again (None: nothing left to remind of)."""
        self._checks.append({"b_id": item_id, "b_version": version, "b_next": at})

    def _add(self, row: dict[str, Any], update: dict[str, Any] | None) -> None:
        row.setdefault("created_at", self.now)
        row.setdefault("next_attempt_at", self.now)
        self._messages.append(_Pending(row, update))

    def flush(self) -> list[tuple[str, str, str]]:
        """Write everything; returns (dedupe key, kind, state) of each row that was new."""
        added = OutboxRepository(self.session).enqueue_many([p.row for p in self._messages])
        new_rows = [
            (p.row["dedupe_key"], p.row["kind"], p.row.get("state", "pending"))
            for p in self._messages
            if p.row["dedupe_key"] in added
        ]
        updates = [
            {**p.update, "workspace_id": p.row["workspace_id"], "item_id": p.row["item_id"]}
            for p in self._messages
            if p.update is not None and p.row["dedupe_key"] in added
        ]
        if updates:
            self.session.execute(
                insert(cast(Table, Update.__table__)),
                [
                    {"at": self.now, "text": None, "source_ref": None, "actor_id": None, **u}
                    for u in updates
                ],
            )
        if self._checks:
            table = cast(Table, Item.__table__)
            # Conditional on the version read: a change since then keeps its own next check.
            self.session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
                .values(next_check_at=bindparam("b_next", type_=UTCDateTime())),
                self._checks,
            )
        self._messages.clear()
        self._checks.clear()
        return new_rows
