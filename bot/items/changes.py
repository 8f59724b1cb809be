"""Moving items through their states: acknowledge, done, decline, due, snooze, escalate..."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot import compose, outbox
from bot.calendar import build_calendar, calendar_for
from bot.commands import Target
from bot.context import Context
from bot.domain import (
    InvalidInput,
    ItemFacts,
    Party,
    Reaction,
    Status,
    UpdateKind,
    XdeptError,
    check_ack,
    check_cancel,
    check_change,
    check_decline,
    check_done,
    check_escalate,
    check_reopen,
    check_snooze,
)
from bot.items.base import ItemServiceBase, person_id
from bot.limits import bounded
from bot.lookup import ALL_UPDATES
from bot.views import ItemView, ReactionOutcome
from storage.db import UnitOfWork
from storage.models import Item, Workspace

# "1 day", "2 days", "1d", "1天", "2个工作日": whole work days, same wall time.
_WORKDAYS = re.compile(r"^\s*(\d+)\s*(?:work\s*)?(?:d|days?|天|日|个?工作日)\s*$", re.IGNORECASE)


class StateChanges(ItemServiceBase):
    """Every change of an item's state, owner, due time or reminders, by command or reaction."""

    def ack(self, *, ctx: Context, code: str) -> ItemView:
        """Acknowledge: the owner or a member of the department; an unowned item becomes theirs."""
        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            facts, party = self._standing(ctx, item)
            check_ack(facts, party)
            if item.owner_id is None:
                item.owner_id = ctx.actor.user_id
            self._first_response(item, ctx, facts, party)
            if item.status == Status.OPEN.value:
                self._transition(uow, item, ctx, Status.ACKNOWLEDGED, UpdateKind.ACKNOWLEDGED)
            else:
                uow.items.add_update(
                    item, kind=UpdateKind.ACKNOWLEDGED, actor_id=ctx.actor.user_id, at=ctx.now
                )
                self._changed(uow, item, ctx)
            return self.lookup.item_view(uow, item)

    def done(self, *, ctx: Context, code: str) -> ItemView:
        """Mark done: a lead of the target department, the owner or the requester."""
        return self._close_item(ctx, code, check_done, Status.DONE, UpdateKind.DONE)

    def decline(self, *, ctx: Context, code: str, reason: str) -> ItemView:
        """Decline with a reason: a lead or the owner."""
        reason = bounded(reason)
        if not reason.strip():
            raise InvalidInput("err.decline_reason", code=code)
        return self._close_item(
            ctx, code, check_decline, Status.DECLINED, UpdateKind.DECLINED, reason=reason
        )

    def may_decline(self, *, ctx: Context, code: str) -> ItemView:
        """The item if the actor may decline it (checked before asking them why), else refused."""
        with self.store.unit_of_work() as uow:
            _, item = self._load(uow, ctx, code)
            check_decline(*self._standing(ctx, item))
            return self.lookup.item_view(uow, item)

    def cancel(self, *, ctx: Context, code: str) -> ItemView:
        """Cancel: only the requester."""
        return self._close_item(ctx, code, check_cancel, Status.CANCELLED, UpdateKind.CANCELLED)

    def _close_item(
        self,
        ctx: Context,
        code: str,
        check: Callable[[ItemFacts, Party], None],
        status: Status,
        kind: UpdateKind,
        *,
        reason: str | None = None,
    ) -> ItemView:
        with self.store.unit_of_work() as uow:
            _, item = self._load(uow, ctx, code)
            check(*self._standing(ctx, item))
            self._close(uow, item, ctx, status, kind, reason=reason)
            return self.lookup.item_view(uow, item)

    def reopen(self, *, ctx: Context, code: str) -> ItemView:
        """Reopen a closed item: the requester, the owner or a lead."""
        with self.store.unit_of_work() as uow:
            _, item = self._load(uow, ctx, code)
            check_reopen(*self._standing(ctx, item))
            item.closed_at = None
            item.close_reason = None
            self._transition(uow, item, ctx, Status.OPEN, UpdateKind.REOPENED)
            return self.lookup.item_view(uow, item)

    def change_due(self, *, ctx: Context, code: str, when: str) -> ItemView:
        """Change the due time: the requester, the owner or a lead."""
        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            check_change(*self._standing(ctx, item), "due")
            due = self._read_due(uow, ws, ctx, when, dept=item.department, explicit=True)
            old = item.due_at
            item.due_at = due
            uow.items.add_update(
                item,
                kind=UpdateKind.DUE_CHANGED,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                text=when,
                data={
                    "from": old.isoformat() if old else None,
                    "to": due.isoformat() if due else None,
                },
            )
            self._changed(
                uow,
                item,
                ctx,
                note=compose.due_changed_note(
                    self._view(uow, item),
                    actor=ctx.actor.user_id,
                    now=ctx.now,
                    locale=self._locale(item),
                ),
            )
            return self.lookup.item_view(uow, item)

    def assign(self, *, ctx: Context, code: str, assignee: Target) -> ItemView:
        """Reassign to another person: the requester, the owner or a lead."""
        new_owner = person_id(assignee)
        with self.store.unit_of_work() as uow:
            _, item = self._load(uow, ctx, code)
            check_change(*self._standing(ctx, item), "assign")
            old = item.owner_id
            item.owner_id = new_owner
            uow.items.add_update(
                item,
                kind=UpdateKind.REASSIGNED,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                data={"from": old, "to": new_owner},
            )
            self._changed(
                uow,
                item,
                ctx,
                note=compose.reassigned_note(
                    self._view(uow, item),
                    actor=ctx.actor.user_id,
                    old=old,
                    locale=self._locale(item),
                ),
            )
            return self.lookup.item_view(uow, item)

    def snooze(self, *, ctx: Context, code: str, when: str) -> ItemView:
        """Silence reminders until `when` ('1 day' = same time next work day); no status change."""
        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            check_snooze(*self._standing(ctx, item))
            until = self._snooze_until(uow, ws, ctx, item, when)
            item.snoozed_until = until
            uow.items.add_update(
                item,
                kind=UpdateKind.SNOOZED,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                text=when,
                data={"until": until.isoformat()},
            )
            self._changed(uow, item, ctx)
            return self.lookup.item_view(uow, item)

    def _snooze_until(
        self, uow: UnitOfWork, ws: Workspace, ctx: Context, item: Item, when: str
    ) -> datetime:
        match = _WORKDAYS.match(when)
        if match:
            days = int(match.group(1))
            if not 1 <= days <= 60:
                raise InvalidInput("err.snooze_range", text=when)
            if item.department is not None:
                cal = calendar_for(item.department)
            else:  # Monday to Friday in the actor's zone, as for a new department
                cal = build_calendar(tz=self.lookup.actor_tz(uow, ws, ctx))
            return cal.add_workdays(ctx.now, days)
        until = self._read_due(uow, ws, ctx, when, dept=item.department, explicit=True)
        assert until is not None
        return until

    def escalate(self, *, ctx: Context, code: str) -> ItemView:
        """Send the escalation contact the four-part message; the requester, once per item."""
        from bot.escalation import escalation_message

        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            check_escalate(
                *self._standing(ctx, item),
                already=item.escalated_at is not None,
            )
            dept = item.department
            if dept is None or not dept.escalation_contact_id:
                raise InvalidInput(
                    "err.no_escalation_contact", code=item.code, dept=dept.key if dept else "-"
                )
            contact = dept.escalation_contact_id
            item.escalated_at = ctx.now
            uow.items.add_update(
                item,
                kind=UpdateKind.ESCALATED,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                data={"to": contact},
            )
            view = self.lookup.item_view(uow, item, updates=ALL_UPDATES)
            locale = self.lookup.locale_of(uow, ws, contact)
            message = escalation_message(
                view, contact=contact, locale=locale, now=ctx.now, calendar=calendar_for(dept)
            )
            outbox.direct_message(
                uow,
                workspace_id=ws.id,
                user_id=contact,
                message=message,
                key=f"item:{item.id}:escalation",
                now=ctx.now,
                item_id=item.id,
            )
            self._changed(
                uow,
                item,
                ctx,
                note=compose.escalated_note(
                    view,
                    actor=ctx.actor.user_id,
                    contact=contact,
                    locale=self._locale(item),
                ),
            )
            return self.lookup.item_view(uow, item)

    def react(
        self, *, ctx: Context, channel_id: str, message_id: str, reaction: Reaction
    ) -> ReactionOutcome:
        """A done reaction marks done, an acknowledge one acknowledges; refusals come back."""
        if ctx.actor.is_bot:
            return ReactionOutcome()
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            item = uow.items.by_thread(channel_id, message_id)
            if item is None or item.workspace_id != ws.id:
                return ReactionOutcome()
            code = item.code
            locale = self.lookup.locale_of(uow, ws, ctx.actor.user_id)
        try:
            if reaction is Reaction.DONE:
                view = self.done(ctx=ctx, code=code)
            else:
                view = self.ack(ctx=ctx, code=code)
        except XdeptError as exc:  # refusals are told privately to the person who reacted
            return ReactionOutcome(refused=exc.render(locale, ctx.command_style))
        return ReactionOutcome(item=view)
