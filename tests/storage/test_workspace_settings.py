"""Each workspace's own admins, summary channel, zone and language over the defaults."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Store
from storage.repositories.workspace_settings import (
    WorkspaceConfig,
    WorkspaceSettingsRepository,
    resolve_config,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DEFAULTS = WorkspaceConfig(
    admins=frozenset({"U-ENV"}), summary_channel=None, timezone="UTC", locale="en"
)


def _workspace(store: Store, external_id: str) -> int:
    with store.unit_of_work() as uow:
        return uow.workspaces.get_or_create("slack", external_id, now=NOW, timezone="UTC").id


def test_a_workspace_without_settings_runs_on_the_defaults_and_its_installer(store: Store) -> None:
    ws = _workspace(store, "T1")
    with store.unit_of_work() as uow:
        own = WorkspaceSettingsRepository(uow.session).get(ws)
    assert own is None
    assert resolve_config(defaults=DEFAULTS, own=own) == DEFAULTS
    config = resolve_config(defaults=DEFAULTS, own=own, installer="U-INSTALLER")
    assert config.admins == {"U-ENV", "U-INSTALLER"}


def test_set_changes_only_what_it_is_given(store: Store) -> None:
    ws, other = _workspace(store, "T1"), _workspace(store, "T2")
    with store.unit_of_work() as uow:
        repo = WorkspaceSettingsRepository(uow.session)
        repo.set(ws, now=NOW, by="U-ADMIN", summary_channel="C-SUM", add_admins=["U-A", "U-B"])
    with store.unit_of_work() as uow:
        repo = WorkspaceSettingsRepository(uow.session)
        repo.set(
            ws, now=NOW, by="U-A", timezone="Asia/Shanghai", locale="zh", remove_admins=["U-B"]
        )
    with store.unit_of_work() as uow:
        repo = WorkspaceSettingsRepository(uow.session)
        own = repo.get(ws)
        assert own is not None and own.updated_by == "U-A"
        config = resolve_config(defaults=DEFAULTS, own=own, installer="U-INSTALLER")
        assert repo.get(other) is None
    # Its own admins replace XDEPT_ADMINS; the installer stays an admin.
    assert config == WorkspaceConfig(
        admins=frozenset({"U-A", "U-INSTALLER"}),
        summary_channel="C-SUM",
        timezone="Asia/Shanghai",
        locale="zh",
    )


def test_none_clears_a_value_back_to_the_default(store: Store) -> None:
    ws = _workspace(store, "T1")
    with store.unit_of_work() as uow:
        WorkspaceSettingsRepository(uow.session).set(ws, now=NOW, by=None, summary_channel="C1")
    with store.unit_of_work() as uow:
        repo = WorkspaceSettingsRepository(uow.session)
        repo.set(ws, now=NOW, by=None, summary_channel=None)
        config = resolve_config(defaults=DEFAULTS, own=repo.get(ws))
    assert config.summary_channel is None and config.admins == DEFAULTS.admins
