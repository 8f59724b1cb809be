"""Replies in an item's (or a stand-up's) thread, and their edits."""

from __future__ import annotations

from bot.context import Context
from bot.domain import (
    Status,
    UpdateKind,
)
from bot.items.base import ItemServiceBase
from bot.limits import RECORDED_TEXT_LIMIT, fitted
from bot.views import ReplyOutcome


class Conversation(ItemServiceBase):
    """Thread replies become updates; the first by one who answers for the item counts."""

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
            first = self._first_response(item, ctx, *self._standing(ctx, item))
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
