"""Feishu ids to plain values: who a person is (name, zone, admin), which tenant is ours.

A Feishu tenant is a workspace (platform "feishu", external id = tenant_key).
A self-built app serves its own tenant only: `OwnTenant` finds out once which
that is, and every event of another tenant is ignored. Feishu gives no
language for a person, so everyone speaks the Feishu default (Chinese, unless
XDEPT_LOCALE says otherwise).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Settings
from bot.context import Actor, CommandStyle, Context
from bot.ports import DeliveryError
from handlers.feishu.api import FeishuApi
from handlers.feishu.directory import FeishuDirectory

log = logging.getLogger(__name__)

PLATFORM = "feishu"
# Feishu has no locale per person: Chinese, unless the operator set XDEPT_LOCALE.
DEFAULT_LOCALE = "zh"
# After a failed lookup of a person, act with what the event said for this long.
FAILURE_TTL = 30.0


def feishu_locale(settings: Settings) -> str:
    """The language of Feishu people: XDEPT_LOCALE when it was set, else Chinese."""
    if "xdept_locale" in settings.model_fields_set:
        return settings.xdept_locale
    return DEFAULT_LOCALE


def _zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


class FeishuResolver:
    """People through the directory (cached there), as the core's Actor and Context."""

    def __init__(
        self,
        directory: FeishuDirectory,
        *,
        locale: str = DEFAULT_LOCALE,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.locale = locale
        self._now = now
        self._clock = clock
        self._failed: dict[str, float] = {}

    def actor(self, open_id: str, *, name: str | None = None) -> Actor:
        """The person: name, zone, admin flag, and their Feishu departments as groups."""
        if self._failed.get(open_id, 0.0) > self._clock():
            return Actor(user_id=open_id, name=name, locale=self.locale)
        try:
            person = self.directory.person(open_id)
        except DeliveryError as exc:
            # No contact permission, or Feishu is down: the person can still act;
            # dates fall back to the workspace zone.
            log.warning("looking up %s on Feishu failed: %s", open_id, exc)
            self._failed[open_id] = self._clock() + FAILURE_TTL
            return Actor(user_id=open_id, name=name, locale=self.locale)
        return Actor(
            user_id=open_id,
            name=person.name or name,
            timezone=_zone(person.time_zone),
            locale=self.locale,
            is_admin=person.is_admin,
            # `usergroup:od-...` binds a Feishu department to an xdept department.
            usergroups=frozenset(person.department_ids),
        )

    def context(self, *, tenant: str, user: str, chat: str | None) -> Context:
        """A use case's frame for a person acting now."""
        return Context(
            platform=PLATFORM,
            workspace=tenant,
            actor=self.actor(user),
            now=self._now(),
            channel_id=chat,
            command_style=CommandStyle.MENTION,
        )

    def chat_private(self, chat_id: str) -> bool:
        """Whether items tracked in a chat are hidden from people outside it."""
        try:
            return not self.directory.chat(chat_id).public
        except DeliveryError as exc:
            log.warning("looking up chat %s on Feishu failed: %s", chat_id, exc)
            return True


class OwnTenant:
    """The tenant this self-built app serves (see the module docstring).

    Asked of Feishu once (`tenant/v2/tenant/query`, which needs the
    `tenant:tenant:readonly` permission). If Feishu will not say, the one Feishu
    workspace already in the database is ours; on a fresh database, the tenant of
    the first authentic event is (a self-built app receives only its own tenant's
    events), and it is a workspace from then on. Feishu being unreachable is not
    "will not say": the event is refused for now and Feishu sends it again.
    """

    def __init__(
        self,
        api: FeishuApi,
        *,
        key: str | None = None,
        known: Callable[[], list[str]] = lambda: [],
    ) -> None:
        self.api = api
        self._key = key
        self._known = known
        self._lock = threading.Lock()

    def _asked(self) -> str | None:
        try:
            key = str(self.api.tenant().get("tenant_key") or "")
        except DeliveryError as exc:
            if not exc.permanent:
                raise
            log.warning("Feishu did not say which tenant this app serves: %s", exc)
            return None
        return key or None

    def _learn(self, seen: str) -> str:
        key = self._asked()
        if key is None:
            known = self._known()
            if len(known) == 1:
                key = known[0]
            elif len(known) > 1:
                raise LookupError(
                    f"the database holds several Feishu tenants ({', '.join(known)}) and "
                    "Feishu did not say which one this app serves: grant the app the "
                    "tenant:tenant:readonly permission"
                )
            else:
                key = seen
        log.info("serving Feishu tenant %s", key)
        return key

    def accepts(self, tenant_key: str) -> bool:
        """Whether an event of `tenant_key` is ours; another tenant's is logged once here."""
        with self._lock:
            if self._key is None:
                self._key = self._learn(tenant_key)
            ours = self._key
        if tenant_key == ours:
            return True
        log.info("ignored an event of another Feishu tenant (%s)", tenant_key or "none")
        return False
