"""The Feishu adapter assembled: Open API, directory, resolver, intake, endpoint, handlers.

Every mode builds it the same way over one xdept App: `xdept serve` in each
HTTP worker (where it stores and acknowledges, and answers card clicks) and
in its inbox process, `xdept worker`, `xdept feishu connect`, and the tests.
Nothing here imports lark-oapi by itself; the Open API client does, once
built (`serve` loads the SDK before it forks).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from bot.bootstrap import App
from bot.config import Settings
from handlers.feishu import chat, home, people, reacting
from handlers.feishu.api import FeishuApi, make_client
from handlers.feishu.clicks import CLICK_KIND
from handlers.feishu.directory import FeishuDirectory
from handlers.feishu.events import ReactionKeys
from handlers.feishu.intake import Intake
from handlers.feishu.messenger import FeishuMessenger
from handlers.feishu.pacing import Pacer
from handlers.feishu.resolver import PLATFORM, FeishuResolver, OwnTenant, feishu_locale
from handlers.feishu.runtime import FeishuDeps
from handlers.runtime.answers import IN_REQUEST
from handlers.runtime.inbox import Inbox, Route
from storage.models import Workspace

log = logging.getLogger(__name__)

EVENTS_PATH = "/feishu/events"


@dataclass(frozen=True)
class FeishuParts:
    """The Open API pieces one process shares between its messenger and its intake."""

    api: FeishuApi
    directory: FeishuDirectory
    resolver: FeishuResolver

    @classmethod
    def from_settings(cls, settings: Settings) -> FeishuParts:
        """The app's client (FEISHU_APP_ID, FEISHU_APP_SECRET, FEISHU_API_URL)."""
        api = FeishuApi(make_client(settings))
        directory = FeishuDirectory(api)
        return cls(api, directory, FeishuResolver(directory, locale=feishu_locale(settings)))

    def messenger(
        self, settings: Settings, *, sleep: Callable[[float], None] | None = None
    ) -> FeishuMessenger:
        """The messenger over the same client and directory, keeping Feishu's pace (one
        pacer for every thread of the process; `sleep` is how it waits: tests pass a no-op)."""
        lark = settings.feishu_api_url.rstrip("/").endswith("larksuite.com")
        pacer = Pacer(chat_interval=FeishuMessenger.chat_interval, sleep=sleep or time.sleep)
        return FeishuMessenger(
            self.api,
            directory=self.directory,
            locale=self.resolver.locale,
            lark=lark,
            pacer=pacer,
            reactions=ReactionKeys.named(settings),
        )


@dataclass
class FeishuAdapter:
    """Everything the Feishu side of one process holds."""

    deps: FeishuDeps
    intake: Intake

    @property
    def app(self) -> App:
        """The core's app."""
        return self.deps.app

    def routes(self) -> dict[str, Route]:
        """The inbox handlers of Feishu rows, by kind."""
        routes: dict[str, Route] = {CLICK_KIND: IN_REQUEST}
        for module in (chat, reacting, home, people):
            routes.update(module.routes(self.deps))
        return routes


def known_tenants(app: App) -> list[str]:
    """The Feishu tenants the database already holds (a self-built app's: one at most)."""
    with app.store.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(Workspace.external_id).where(Workspace.platform == PLATFORM)
        )
        return list(rows)


def build_feishu(
    settings: Settings,
    *,
    app: App,
    parts: FeishuParts | None = None,
    ring: Callable[[], None] | None = None,
    tenant_key: str | None = None,
    tenant: OwnTenant | None = None,
) -> FeishuAdapter:
    """The Feishu adapter over `app` (whose messengers speak for Feishu workspaces).

    `tenant_key`: the tenant this app serves, when known (else asked of Feishu once).
    `tenant`: the check the app's messengers use too, so both answer alike.
    """
    settings.require("feishu_app_id", "feishu_app_secret", "feishu_verification_token")
    parts = parts or FeishuParts.from_settings(settings)
    deps = FeishuDeps(
        app=app,
        api=parts.api,
        directory=parts.directory,
        resolver=parts.resolver,
        tenant=tenant or OwnTenant(parts.api, key=tenant_key, known=lambda: known_tenants(app)),
        inbox=Inbox(app.store),
        reactions=ReactionKeys.from_settings(settings),
        ring=ring or (lambda: None),
    )
    return FeishuAdapter(deps=deps, intake=Intake(deps))
