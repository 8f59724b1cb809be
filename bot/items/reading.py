"""Reading items: one in detail, or a page of a list, as far as the person may see."""

from __future__ import annotations

from sqlalchemy import select

from bot.commands import ListScope
from bot.context import Context
from bot.domain import ACTIVE, NotFound
from bot.items.base import ItemServiceBase
from bot.views import ItemPage, ItemView
from storage.repositories import item_keys, visible_keys

PAGE_SIZE = 20


class Reading(ItemServiceBase):
    """`show` and `list`."""

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
