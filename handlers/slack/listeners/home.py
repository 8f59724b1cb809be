"""`app_home_opened`: the Home tab with my items, what waits on my departments, what I asked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.commands import ListScope
from bot.views import ItemView
from handlers.slack.runtime import Deps, team_of
from handlers.slack.views import HOME_ITEMS_PER_GROUP, HomeGroups, home_view

log = logging.getLogger(__name__)

# Enough pages to fill three groups and say how many more there are.
MAX_PAGES = 10


def register(bolt: App, deps: Deps) -> None:
    """Listen for people opening the app's Home tab."""

    def on_home(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user") or "")
        deps.background(f"home tab of {user}", publish, team_of(body), user, request=body)

    bolt.event("app_home_opened")(on_home)


def publish(deps: Deps, team: str, user: str) -> None:
    """Build and publish one person's Home tab."""
    ctx = deps.resolver.context(team_id=team, user_id=user)
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
    deps.client.views_publish(user_id=user, view=view)
