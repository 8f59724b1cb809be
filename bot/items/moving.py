"""Sending a request to another department: new channel, new tracking message, fresh clocks."""

from __future__ import annotations

from bot import outbox
from bot.commands import Target
from bot.context import Context
from bot.domain import InvalidInput, Role, Status, UpdateKind, check_move
from bot.i18n import register, tr
from bot.items.base import ItemServiceBase
from bot.lookup import normalize_locale
from bot.messages import ChannelSpan, Message, MessageKind, Section, mention, text
from bot.views import ItemView

register(
    {
        "err.move_who": (
            "Only the person who filed {code} or a lead of either department can move it.",
            "只有 {code} 的提出人或两个部门的部门负责人可以把它转给其他部门。",
        ),
        "err.move_not_request": (
            "{code} is not a request to a department, so there is nowhere to move it; "
            "use `{cmd} assign {code} @person` to hand it over.",
            "{code} 不是发给部门的协作请求，无法转部门；可用 `{cmd} assign {code} @人员` 转交。",
        ),
        "err.move_same": (
            "{code} is already with {dept}; nothing was changed.",
            "{code} 已在{dept}，未做更改。",
        ),
        "note.moved_away": (
            "{code} was moved to {dept} by {actor}; it is followed up in {channel} from now on.",
            "{code} 已由{actor}转给{dept}，后续请在 {channel} 跟进。",
        ),
        "note.moved_here": (
            "{requester} {code} was moved here from {old} by {actor}; "
            "its response clock starts again now.",
            "{requester} {code} 已由{actor}从{old}转来，响应计时从现在重新开始。",
        ),
        "reply.moved": (
            "{code} moved to {dept}; a new tracking message is posted there.",
            "{code} 已转给{dept}，并在该部门频道发布了新的跟踪消息。",
        ),
    }
)


class Moving(ItemServiceBase):
    """`move XD-12 @dept`."""

    def move(self, *, ctx: Context, code: str, target: Target) -> ItemView:
        """Send a request to another department: the clocks restart, the tracking message
        moves (a new one in the new channel, the old one edited to point there)."""
        with self.store.unit_of_work() as uow:
            ws, item = self._load(uow, ctx, code)
            new = self.lookup.department(uow, ws, target)
            facts, party = self._standing(ctx, item)
            check_move(facts, party, new_leads=new.user_ids(Role.LEAD))
            old = item.department
            if old is not None and old.id == new.id:
                raise InvalidInput("err.move_same", code=item.code, dept=new.name)
            old_channel, old_message = item.channel_id, item.message_id
            item.department, item.department_id = new, new.id
            item.channel_id, item.message_id, item.permalink = new.channel_id, None, None
            # The new department has not answered: the owner, first response and
            # acknowledgement belonged to the old one.
            item.owner_id = None
            item.first_response_at, item.first_response_by = None, None
            item.status = Status.OPEN.value
            item.snoozed_until = None
            item.clock_started_at = ctx.now
            item.moves = (item.moves or 0) + 1
            uow.items.add_update(
                item,
                kind=UpdateKind.MOVED,
                actor_id=ctx.actor.user_id,
                at=ctx.now,
                text=new.name,
                data={"from": old.key if old else None, "to": new.key},
            )
            item.version += 1
            item.updated_at = ctx.now
            item.next_check_at = ctx.now
            uow.flush()
            outbox.tracking_post(uow, item, now=ctx.now)
            old_name = old.name if old else ""
            if old_channel and old_message:
                away = normalize_locale(old.locale if old else None, self.settings.xdept_locale)
                pointer = Message(
                    kind=MessageKind.NOTE,
                    sections=[
                        Section(
                            body=tr(
                                away,
                                "note.moved_away",
                                code=item.code,
                                dept=text(new.name),
                                actor=mention(ctx.actor.user_id),
                                channel=ChannelSpan(channel_id=new.channel_id),
                            )
                        )
                    ],
                )
                outbox.edit_message(
                    uow,
                    item,
                    pointer,
                    channel_id=old_channel,
                    message_id=old_message,
                    key=f"item:{item.id}:moved:m{item.moves}",
                    now=ctx.now,
                )
            here = Message(
                kind=MessageKind.NOTE,
                sections=[
                    Section(
                        body=tr(
                            self._locale(item),
                            "note.moved_here",
                            requester=mention(item.requester_id),
                            code=item.code,
                            old=text(old_name),
                            actor=mention(ctx.actor.user_id),
                        )
                    )
                ],
            )
            outbox.thread_message(
                uow, item, here, key=f"item:{item.id}:note:v{item.version}", now=ctx.now
            )
            return self._view(uow, item)
