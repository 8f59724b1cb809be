"""Each workspace's own admins, summary channel, zone and language, over the defaults."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from storage.repositories.base import Repository
from storage.tenancy_models import WorkspaceSettings


@dataclass(frozen=True)
class WorkspaceConfig:
    """The values a workspace runs with, after its own settings and the defaults."""

    admins: frozenset[str]
    summary_channel: str | None
    timezone: str
    locale: str


class Keep(Enum):
    """A field left out of set() keeps its value (None clears it back to the default)."""

    KEEP = "keep"


KEEP = Keep.KEEP


class WorkspaceSettingsRepository(Repository):
    """Reads and changes a workspace's settings (the unit of work commits)."""

    def get(self, workspace_id: int) -> WorkspaceSettings | None:
        """The workspace's own settings, if it has set any."""
        return self.session.get(WorkspaceSettings, workspace_id)

    def set(
        self,
        workspace_id: int,
        *,
        now: datetime,
        by: str | None,
        add_admins: Iterable[str] = (),
        remove_admins: Iterable[str] = (),
        summary_channel: str | None | Keep = KEEP,
        timezone: str | None | Keep = KEEP,
        locale: str | None | Keep = KEEP,
    ) -> WorkspaceSettings:
        """Change the fields given; the others stay as they are."""
        row = self.get(workspace_id)
        if row is None:
            row = WorkspaceSettings(workspace_id=workspace_id, admins=[], updated_at=now)
            self.session.add(row)
        admins = (set(row.admins or ()) | set(add_admins)) - set(remove_admins)
        row.admins = sorted(admins)
        if not isinstance(summary_channel, Keep):
            row.summary_channel = summary_channel
        if not isinstance(timezone, Keep):
            row.timezone = timezone
        if not isinstance(locale, Keep):
            row.locale = locale
        row.updated_at = now
        row.updated_by = by
        return row


def resolve_config(
    *,
    defaults: WorkspaceConfig,
    own: WorkspaceSettings | None,
    installer: str | None = None,
) -> WorkspaceConfig:
    """A workspace's values: its own where set, else the defaults; its installer is an admin."""
    admins = frozenset(own.admins) if own is not None and own.admins else defaults.admins
    if installer:
        admins = admins | {installer}
    if own is None:
        return WorkspaceConfig(admins, defaults.summary_channel, defaults.timezone, defaults.locale)
    return WorkspaceConfig(
        admins=admins,
        summary_channel=own.summary_channel or defaults.summary_channel,
        timezone=own.timezone or defaults.timezone,
        locale=own.locale or defaults.locale,
    )
