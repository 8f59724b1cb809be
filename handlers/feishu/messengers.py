"""Which Feishu messenger speaks for a workspace: a self-built app speaks for its own tenant.

A self-built app (自建应用) is installed in one tenant, and its tenant token
only reaches that tenant. Its tenant key is asked of Feishu once (and asked
again while Feishu cannot be reached); a workspace of any other tenant gets
DeliveryError AUTH, so nothing is ever sent for it with this app's token.
Store apps, which serve many tenants, are out of scope.
"""

from __future__ import annotations

import threading

from bot.config import Settings
from bot.ports import DeliveryCode, DeliveryError, Messenger, WorkspaceAddress
from handlers.feishu.api import FeishuApi
from handlers.feishu.messenger import FeishuMessenger
from handlers.feishu.pacing import Pacer

PLATFORM = "feishu"
LARK_DOMAIN = "open.larksuite.com"


class FeishuMessengers:
    """The Messengers directory for ByPlatform's "feishu" (see the module docstring)."""

    def __init__(self, messenger: FeishuMessenger, *, tenant_key: str | None = None) -> None:
        self.messenger = messenger
        self._tenant_key = tenant_key
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, tenant_key: str | None = None
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
        )
        return cls(messenger, tenant_key=tenant_key)

    def tenant_key(self) -> str:
        """The tenant this app serves (asked once; FeishuError while Feishu won't say)."""
        with self._lock:
            if self._tenant_key is None:
                key = str(self.messenger.api.tenant().get("tenant_key") or "")
                if not key:
                    raise DeliveryError(
                        DeliveryCode.TRANSIENT, "Feishu did not say which tenant the app serves"
                    )
                self._tenant_key = key
            return self._tenant_key

    def for_workspace(self, workspace: WorkspaceAddress) -> Messenger:
        """This app's messenger for its own tenant; AUTH for any other tenant."""
        if workspace.platform != PLATFORM:
            raise DeliveryError(DeliveryCode.AUTH, f"not a Feishu workspace: {workspace.platform}")
        own = self.tenant_key()
        if workspace.external_id != own:
            raise DeliveryError(
                DeliveryCode.AUTH,
                f"tenant {workspace.external_id} is not this self-built app's tenant ({own}); "
                "a self-built Feishu app only speaks in the tenant it was created in",
            )
        return self.messenger
