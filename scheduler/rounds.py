"""Rounds of delivery: which queued rows go together, and taking them (rows and chats)
in one transaction.

A round takes at most one row per chat, the oldest, and only from chats whose
pace allows a message now, so a chat that must wait (its interval, a
Retry-After) holds up nothing but itself. Rows that need an earlier row of
their item (a thread message, the confirmation that links the tracking
message) wait for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.outbox import OutboxAction
from bot.ports import DeliveryCode, DeliveryError, WorkspaceAddress
from scheduler.outcomes import Outcome
from scheduler.pacing import LEASE, Chat, Readiness, chat_of
from scheduler.planning import Defer, Plan, Planner
from storage.db import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Candidate:
    """A queued row, as much of it as choosing a round needs."""

    id: int
    workspace_id: int
    action: str
    item_id: int | None
    chat: Chat | None  # where it counts against the pace; None: it does nowhere
    # A Retry-After was waited out in this run: it may go before its next_attempt_at.
    early: bool = False

    @classmethod
    def of(cls, row: Any) -> Candidate:
        """From an OutboxRepository.candidates row."""
        chat = chat_of(row.action, row.channel_id, row.user_id)
        return cls(
            id=int(row.id),
            workspace_id=int(row.workspace_id),
            action=str(row.action),
            item_id=row.item_id,
            chat=(int(row.workspace_id), chat) if chat else None,
        )

    @property
    def opens_item(self) -> bool:
        """The first post of an item's tracking message: its thread and link need it."""
        return self.action == OutboxAction.POST_TRACKING.value


def choose(
    queue: Iterable[Candidate], ready: Readiness, *, now: datetime, paced: Callable[[Chat], bool]
) -> list[Candidate]:
    """The rows to take this round, oldest first: one a chat, each chat's oldest."""
    chosen: list[Candidate] = []
    looked: set[Chat] = set()
    waiting_items: set[int] = set()
    for row in queue:
        free = ready.row_free(row.id, now)
        if row.chat is not None:
            first = row.chat not in looked
            looked.add(row.chat)
            free = free and first and (not paced(row.chat) or ready.chat_free(row.chat, now))
        if row.opens_item:
            if not free and row.item_id is not None:
                waiting_items.add(row.item_id)
        elif row.item_id in waiting_items:
            free = False
        if free:
            chosen.append(row)
    return chosen


@dataclass
class Taken:
    """What one round holds: its rows' plans (or outcomes already), and the chats it took."""

    plans: list[Plan] = field(default_factory=list)
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)
    chats: set[Chat] = field(default_factory=set)
    missed: set[int] = field(default_factory=set)  # chosen, but not taken (ids)


def take(
    uow: UnitOfWork,
    chosen: list[Candidate],
    *,
    token: str,
    now: datetime,
    pace_now: datetime,
    ready: Readiness,
    planner: Planner,
    paced: Callable[[Chat], bool],
    interval: Callable[[Chat], float],
    addresses: dict[int, WorkspaceAddress],
) -> Taken:
    """Take the chosen rows' chats and the rows themselves, and plan them (one transaction)."""
    taken = Taken()
    wanted = {row.chat for row in chosen if row.chat is not None and paced(row.chat)}
    taken.chats = uow.pace.take(wanted, now=pace_now, until=pace_now + LEASE)
    busy = wanted - taken.chats
    if busy:
        ready.learn(uow.pace.state(busy), busy, now=pace_now, interval=interval)
    # A row waiting on a tracking message that cannot go now waits with it.
    blocked = {r.item_id for r in chosen if r.opens_item and r.chat in busy}
    going = [
        row
        for row in chosen
        if row.chat not in busy and (row.opens_item or row.item_id not in blocked)
    ]
    taken.claimed = uow.outbox.claim(
        [row.id for row in going], token=token, now=now, early=[r.id for r in going if r.early]
    )
    taken.missed = {row.id for row in going} - taken.claimed
    # A chat taken for a row someone else sent meanwhile is free again at once.
    idle = {r.chat for r in going if r.id not in taken.claimed and r.chat in taken.chats}
    if idle:
        uow.pace.give_back({chat: pace_now for chat in idle if chat is not None})
        taken.chats -= idle
    for row in uow.outbox.held(sorted(taken.claimed), token):
        try:
            plan = planner.plan(uow, row, now, addresses=addresses)
        except Defer:
            taken.outcomes[row.id] = Outcome(deferred=True)
            continue
        except DeliveryError as exc:
            taken.outcomes[row.id] = Outcome(error=exc)
            continue
        except Exception as exc:  # a bug or bad data: keep the row, log loudly
            log.exception("outbox row %s could not be planned", row.id)
            error = DeliveryError(DeliveryCode.TRANSIENT, f"unexpected: {exc!r}")
            taken.outcomes[row.id] = Outcome(error=error)
            continue
        if plan is None:
            taken.outcomes[row.id] = Outcome()
        else:
            taken.plans.append(plan)
    return taken
