"""Filing items: requests to departments, commitments and action items."""

from __future__ import annotations

from datetime import datetime

from bot import outbox
from bot.commands import Target
from bot.commands.case_parts import split_case
from bot.context import Context
from bot.domain import (
    InvalidInput,
    ItemKind,
    Status,
    UpdateKind,
)
from bot.items.base import ItemServiceBase, person_id
from bot.limits import bounded, bounded_optional, fitted
from bot.views import HINT_DUE, HINT_IMPACT, ItemView
from storage.db import UnitOfWork
from storage.models import Department, Item, Workspace

# The longest link to a source message that is stored (the column's size).
LINK_LIMIT = 500


class Filing(ItemServiceBase):
    """Filing requests, commitments and action items."""

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
        """File a request to a department; its tracking message goes to the department's channel.

        `impact:` and `suggest:` parts typed in the text are read out of it (a form's own
        fields win); the due date is read from the request's own text.
        """
        case = split_case(text)
        text = bounded(case.text)
        background, impact, suggestion = (
            bounded_optional(background),
            bounded_optional(impact or case.impact),
            bounded_optional(suggestion or case.suggestion),
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
            view = self.lookup.item_view(uow, item)
            return view.model_copy(update={"hints": self._hints(uow, ws, ctx, item)})

    def _hints(self, uow: UnitOfWork, ws: Workspace, ctx: Context, item: Item) -> tuple[str, ...]:
        """What the confirmation should say is missing: no due date (every time, so the
        way to add one is at hand), no impact (once per person: SMART, without nagging)."""
        hints: list[str] = []
        if item.due_at is None:
            hints.append(HINT_DUE)
        if not item.impact:
            person = uow.people.get_or_create(ws.id, ctx.actor.user_id, now=ctx.now)
            if HINT_IMPACT not in (person.hints_given or []):
                hints.append(HINT_IMPACT)
                person.hints_given = [*(person.hints_given or []), HINT_IMPACT]
        return tuple(hints)

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
