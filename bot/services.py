"""Item use cases: one transaction each, `now` passed in through the Context."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import compose, outbox
from bot.commands import ListScope, Target, TargetKind
from bot.config import Settings
from bot.context import Context
from bot.dates import parse_due
from bot.domain import (
    ACTIVE,
    InvalidInput,
    ItemFacts,
    ItemKind,
    NotFound,
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
    counts_as_first_response,
    may_show,
)
from bot.limits import RECORDED_TEXT_LIMIT, bounded, bounded_optional, clean, fitted
from bot.lookup import Lookup, calendar_for, normalize_locale
from bot.messages import Message
from bot.views import ItemPage, ItemView, ReactionOutcome, ReplyOutcome
from storage.db import Store, UnitOfWork
from storage.models import Department, Item, Workspace
from storage.repositories import item_keys, visible_keys

PAGE_SIZE = 20
DEFAULT_WORKDAY_END = time(18, 0)
# The longest link to a source message that is stored (the column's size).
LINK_LIMIT = 500

# "1 day", "2 days", "1d", "1天", "2个工作日": whole work days, same wall time.
_WORKDAYS = re.compile(r"^\s*(\d+)\s*(?:work\s*)?(?:d|days?|天|日|个?工作日)\s*$", re.IGNORECASE)


class ItemService:
    """Filing items and moving them through their states."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.lookup = Lookup(settings)

    # -- filing -----------------------------------------------------------------------------

    def ask(
        self,
        *,
        ctx: Context,
        target: Target,
        text: str,
        due_text: str | None = None,
        background: str | None = None,
        impact: str | None = None,
        suggestion: str | None = None,
        source_link: str | None = None,
    ) -> ItemView:
        """File a request to a department; its tracking message goes to the department's channel."""
        text = bounded(text)
        background, impact, suggestion = (
            bounded_optional(background),
            bounded_optional(impact),
            bounded_optional(suggestion),
        )
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            dept = self.lookup.department(uow, ws, target)
            due = self._read_due(uow, ws, ctx, due_text or text, dept=dept, explicit=bool(due_text))
            item = self._new_item(
                uow,
                ws,
                ctx,
                kind=ItemKind.REQUEST,
                text=text,
                due=due,
                dept=dept,
                owner=None,
                channel=dept.channel_id,
            )
            item.background, item.impact, item.suggestion = background, impact, suggestion
            item.source_link = fitted(source_link, LINK_LIMIT) if source_link else None
            return self.lookup.item_view(uow, item)

    def commit(self, *, ctx: Context, text: str) -> ItemView:
        """Record my own commitment, tracked in the channel where I typed it."""
        text = bounded(text)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            due = self._read_due(uow, ws, ctx, text, dept=None, explicit=False)
            item = self._new_item(
                uow,
                ws,
                ctx,
                kind=ItemKind.COMMITMENT,
                text=text,
                due=due,
                dept=None,
                owner=ctx.actor.user_id,
                channel=self._origin(ctx),
            )
            return self.lookup.item_view(uow, item)

    def todo(self, *, ctx: Context, assignee: Target, text: str) -> ItemView:
        """Record an action item for someone, tracked in the channel where I typed it."""
        owner = person_id(assignee)
        text = bounded(text)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            due = self._read_due(uow, ws, ctx, text, dept=None, explicit=False)
            item = self._new_item(
                uow,
                ws,
                ctx,
                kind=ItemKind.ACTION,
                text=text,
                due=due,
                dept=None,
                owner=owner,
                channel=self._origin(ctx),
            )
            return self.lookup.item_view(uow, item)

    def _origin(self, ctx: Context) -> str:
        if not ctx.channel_id:
            raise InvalidInput("err.no_channel")
        return ctx.channel_id

    def _new_item(
        self,
        uow: UnitOfWork,
        ws: Workspace,
        ctx: Context,
        *,
        kind: ItemKind,
        text: str,
        due: datetime | None,
        dept: Department | None,
        owner: str | None,
        channel: str,
    ) -> Item:
        if not text.strip():
            raise InvalidInput("err.empty_text")
        item = Item(
            workspace_id=ws.id,
            number=uow.workspaces.next_item_number(ws.id),
            kind=kind.value,
            status=Status.OPEN.value,
            text=text,
            requester_id=ctx.actor.user_id,
            owner_id=owner,
            department_id=dept.id if dept else None,
            due_at=due,
            created_at=ctx.now,
            updated_at=ctx.now,
            channel_id=channel,
            origin_channel_id=ctx.channel_id,
            version=1,
            next_check_at=ctx.now,
        )
        item.department = dept
        uow.items.add(item)
        uow.items.add_update(
            item,
            kind=UpdateKind.CREATED,
            actor_id=ctx.actor.user_id,
            at=ctx.now,
            text=text,
            data={"due_at": due.isoformat() if due else None},
        )
        outbox.tracking_post(uow, item, now=ctx.now)
        return item

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
        """A due date read in the actor's zone; past or (when explicit) unreadable is refused."""
        tz = self.lookup.actor_tz(uow, ws, ctx)
        workday_end = dept.day_end if dept else DEFAULT_WORKDAY_END
        due = parse_due(clean(phrase), now=ctx.now, tz=tz, workday_end=workday_end)
        if due is None:
            if explicit:
                raise InvalidInput("err.due_unreadable", text=phrase)
            return None
        if due <= ctx.now:
            raise InvalidInput(
                "err.due_past",
                text=phrase,
                at=due.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"),
                tz=tz,
            )
        return due

    # -- state changes --------------------------------------------------------------------------

    def ack(self, *, ctx: Context, code: str) -> ItemView:
        """Acknowledge: the owner or a member of the department; an unowned item becomes theirs."""
        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            facts, party = self.lookup.facts(item), self.lookup.party(ctx, item)
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
            check_decline(self.lookup.facts(item), self.lookup.party(ctx, item))
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
            check(self.lookup.facts(item), self.lookup.party(ctx, item))
            self._close(uow, item, ctx, status, kind, reason=reason)
            return self.lookup.item_view(uow, item)

    def reopen(self, *, ctx: Context, code: str) -> ItemView:
        """Reopen a closed item: the requester, the owner or a lead."""
        with self.store.unit_of_work() as uow:
            _, item = self._load(uow, ctx, code)
            check_reopen(self.lookup.facts(item), self.lookup.party(ctx, item))
            item.closed_at = None
            item.close_reason = None
            self._transition(uow, item, ctx, Status.OPEN, UpdateKind.REOPENED)
            return self.lookup.item_view(uow, item)

    def change_due(self, *, ctx: Context, code: str, when: str) -> ItemView:
        """Change the due time: the requester, the owner or a lead."""
        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            check_change(self.lookup.facts(item), self.lookup.party(ctx, item), "due")
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
            check_change(self.lookup.facts(item), self.lookup.party(ctx, item), "assign")
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
            check_snooze(self.lookup.facts(item), self.lookup.party(ctx, item))
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
                return calendar_for(item.department).add_workdays(ctx.now, days)
            return ctx.now + timedelta(days=days)
        until = self._read_due(uow, ws, ctx, when, dept=item.department, explicit=True)
        assert until is not None
        return until

    def escalate(self, *, ctx: Context, code: str) -> ItemView:
        """Send the escalation contact the four-part message; the requester, once per item."""
        from bot.escalation import escalation_message

        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            check_escalate(
                self.lookup.facts(item),
                self.lookup.party(ctx, item),
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
            view = self.lookup.item_view(uow, item, updates=50)
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

    # -- conversation in the thread ------------------------------------------------------------

    def record_reply(
        self, *, ctx: Context, channel_id: str, thread_id: str, message_id: str, text: str
    ) -> ReplyOutcome:
        """A tracking-thread reply becomes an update; the first by one who answers for it counts.

        Only the owner or a member of the target department (anyone but the requester,
        in an open department) gives the first response; others' replies are recorded.
        """
        if ctx.actor.is_bot:
            return ReplyOutcome()
        text = fitted(text, RECORDED_TEXT_LIMIT)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            item = uow.items.by_thread(channel_id, thread_id, lock=True)
            if item is None or item.workspace_id != ws.id:
                standup = uow.standups.by_thread(channel_id, thread_id)
                if standup is not None and standup.workspace_id == ws.id:
                    stored = uow.standups.add_reply(
                        standup,
                        user_id=ctx.actor.user_id,
                        text=text,
                        at=ctx.now,
                        source_ref=message_id,
                    )
                    return ReplyOutcome(standup=stored)
                return ReplyOutcome()
            if uow.items.update_by_source(item.id, message_id) is not None:
                return ReplyOutcome(item=self.lookup.item_view(uow, item))  # a redelivery
            uow.items.add_update(
                item,
                kind=UpdateKind.REPLY,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                text=text,
                source_ref=message_id,
            )
            first = self._first_response(
                item, ctx, self.lookup.facts(item), self.lookup.party(ctx, item)
            )
            if first and item.status == Status.OPEN.value:
                self._transition(uow, item, ctx, Status.ACKNOWLEDGED, UpdateKind.ACKNOWLEDGED)
            else:
                item.updated_at = ctx.now
            return ReplyOutcome(item=self.lookup.item_view(uow, item), first_response=first)

    def record_reply_change(
        self,
        *,
        ctx: Context,
        channel_id: str,
        thread_id: str,
        message_id: str,
        text: str | None,
    ) -> bool:
        """An edited (text) or deleted (None) thread reply, kept as a new entry; the trail stays."""
        text = None if text is None else fitted(text, RECORDED_TEXT_LIMIT)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            item = uow.items.by_thread(channel_id, thread_id)
            if item is None or item.workspace_id != ws.id:
                return False
            original = uow.items.update_by_source(item.id, message_id)
            if original is None:
                return False
            uow.items.add_update(
                item,
                kind=UpdateKind.REPLY,
                actor_id=original.actor_id,
                at=ctx.now,
                text=text,
                data={"edit_of": message_id} if text is not None else {"deleted": message_id},
            )
            return True

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

    # -- reading --------------------------------------------------------------------------------

    def show(self, *, ctx: Context, code: str) -> ItemView:
        """An item with its last five updates, if the actor may see it."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            item = self.lookup.item(uow, ws, code, lock=False)
            if not self._visible(ctx, item):
                raise NotFound("err.no_item", code=code)
            return self.lookup.item_view(uow, item, updates=5)

    def list_items(
        self,
        *,
        ctx: Context,
        scope: ListScope = ListScope.MINE,
        dept: str | None = None,
        page: int = 1,
    ) -> ItemPage:
        """Active items: mine, asked by me, of a department, or overdue; soonest due first."""
        from storage.models import Item as I

        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            me = ctx.actor.user_id
            mine_depts = self.lookup.member_department_ids(uow, ws, ctx)
            active = I.status.in_([s.value for s in ACTIVE])
            if scope is ListScope.ASKED:
                keys = item_keys(I.workspace_id == ws.id, I.requester_id == me, active)
            elif scope is ListScope.DEPT:
                d = self.lookup.department_by_key(uow, ws, dept or "")
                if d.id in mine_depts or not d.channel_private:
                    keys = item_keys(I.department_id == d.id, active)
                else:
                    keys = visible_keys(ws.id, me, [], I.department_id == d.id, active)
            elif scope is ListScope.OVERDUE:
                # The due filter goes outside the union so each branch keeps its equality index.
                mine = visible_keys(ws.id, me, mine_depts, active).subquery()
                keys = select(mine.c.id, mine.c.due_at, mine.c.number).where(
                    mine.c.due_at < ctx.now
                )
            else:
                keys = visible_keys(ws.id, me, mine_depts, active)
            page = max(1, page)
            rows, total = uow.items.page(keys, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
            pages = max(1, -(-total // PAGE_SIZE))
            return ItemPage(
                items=[self.lookup.item_view(uow, r) for r in rows],
                total=total,
                page=page,
                pages=pages,
                scope=scope.value if scope is not ListScope.DEPT else f"dept {dept}",
            )

    def _visible(self, ctx: Context, item: Item) -> bool:
        public = bool(item.department and not item.department.channel_private)
        return may_show(self.lookup.facts(item), self.lookup.party(ctx, item), public=public)

    # -- helpers --------------------------------------------------------------------------------

    def _load(self, uow: UnitOfWork, ctx: Context, code: str) -> tuple[Workspace, Item]:
        ws = self.lookup.workspace(uow, ctx)
        return ws, self.lookup.item(uow, ws, code)

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


def person_id(target: Target) -> str:
    """The platform id of a person target (a plain @name is taken as the id in text-only chats)."""
    if target.kind not in (TargetKind.PERSON, TargetKind.NAME):
        raise InvalidInput("err.not_a_person", name=target.name or target.id or "")
    value = target.id or target.name
    if not value:
        raise InvalidInput("err.not_a_person", name="")
    return value
