"""Bolt's InstallationStore and OAuthStateStore over xdept's own tables.

slack-sdk's SQLAlchemy stores keep tokens in plain text and create their tables
outside the migrations; these keep one row per workspace (its current install)
in storage.repositories.installations, every token sealed with XDEPT_SECRET_KEY, and the
OAuth states in storage.repositories.oauth_states, so any replica can finish an install.

The app asks for bot scopes only: a workspace's install is its bot, plus the
installer's user token if Slack gave one. Removing the bot (app_uninstalled,
or tokens_revoked naming the bot) marks the workspace uninstalled at once; its
data stays until `xdept workspace purge`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from logging import Logger
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from storage.crypto import SecretBox
from storage.db import Store, UnitOfWork
from storage.repositories.installations import InstallationRecord, InstallationRepository
from storage.repositories.oauth_states import OAuthStateRepository

PLATFORM = "slack"
BOT_SECRETS = ("bot_token", "bot_refresh_token")
USER_SECRETS = ("user_token", "user_refresh_token")
SECRET_FIELDS = (*BOT_SECRETS, *USER_SECRETS, "incoming_webhook_url")
# Installation fields kept as they are: ids, names, scopes, expiry times.
DETAIL_FIELDS = (
    "app_id",
    "enterprise_name",
    "enterprise_url",
    "team_name",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_token_expires_at",
    "user_scopes",
    "user_token_expires_at",
    "incoming_webhook_channel",
    "incoming_webhook_channel_id",
    "incoming_webhook_configuration_url",
    "token_type",
    "installed_at",
)

Clock = Callable[[], datetime]
# Called once, in the transaction that stops a workspace: cancel its pending work there too.
OnUninstall = Callable[[UnitOfWork, str, datetime], None]


def wall_clock() -> datetime:
    """Now, in UTC (Bolt calls the stores without a time)."""
    return datetime.now(UTC)


def workspace_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> str | None:
    """The id a Slack install is kept under: the team's (the org's for an org-wide install)."""
    if is_enterprise_install or team_id is None:
        return enterprise_id
    return team_id


class DatabaseInstallationStore(InstallationStore):
    """Installations in xdept's database, secrets encrypted at rest."""

    def __init__(
        self,
        store: Store,
        box: SecretBox,
        *,
        clock: Clock = wall_clock,
        on_uninstall: OnUninstall | None = None,
        logger: Logger | None = None,
    ) -> None:
        self._store = store
        self._box = box
        self._clock = clock
        self._on_uninstall = on_uninstall
        self._logger = logger or logging.getLogger(__name__)

    @property
    def logger(self) -> Logger:
        """Where Bolt logs about this store."""
        return self._logger

    def save(self, installation: Installation) -> None:
        """Record an install (first, or again after a removal)."""
        key = workspace_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        if key is None:
            raise ValueError("an installation without a team or enterprise id cannot be kept")
        # Attributes, not to_dict(): plain numbers and lists that JSON keeps as they are.
        details: dict[str, Any] = {f: getattr(installation, f, None) for f in DETAIL_FIELDS}
        details["bot_scopes"] = list(installation.bot_scopes or [])
        details["user_scopes"] = list(installation.user_scopes or [])
        details["is_enterprise_install"] = bool(installation.is_enterprise_install)
        details["custom_values"] = dict(installation.custom_values or {})
        details["name"] = installation.team_name or installation.enterprise_name
        with self._store.unit_of_work() as uow:
            self._repo(uow).save(
                platform=PLATFORM,
                workspace=key,
                enterprise=installation.enterprise_id,
                installer=installation.user_id,
                details=details,
                secrets={f: getattr(installation, f) for f in SECRET_FIELDS},
                now=self._clock(),
            )
        self._logger.info("installed in Slack workspace %s by %s", key, installation.user_id)

    def save_bot(self, bot: Bot) -> None:
        """Keep a bot's refreshed token (token rotation)."""
        key = workspace_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        if key is None:
            return
        with self._store.unit_of_work() as uow:
            self._repo(uow).update_secrets(
                platform=PLATFORM,
                workspace=key,
                secrets={"bot_token": bot.bot_token, "bot_refresh_token": bot.bot_refresh_token},
                details={"bot_token_expires_at": bot.bot_token_expires_at},
                now=self._clock(),
            )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's install, if active (with `user_id`: only if that user installed)."""
        record = self._find(enterprise_id, team_id, is_enterprise_install)
        if record is None or (user_id is not None and record.installer != user_id):
            return None
        d = record.details
        return Installation(
            app_id=d.get("app_id"),
            enterprise_id=record.enterprise,
            enterprise_name=d.get("enterprise_name"),
            enterprise_url=d.get("enterprise_url"),
            team_id=None if d.get("is_enterprise_install") else record.workspace,
            team_name=d.get("team_name"),
            bot_id=d.get("bot_id"),
            bot_user_id=d.get("bot_user_id"),
            bot_scopes=d.get("bot_scopes") or "",
            bot_token_expires_at=d.get("bot_token_expires_at"),
            user_id=record.installer or "",
            user_scopes=d.get("user_scopes") or "",
            user_token_expires_at=d.get("user_token_expires_at"),
            incoming_webhook_channel=d.get("incoming_webhook_channel"),
            incoming_webhook_channel_id=d.get("incoming_webhook_channel_id"),
            incoming_webhook_configuration_url=d.get("incoming_webhook_configuration_url"),
            is_enterprise_install=bool(d.get("is_enterprise_install")),
            token_type=d.get("token_type"),
            installed_at=d.get("installed_at") or record.installed_at.timestamp(),
            custom_values=d.get("custom_values") or {},
            bot_token=record.secrets.get("bot_token"),
            bot_refresh_token=record.secrets.get("bot_refresh_token"),
            user_token=record.secrets.get("user_token"),
            user_refresh_token=record.secrets.get("user_refresh_token"),
            incoming_webhook_url=record.secrets.get("incoming_webhook_url"),
        )

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's bot, if installed and its token readable."""
        installation = self.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if installation is None or installation.bot_token is None:
            return None
        return installation.to_bot()

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """The bot was removed: forget its tokens and stop the workspace at once."""
        self._forget(enterprise_id, team_id, names=BOT_SECRETS, uninstalled=True)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the install (a user's revoked token only, when `user_id` is given)."""
        if user_id is None:
            self._forget(enterprise_id, team_id, names=None, uninstalled=True)
            return
        record = self._find(enterprise_id, team_id, None)
        if record is not None and record.installer == user_id:
            self._forget(enterprise_id, team_id, names=USER_SECRETS, uninstalled=False)

    def _forget(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        *,
        names: tuple[str, ...] | None,
        uninstalled: bool,
    ) -> None:
        key = workspace_key(enterprise_id, team_id, None)
        if key is None:
            return
        now = self._clock()
        with self._store.unit_of_work() as uow:
            stopped = self._repo(uow).forget(
                platform=PLATFORM, workspace=key, names=names, now=now, uninstalled=uninstalled
            )
            if stopped and self._on_uninstall is not None:
                self._on_uninstall(uow, key, now)
        if stopped:
            self._logger.info("Slack workspace %s removed the app: sending stopped", key)

    def _find(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> InstallationRecord | None:
        key = workspace_key(enterprise_id, team_id, is_enterprise_install)
        if key is None:
            return None
        with self._store.unit_of_work() as uow:
            record = self._repo(uow).find(platform=PLATFORM, workspace=key)
        return record if record is not None and record.active else None

    def _repo(self, uow: UnitOfWork) -> InstallationRepository:
        return InstallationRepository(uow.session, self._box)


class DatabaseOAuthStateStore(OAuthStateStore):
    """OAuth states in xdept's database: each consumed once, before it expires."""

    def __init__(
        self,
        store: Store,
        *,
        expiration_seconds: int = 600,
        clock: Clock = wall_clock,
        logger: Logger | None = None,
    ) -> None:
        self._store = store
        self._ttl = timedelta(seconds=expiration_seconds)
        self._clock = clock
        self._logger = logger or logging.getLogger(__name__)

    @property
    def logger(self) -> Logger:
        """Where Bolt logs about this store."""
        return self._logger

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state for one install attempt."""
        with self._store.unit_of_work() as uow:
            return OAuthStateRepository(uow.session).issue(now=self._clock(), ttl=self._ttl)

    def consume(self, state: str) -> bool:
        """True once for a state issued here and not expired."""
        with self._store.unit_of_work() as uow:
            ok = OAuthStateRepository(uow.session).consume(state, now=self._clock())
        if not ok:
            self._logger.info("an OAuth redirect came back with an unknown or used state")
        return ok
