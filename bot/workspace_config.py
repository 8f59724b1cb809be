"""A workspace's own settings over the server's defaults, and who administers it.

With many workspaces, XDEPT_ADMINS, XDEPT_SUMMARY_CHANNEL, XDEPT_TIMEZONE and
XDEPT_LOCALE are defaults only: a workspace's `/xdept workspace set` values
win, and the person who installed the app is one of its admins.
"""

from __future__ import annotations

from bot.config import Settings
from bot.context import Context
from bot.domain import PermissionDenied
from storage.db import UnitOfWork
from storage.models import Workspace
from storage.repositories.installations import InstallationRepository
from storage.repositories.workspace_settings import (
    WorkspaceConfig,
    WorkspaceSettingsRepository,
    resolve_config,
)


def defaults(settings: Settings) -> WorkspaceConfig:
    """The server's settings, as every workspace starts."""
    return WorkspaceConfig(
        admins=settings.admins,
        summary_channel=settings.xdept_summary_channel,
        timezone=settings.xdept_timezone,
        locale=settings.xdept_locale,
    )


def installer_of(uow: UnitOfWork, ws: Workspace) -> str | None:
    """Who installed the app in this workspace (None: configured by hand, one workspace)."""
    repo = InstallationRepository(uow.session, None)
    return repo.installer(platform=ws.platform, workspace=ws.external_id)


def config_of(uow: UnitOfWork, settings: Settings, ws: Workspace) -> WorkspaceConfig:
    """The values a workspace runs with: its own where set, else the defaults."""
    own = WorkspaceSettingsRepository(uow.session).get(ws.id)
    return resolve_config(defaults=defaults(settings), own=own, installer=installer_of(uow, ws))


def config_by_id(uow: UnitOfWork, settings: Settings, ws_id: int) -> WorkspaceConfig:
    """`config_of` for a workspace known by its row id."""
    ws = uow.session.get(Workspace, ws_id)
    return config_of(uow, settings, ws) if ws is not None else defaults(settings)


def require_admin(uow: UnitOfWork, settings: Settings, ctx: Context) -> None:
    """Admins: the workspace's own list (or XDEPT_ADMINS), its installer and the platform's
    admins. A workspace with no list at all (one workspace, XDEPT_ADMINS unset) lets anyone."""
    if ctx.actor.is_admin:
        return
    ws = uow.workspaces.get(ctx.platform, ctx.workspace)
    if ws is not None:
        admins = config_of(uow, settings, ws).admins
    else:  # its first request: no settings of its own yet, but maybe an installer
        installer = InstallationRepository(uow.session, None).installer(
            platform=ctx.platform, workspace=ctx.workspace
        )
        admins = settings.admins | ({installer} if installer else set())
    if admins and ctx.actor.user_id not in admins:
        raise PermissionDenied("err.admin_only", admins=", ".join(sorted(admins)))
