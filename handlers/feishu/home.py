"""The "My items" card: Slack's Home tab, in the bot's direct chat.

Sent when a person opens their chat with the bot, or clicks the bot's menu.
Opening the chat again within the hour updates the same card in place rather
than posting another: the card's uuid is the person's and the hour's, so
Feishu answers a second send with the card it already has, and the worker
patches that one.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime

from bot.commands import ListScope
from bot.context import Context
from bot.views import ItemView
from handlers.feishu import cards, forms
from handlers.feishu.events import ChatOpened, MenuClick
from handlers.feishu.runtime import FeishuDeps
from handlers.runtime.inbox import Finish, Route, Task

log = logging.getLogger(__name__)

KIND = "feishu.home"
# Enough pages to fill three groups and say how many more there are.
MAX_PAGES = 10
# A card sent longer ago than this was another opening's: patch it with today's lists.
FRESH_SECONDS = 10


def routes(deps: FeishuDeps) -> dict[str, Route]:
    """The inbox handler of "My items" (sending it again is harmless)."""
    return {KIND: Route(functools.partial(publish, deps))}


def groups_of(deps: FeishuDeps, ctx: Context) -> forms.MyItems:
    """A person's open items, split into mine, my departments' and what I asked."""
    user = ctx.actor.user_id
    items: list[ItemView] = []
    page, pages = 1, 1
    while page <= min(pages, MAX_PAGES) and len(items) <= 3 * forms.ITEMS_PER_GROUP:
        result = deps.core.items.list_items(ctx=ctx, scope=ListScope.MINE, page=page)
        items.extend(result.items)
        pages = result.pages
        page += 1
    return forms.MyItems(
        mine=[v for v in items if v.owner_id == user],
        asked=[v for v in items if v.requester_id == user and v.owner_id != user],
        departments=[v for v in items if user not in (v.owner_id, v.requester_id)],
    )


def publish(deps: FeishuDeps, task: Task, finish: Finish) -> None:
    """Send (or update) one person's "My items" card in their chat with the bot."""
    event = deps.event_of(task)
    if not isinstance(event, ChatOpened | MenuClick):
        return
    ctx = deps.context(task, user=event.operator, chat=None)
    card = forms.my_items(
        groups_of(deps, ctx),
        locale=deps.core.locale(ctx),
        now=ctx.now,
        tz=deps.core.timezone(ctx),
    )
    hour = ctx.now.strftime("%Y%m%d%H")
    key = f"my-items:{task.workspace}:{event.operator}:{hour}"
    sent = deps.send_card(user=event.operator, card=card, key=key)
    if _earlier(sent, ctx.now):
        deps.api.patch(message_id=str(sent["message_id"]), content=cards.content(card))


def _earlier(sent: dict[str, object], now: datetime) -> bool:
    """Whether Feishu answered with a card sent before (the uuid's hour), not a new one."""
    try:
        created = int(str(sent.get("create_time") or "0")) / 1000
    except ValueError:
        return False
    return bool(created) and created < now.timestamp() - FRESH_SECONDS
