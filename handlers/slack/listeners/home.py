"""`app_home_opened`: the Home tab with my items, what waits on my departments, what I asked."""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt import App

from bot.commands import ListScope
from bot.views import ItemView
from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.payloads import EventEnvelope, HomeOpened, parse
from handlers.slack.runtime import Deps
from handlers.slack.views import HOME_ITEMS_PER_GROUP, HomeGroups, home_view

log = logging.getLogger(__name__)

KIND = "slack.home"
# Enough pages to fill three groups and say how many more there are.
MAX_PAGES = 10


def register(bolt: App, deps: Deps) -> None:
    """Listen for people opening the app's Home tab."""
    from handlers.slack.app import guarded

    @guarded
    def on_home(body: dict[str, Any], event: dict[str, Any]) -> None:
        envelope = parse(EventEnvelope, body, what="app_home_opened event")
        opened = parse(HomeOpened, event, what="app_home_opened") if envelope else None
        if envelope is None or opened is None or opened.tab != "home":
            return
        key = f"event:{envelope.event_id}"
        deps.store(kind=KIND, key=key, team=envelope.team_id, payload=opened)

    bolt.event("app_home_opened")(on_home)


def routes(deps: Deps) -> dict[str, Route]:
    """The inbox handler of the Home tab (publishing it again is harmless)."""
    return {KIND: Route(functools.partial(publish, deps))}


def publish(deps: Deps, task: Task, finish: Finish) -> None:
    """Build and publish one person's Home tab."""
    user = HomeOpened.model_validate(task.payload).user
    ctx = deps.context(task, team=task.workspace, user=user, channel=None)
    items: list[ItemView] = []
    page, pages = 1, 1
    while page <= min(pages, MAX_PAGES):
        result = deps.core.items.list_items(ctx=ctx, scope=ListScope.MINE, page=page)
        items.extend(result.items)
        pages = result.pages
        page += 1
        if len(items) >= 3 * HOME_ITEMS_PER_GROUP + 1:
            break
    mine = [v for v in items if v.owner_id == user]
    asked = [v for v in items if v.requester_id == user and v.owner_id != user]
    departments = [v for v in items if user not in (v.owner_id, v.requester_id)]
    view = home_view(
        HomeGroups(mine=mine, departments=departments, asked=asked),
        locale=deps.core.locale(ctx),
        now=ctx.now,
        tz=deps.core.timezone(ctx),
    )
    deps.client(task.workspace).views_publish(user_id=user, view=view)
