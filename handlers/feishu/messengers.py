"""Which Feishu messenger speaks for a workspace: a self-built app speaks for its own tenant.

A self-built app (自建应用) is installed in one tenant, and its tenant token
only reaches that tenant. A workspace of any other tenant gets DeliveryError
AUTH, so nothing is ever sent for it with this app's token. Which tenant is
ours is the same question the event front door asks of every event: give the
directory the front door's `TenantCheck` so that both answer alike; alone, it
asks Feishu once (`AskedTenant`). Store apps, which serve many tenants, are out
of scope.
"""

from __future__ import annotations

import threading
from typing import Protocol

from bot.config import Settings
from bot.ports import DeliveryCode, DeliveryError, Messenger, WorkspaceAddress
from handlers.feishu.api import FeishuApi
from handlers.feishu.events import ReactionKeys
from handlers.feishu.messenger import FeishuMessenger
from handlers.feishu.pacing import Pacer

LARK_DOMAIN = "open.larksuite.com"


class TenantCheck(Protocol):
    """Whether a tenant is the one this app serves."""

    def accepts(self, tenant_key: str) -> bool:
        """True for this app's own tenant."""
        ...


class AskedTenant:
    """The app's tenant as Feishu names it (`tenant/v2/tenant/query`), asked once; asked
    again while Feishu cannot be reached."""

    def __init__(self, api: FeishuApi, *, key: str | None = None) -> None:
        self.api = api
        self._key = key
        self._lock = threading.Lock()

    def key(self) -> str:
        """This app's tenant key (a DeliveryError while Feishu won't say)."""
        with self._lock:
            if self._key is None:
                key = str(self.api.tenant().get("tenant_key") or "")
                if not key:
                    raise DeliveryError(
                        DeliveryCode.TRANSIENT, "Feishu did not say which tenant the app serves"
                    )
                self._key = key
            return self._key

    def accepts(self, tenant_key: str) -> bool:
        """Whether `tenant_key` is this app's tenant."""
        return tenant_key == self.key()


class FeishuMessengers:
    """The Messengers directory for ByPlatform's "feishu" (see the module docstring)."""

    def __init__(self, messenger: FeishuMessenger, *, tenant: TenantCheck | None = None) -> None:
        self.messenger = messenger
        self.tenant = tenant or AskedTenant(messenger.api)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, tenant: TenantCheck | None = None
    ) -> FeishuMessengers:
        """The app of FEISHU_APP_ID / FEISHU_APP_SECRET at FEISHU_API_URL, paced (imports
        lark-oapi)."""
        from handlers.feishu.api import make_client

        api = FeishuApi(make_client(settings))
        messenger = FeishuMessenger(
            api,
            locale=settings.xdept_locale,
            lark=LARK_DOMAIN in settings.feishu_api_url,
            pacer=Pacer(chat_interval=FeishuMessenger.chat_interval),
            reactions=ReactionKeys.named(settings),
        )
        return cls(messenger, tenant=tenant)

    def for_workspace(self, workspace: WorkspaceAddress) -> Messenger:
        """This app's messenger for its own tenant; AUTH for any other tenant."""
        if not self.tenant.accepts(workspace.external_id):
            raise DeliveryError(
                DeliveryCode.AUTH,
                f"tenant {workspace.external_id} is not this self-built app's tenant: "
                "a self-built Feishu app only speaks in the tenant it was created in",
            )
        return self.messenger
