"""Progress notes, four-part status, corrections and the history of an item."""

from __future__ import annotations

from dataclasses import dataclass

from bot import followup_text as say
from bot import outbox
from bot.commands.case_parts import STATUS_NAMES, split_case, split_parts
from bot.context import Context
from bot.domain import (
    InvalidInput,
    NotFound,
    Status,
    UpdateKind,
    check_edit,
    check_status_update,
)
from bot.items.base import ItemServiceBase
from bot.limits import bounded, bounded_optional
from bot.messages import Message
from bot.views import ItemView, UpdateView
from storage.db import UnitOfWork
from storage.models import Item

HISTORY_PAGE = 20
STATUS_PARTS = ("background", "current", "impact", "suggestion")


@dataclass(frozen=True)
class FourParts:
    """A status as four texts (any may be empty)."""

    background: str = ""
    current: str = ""
    impact: str = ""
    suggestion: str = ""

    def as_dict(self) -> dict[str, str]:
        """The parts by name."""
        return {name: getattr(self, name) for name in STATUS_PARTS}


@dataclass(frozen=True)
class HistoryPage:
    """One page of an item's updates, oldest first."""

    item: ItemView
    updates: list[UpdateView]
    page: int
    pages: int
    total: int


def read_status(text: str) -> FourParts:
    """The four parts typed after `status XD-12`; text before any marker is the current state."""
    head, parts = split_parts(text, STATUS_NAMES)
    if head and "current" not in parts:
        parts["current"] = head
    return FourParts(**{name: parts.get(name, "") for name in STATUS_PARTS})


class FollowUp(ItemServiceBase):
    """`update`, `status`, `edit` and `history`."""

    def progress(self, *, ctx: Context, code: str, text: str) -> ItemView:
        """Record a quick progress note and post it in the item's thread."""
        text = bounded(text)
        if not text.strip():
            raise InvalidInput("err.empty_text")
        with self.store.unit_of_work() as uow:
            item = self._answering(uow, ctx, code, "update")
            uow.items.add_update(
                item, kind=UpdateKind.PROGRESS, actor_id=ctx.actor.user_id, at=ctx.now, text=text
            )
            note = say.progress_note(
                self._view(uow, item), actor=ctx.actor.user_id, text=text, locale=self._locale(item)
            )
            self._note(uow, item, ctx, note)
            return self._view(uow, item)

    def status_prefill(self, *, ctx: Context, code: str) -> tuple[ItemView, FourParts]:
        """The item and the four parts a status form opens with (its own case, its latest news)."""
        with self.store.unit_of_work() as uow:
            _ws, item = self._load(uow, ctx, code)
            check_status_update(*self._standing(ctx, item), "status")
            latest = next(
                (
                    u.text
                    for u in reversed(uow.items.updates(item.id, last=50))
                    if u.kind in (UpdateKind.PROGRESS, UpdateKind.REPLY) and u.text
                ),
                "",
            )
            last_status: dict[str, str] = next(
                (
                    u.data.get("parts", {})
                    for u in reversed(uow.items.updates(item.id, last=50))
                    if u.kind == UpdateKind.STATUS
                ),
                {},
            )
            parts = FourParts(
                background=item.background or last_status.get("background") or item.text,
                current=latest or last_status.get("current", ""),
                impact=item.impact or "",
                suggestion=item.suggestion or "",
            )
            return self._view(uow, item), parts

    def status(self, *, ctx: Context, code: str, parts: FourParts) -> ItemView:
        """Post a four-part status in the thread, record it, and keep its impact and
        suggestion on the item (an escalation quotes the latest). Parts left empty are
        the item's own (its text as background, its impact and suggestion)."""
        given = {k: (bounded_optional(v) or "").strip() for k, v in parts.as_dict().items()}
        if not given["current"]:
            raise InvalidInput("err.status_current")
        _view, known = self.status_prefill(ctx=ctx, code=code)
        cleaned = FourParts(
            **{k: given[k] or (known.as_dict()[k] if k != "current" else "") for k in given}
        )
        with self.store.unit_of_work() as uow:
            item = self._answering(uow, ctx, code, "status")
            if cleaned.background:
                item.background = cleaned.background if cleaned.background != item.text else None
            item.impact = cleaned.impact or item.impact
            item.suggestion = cleaned.suggestion or item.suggestion
            uow.items.add_update(
                item,
                kind=UpdateKind.STATUS,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                text=cleaned.current,
                data={"parts": cleaned.as_dict()},
            )
            note = say.status_report(
                self._view(uow, item),
                actor=ctx.actor.user_id,
                parts=cleaned.as_dict(),
                locale=self._locale(item),
            )
            self._note(uow, item, ctx, note)
            return self._view(uow, item)

    def edit(self, *, ctx: Context, code: str, text: str) -> ItemView:
        """Correct the text (and impact/suggestion parts); the old values stay in the history.

        Parts alone (`edit XD-3 impact: ...`) keep the text as it was.
        """
        case = split_case(text)
        with self.store.unit_of_work() as uow:
            _ws, item = self._load(uow, ctx, code)
            check_edit(*self._standing(ctx, item))
            old = {"text": item.text, "impact": item.impact, "suggestion": item.suggestion}
            if case.text.strip():
                item.text = bounded(case.text)
            item.impact = bounded_optional(case.impact) or item.impact
            item.suggestion = bounded_optional(case.suggestion) or item.suggestion
            new = {"text": item.text, "impact": item.impact, "suggestion": item.suggestion}
            if new == old:
                raise InvalidInput("err.edit_same", code=item.code)
            uow.items.add_update(
                item,
                kind=UpdateKind.EDITED,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                text=item.text,
                data={"old": old, "new": new},
            )
            note = say.edited_note(
                self._view(uow, item), actor=ctx.actor.user_id, old=old, locale=self._locale(item)
            )
            self._changed(uow, item, ctx, note=note)
            return self._view(uow, item)

    def history(self, *, ctx: Context, code: str, page: int = 1) -> HistoryPage:
        """A page of every update of an item, for whoever may `show` it."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            item = self.lookup.item(uow, ws, code, lock=False)
            if not self._visible(ctx, item):
                raise NotFound("err.no_item", code=code)
            trail = uow.items.updates(item.id)
            pages = max(1, -(-len(trail) // HISTORY_PAGE))
            page = min(max(1, page), pages)
            chunk = trail[(page - 1) * HISTORY_PAGE : page * HISTORY_PAGE]
            return HistoryPage(
                item=self._view(uow, item),
                updates=[
                    UpdateView(kind=UpdateKind(u.kind), actor_id=u.actor_id, at=u.at, text=u.text)
                    for u in chunk
                ],
                page=page,
                pages=pages,
                total=len(trail),
            )

    def _note(self, uow: UnitOfWork, item: Item, ctx: Context, note: Message) -> None:
        """Post a note in the thread; its key counts the updates, so each note is its own."""
        uow.flush()
        count = len(uow.items.updates(item.id))
        outbox.thread_message(uow, item, note, key=f"item:{item.id}:note:u{count}", now=ctx.now)

    def _answering(self, uow: UnitOfWork, ctx: Context, code: str, action: str) -> Item:
        """The item someone posts `update` or `status` on, if they may; their first one is
        the first response and acknowledges an open request, as a thread reply does."""
        _ws, item = self._load(uow, ctx, code)
        facts, party = self._standing(ctx, item)
        check_status_update(facts, party, action)
        first = self._first_response(item, ctx, facts, party)
        if first and item.status == Status.OPEN.value:
            self._transition(uow, item, ctx, Status.ACKNOWLEDGED, UpdateKind.ACKNOWLEDGED)
        elif first:
            self._changed(uow, item, ctx)
        return item
