"""Installations: who installed the app where, with its secrets sealed at rest.

Every token, refresh token and webhook URL of an install is one JSON object,
encrypted with the SecretBox before it reaches the database and opened only
on the way out. A secret that no configured key opens marks its workspace
"needs reinstall" rather than failing the caller.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.crypto import SecretBox, UndecryptableSecret
from storage.repositories.base import Repository
from storage.tenancy_models import Installation, InstallationState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstallationRecord:
    """One installation as the platform adapter needs it (secrets already opened)."""

    platform: str
    workspace: str
    enterprise: str | None
    installer: str | None
    state: InstallationState
    details: dict[str, Any]
    installed_at: datetime
    updated_at: datetime
    # Never in a repr: records end up in log lines and tracebacks.
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def active(self) -> bool:
        """True when the bot may act here."""
        return self.state is InstallationState.ACTIVE


@dataclass(frozen=True)
class ResealReport:
    """What `secret-key rotate` did."""

    resealed: list[str]
    unreadable: list[str]
    restored: list[str]

    def lines(self) -> list[str]:
        """A short account for the terminal."""
        out = [f"re-encrypted the secrets of {len(self.resealed)} installation(s), first key"]
        if self.restored:
            out.append("readable again, marked active: " + ", ".join(self.restored))
        if self.unreadable:
            out.append(
                "no key opens the secrets of: "
                + ", ".join(self.unreadable)
                + " (marked needs reinstall: install the app there again)"
            )
        return out


class InstallationRepository(Repository):
    """Installations in one transaction (the unit of work commits)."""

    def __init__(self, session: Session, box: SecretBox | None) -> None:
        super().__init__(session)
        self.box = box

    def _box(self) -> SecretBox:
        if self.box is None:
            raise RuntimeError("no XDEPT_SECRET_KEY: installations' secrets cannot be used")
        return self.box

    def save(
        self,
        *,
        platform: str,
        workspace: str,
        enterprise: str | None,
        installer: str | None,
        details: Mapping[str, Any],
        secrets: Mapping[str, str | None],
        now: datetime,
    ) -> None:
        """Record an install (new, or again after a removal): active, secrets sealed."""
        sealed = self._seal(secrets)
        values: dict[str, Any] = {
            "platform": platform,
            "workspace": workspace,
            "enterprise": enterprise,
            "state": InstallationState.ACTIVE.value,
            "installer": installer,
            "details": dict(details),
            "secrets": sealed,
            "installed_at": now,
            "updated_at": now,
        }
        maker = pg_insert if self._is_postgres else sqlite_insert
        stmt = maker(Installation).values(**values)
        changed = {k: stmt.excluded[k] for k in values if k not in ("platform", "workspace")}
        # One statement, so two replicas finishing installs of one workspace cannot clash.
        self.session.execute(
            stmt.on_conflict_do_update(index_elements=["platform", "workspace"], set_=changed)
        )

    def update_secrets(
        self,
        *,
        platform: str,
        workspace: str,
        secrets: Mapping[str, str | None],
        details: Mapping[str, Any] | None = None,
        now: datetime,
    ) -> bool:
        """Replace some secrets and details (refreshed tokens); False if not installed."""
        current = self.find(platform=platform, workspace=workspace)
        if current is None or not current.active:
            return False
        merged: dict[str, str | None] = {**current.secrets, **secrets}
        self.session.execute(
            update(Installation)
            .where(Installation.platform == platform, Installation.workspace == workspace)
            .values(
                secrets=self._seal(merged),
                details={**current.details, **(details or {})},
                updated_at=now,
            )
        )
        return True

    def find(self, *, platform: str, workspace: str) -> InstallationRecord | None:
        """The installation, secrets opened; one that no key opens is marked and has none."""
        row = self._row(platform, workspace)
        if row is None:
            return None
        secrets: dict[str, str] = {}
        state = InstallationState(row.state)
        if row.secrets is not None and state is not InstallationState.UNINSTALLED:
            secrets, state = self._open(row, state)
        return InstallationRecord(
            platform=row.platform,
            workspace=row.workspace,
            enterprise=row.enterprise,
            installer=row.installer,
            state=state,
            details=dict(row.details or {}),
            installed_at=row.installed_at,
            updated_at=row.updated_at,
            secrets=secrets,
        )

    def _open(
        self, row: Installation, state: InstallationState
    ) -> tuple[dict[str, str], InstallationState]:
        assert row.secrets is not None
        try:
            secrets: dict[str, str] = json.loads(self._box().open(row.secrets))
        except UndecryptableSecret:
            if state is InstallationState.ACTIVE:
                row.state = InstallationState.NEEDS_REINSTALL.value
                log.warning(
                    "no configured XDEPT_SECRET_KEY opens the stored token of %s workspace %s: "
                    "marked needs reinstall (restore the old key, or install the app again)",
                    row.platform,
                    row.workspace,
                )
            return {}, InstallationState.NEEDS_REINSTALL
        if state is InstallationState.NEEDS_REINSTALL:
            # The key that sealed it is configured again: the install works as before.
            row.state = InstallationState.ACTIVE.value
            log.info("%s workspace %s: its token opens again, active", row.platform, row.workspace)
        return secrets, InstallationState.ACTIVE

    def forget(
        self,
        *,
        platform: str,
        workspace: str,
        names: Collection[str] | None,
        now: datetime,
        uninstalled: bool,
    ) -> bool:
        """Drop the named secrets (None: all); `uninstalled` stops the workspace at once.

        True when this is what stopped it (it was not uninstalled before).
        """
        row = self._row(platform, workspace)
        if row is None:
            return False
        stopped = uninstalled and row.state != InstallationState.UNINSTALLED.value
        remaining: dict[str, str] = {}
        if names is not None and row.secrets is not None:
            try:
                opened = json.loads(self._box().open(row.secrets))
                remaining = {k: v for k, v in opened.items() if k not in names}
            except UndecryptableSecret:
                remaining = {}
        row.secrets = self._seal(remaining) if remaining else None
        if uninstalled:
            row.state = InstallationState.UNINSTALLED.value
        row.updated_at = now
        return stopped

    def installer(self, *, platform: str, workspace: str) -> str | None:
        """Who installed the app in the workspace (an admin there by right), if anyone did."""
        return self.session.scalar(
            select(Installation.installer).where(
                Installation.platform == platform, Installation.workspace == workspace
            )
        )

    def state(self, *, platform: str, workspace: str) -> InstallationState | None:
        """The workspace's installation state, without opening anything."""
        value = self.session.scalar(
            select(Installation.state).where(
                Installation.platform == platform, Installation.workspace == workspace
            )
        )
        return InstallationState(value) if value is not None else None

    def all(self) -> list[Installation]:
        """Every installation row (sealed), by platform and workspace."""
        return list(
            self.session.scalars(
                select(Installation).order_by(Installation.platform, Installation.workspace)
            )
        )

    def reseal_all(self, *, now: datetime) -> ResealReport:
        """Encrypt every stored secret under the first key; mark the ones no key opens."""
        box = self._box()
        report = ResealReport(resealed=[], unreadable=[], restored=[])
        rows = self.session.scalars(
            select(Installation)
            .where(Installation.secrets.is_not(None))
            .order_by(Installation.id)
            .with_for_update()
        )
        for row in rows:
            name = f"{row.platform}:{row.workspace}"
            assert row.secrets is not None
            try:
                row.secrets = box.reseal(row.secrets)
            except UndecryptableSecret:
                if row.state != InstallationState.NEEDS_REINSTALL.value:
                    row.state = InstallationState.NEEDS_REINSTALL.value
                    row.updated_at = now
                report.unreadable.append(name)
                continue
            if row.state == InstallationState.NEEDS_REINSTALL.value:
                # An old key was put back: the install works again.
                row.state = InstallationState.ACTIVE.value
                report.restored.append(name)
            row.updated_at = now
            report.resealed.append(name)
        return report

    def delete(self, *, platform: str, workspace: str) -> int:
        """Remove the installation row (a purge); how many rows went."""
        result = self.session.execute(
            delete(Installation).where(
                Installation.platform == platform, Installation.workspace == workspace
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _row(self, platform: str, workspace: str) -> Installation | None:
        return self.session.scalar(
            select(Installation).where(
                Installation.platform == platform, Installation.workspace == workspace
            )
        )

    def _seal(self, secrets: Mapping[str, str | None]) -> str | None:
        present = {k: v for k, v in secrets.items() if v}
        if not present:
            return None
        return self._box().seal(json.dumps(present, sort_keys=True))
