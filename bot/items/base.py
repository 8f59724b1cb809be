"""What every item use case shares: lookups, due dates, transitions and queued notes."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot import compose, outbox
from bot.calendar import calendar_for
from bot.commands import Target, TargetKind
from bot.config import Settings
from bot.context import Context
from bot.dates import DueStatus, read_due
from bot.domain import (
    InvalidInput,
    ItemFacts,
    Party,
    Status,
    UpdateKind,
    counts_as_first_response,
    may_show,
)
from bot.limits import clean
from bot.lookup import Lookup, normalize_locale
from bot.messages import Message
from bot.views import ItemView
from storage.db import Store, UnitOfWork
from storage.models import Department, Item, Workspace

DEFAULT_WORKDAY_END = time(18, 0)


class ItemServiceBase:
    """The store, the settings and the helpers the item use cases are built on."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.lookup = Lookup(settings)

    def _read_due(
        self,
        uow: UnitOfWork,
        ws: Workspace,
        ctx: Context,
        phrase: str,
        *,
        dept: Department | None,
        explicit: bool,
    ) -> datetime | None:
        """A due date read in the actor's zone on the target's calendar.

        Refused: a date phrase naming no real day, a weekday that disagrees
        with its date, a past instant, and (when explicit) no date at all.
        """
        tz = self.lookup.actor_tz(uow, ws, ctx)
        workday_end = dept.day_end if dept else DEFAULT_WORKDAY_END
        calendar = calendar_for(dept) if dept else None
        reading = read_due(
            clean(phrase), now=ctx.now, tz=tz, workday_end=workday_end, calendar=calendar
        )
        if reading.status is DueStatus.UNREADABLE:
            raise InvalidInput("err.due_unreadable", text=reading.phrase)
        if reading.status is DueStatus.CONFLICT:
            written, weekday = (_wall(at, tz) for at in reading.readings)
            raise InvalidInput(
                "err.due_conflict", text=reading.phrase, date=written, weekday=weekday, tz=tz
            )
        due = reading.at
        if due is None:
            if explicit:
                raise InvalidInput("err.due_unreadable", text=phrase)
            return None
        if due <= ctx.now:
            raise InvalidInput("err.due_past", text=reading.phrase, at=_wall(due, tz), tz=tz)
        return due

    def _load(self, uow: UnitOfWork, ctx: Context, code: str) -> tuple[Workspace, Item]:
        ws = self.lookup.workspace(uow, ctx)
        return ws, self.lookup.item(uow, ws, code)

    def _standing(self, ctx: Context, item: Item) -> tuple[ItemFacts, Party]:
        """The item and the actor as the permission rules see them."""
        return self.lookup.facts(item), self.lookup.party(ctx, item)

    def _visible(self, ctx: Context, item: Item) -> bool:
        public = bool(item.department and not item.department.channel_private)
        return may_show(*self._standing(ctx, item), public=public)

    def _locale(self, item: Item) -> str:
        """The language of messages in the item's channel: its department's, else the default."""
        dept = item.department
        return normalize_locale(dept.locale if dept else None, self.settings.xdept_locale)

    def _view(self, uow: UnitOfWork, item: Item) -> ItemView:
        return self.lookup.item_view(uow, item)

    def _first_response(self, item: Item, ctx: Context, facts: ItemFacts, party: Party) -> bool:
        """Stamp a request's first response if this actor answers for it; True if this was it."""
        if item.first_response_at is not None or not counts_as_first_response(facts, party):
            return False
        item.first_response_at = ctx.now
        item.first_response_by = ctx.actor.user_id
        return True

    def _close(
        self,
        uow: UnitOfWork,
        item: Item,
        ctx: Context,
        status: Status,
        kind: UpdateKind,
        *,
        reason: str | None,
    ) -> None:
        item.closed_at = ctx.now
        item.close_reason = reason
        item.snoozed_until = None
        self._transition(uow, item, ctx, status, kind, text=reason)

    def _transition(
        self,
        uow: UnitOfWork,
        item: Item,
        ctx: Context,
        status: Status,
        kind: UpdateKind,
        *,
        text: str | None = None,
    ) -> None:
        """Move to a status, record it, edit the tracking message, tell the requester."""
        old = item.status
        item.status = status.value
        uow.items.add_update(
            item,
            kind=kind,
            actor_id=ctx.actor.user_id,
            at=ctx.now,
            text=text,
            data={"from": old, "to": status.value},
        )
        self._changed(
            uow,
            item,
            ctx,
            note=compose.status_note(
                self._view(uow, item),
                actor=ctx.actor.user_id,
                status=status,
                locale=self._locale(item),
            ),
        )

    def _changed(
        self, uow: UnitOfWork, item: Item, ctx: Context, *, note: Message | None = None
    ) -> None:
        item.version += 1
        item.updated_at = ctx.now
        # Due, snooze, status or owner may have moved a reminder: the next tick recomputes them.
        item.next_check_at = ctx.now
        uow.flush()
        outbox.tracking_update(uow, item, now=ctx.now)
        if note is not None:
            outbox.thread_message(
                uow, item, note, key=f"item:{item.id}:note:v{item.version}", now=ctx.now
            )


def _wall(at: datetime, tz: str) -> str:
    """An instant as the wall time a refusal quotes, e.g. 2026-12-18 18:00."""
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def person_id(target: Target) -> str:
    """The platform id of a person target (a plain @name is taken as the id in text-only chats)."""
    if target.kind not in (TargetKind.PERSON, TargetKind.NAME):
        raise InvalidInput("err.not_a_person", name=target.name or target.id or "")
    value = target.id or target.name
    if not value:
        raise InvalidInput("err.not_a_person", name="")
    return value
