"""Installations: secrets sealed at rest, found again, rotated, and lost keys reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage.crypto import BadSecretKey, SecretBox, UndecryptableSecret, generate_key
from storage.db import Store
from storage.models import Base
from storage.repositories.installations import InstallationRepository
from storage.tenancy_models import Installation, InstallationState

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SECRETS = {
    "bot_token": "xoxb-1111-2222-sealedbottoken",
    "bot_refresh_token": "xoxe-1-sealedrefresh",
    "incoming_webhook_url": "https://hooks.example.test/services/T1/B1/sealedwebhook",
}


def save(store: Store, box: SecretBox, workspace: str = "T1", **secrets: str) -> None:
    with store.unit_of_work() as uow:
        InstallationRepository(uow.session, box).save(
            platform="slack",
            workspace=workspace,
            enterprise=None,
            installer="U-installer",
            details={"name": "Acme", "bot_user_id": "B1"},
            secrets=secrets or SECRETS,
            now=NOW,
        )


def find(store: Store, box: SecretBox | None, workspace: str = "T1"):  # type: ignore[no-untyped-def]
    with store.unit_of_work() as uow:
        return InstallationRepository(uow.session, box).find(platform="slack", workspace=workspace)


def raw_dump(store: Store) -> str:
    """Every row of every table as the database returns it, as one text."""
    out = []
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            out.extend(repr(tuple(r)) for r in conn.execute(text(f"SELECT * FROM {table.name}")))
    return "\n".join(out)


def test_box_seals_opens_and_names_a_bad_key_without_showing_it() -> None:
    box = SecretBox([generate_key()])
    sealed = box.seal("xoxb-secret")
    assert "xoxb" not in sealed and box.open(sealed) == "xoxb-secret"
    with pytest.raises(UndecryptableSecret):
        SecretBox([generate_key()]).open(sealed)
    with pytest.raises(BadSecretKey, match="key 2 of XDEPT_SECRET_KEY") as info:
        SecretBox([generate_key(), "not-a-key-at-all"])
    assert "not-a-key-at-all" not in str(info.value)


def test_secrets_are_never_in_the_database_in_clear(store: Store, tmp_path: Path) -> None:
    box = SecretBox([generate_key()])
    save(store, box)
    dump = raw_dump(store)
    assert "Acme" in dump  # the dump does show the row
    for secret in SECRETS.values():
        assert secret not in dump
        assert secret.split("-")[-1] not in dump
    if store.engine.dialect.name == "sqlite":
        # The file and its write-ahead log, byte for byte.
        path = Path(store.engine.url.database or "")
        data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in SECRETS.values():
            assert secret.encode() not in data
    record = find(store, box)
    assert record is not None and record.active
    assert record.secrets == SECRETS
    assert record.installer == "U-installer"
    assert "sealedbottoken" not in repr(record)


def test_a_reinstall_replaces_the_secrets_and_resumes(store: Store) -> None:
    box = SecretBox([generate_key()])
    save(store, box)
    with store.unit_of_work() as uow:
        InstallationRepository(uow.session, box).forget(
            platform="slack", workspace="T1", names=None, now=NOW, uninstalled=True
        )
    record = find(store, box)
    assert record is not None and record.state is InstallationState.UNINSTALLED
    assert record.secrets == {}
    save(store, box, bot_token="xoxb-new")
    record = find(store, box)
    assert record is not None and record.active and record.secrets == {"bot_token": "xoxb-new"}


def test_forgetting_some_secrets_keeps_the_others(store: Store) -> None:
    box = SecretBox([generate_key()])
    save(store, box, bot_token="xoxb-a", user_token="xoxp-b")
    with store.unit_of_work() as uow:
        InstallationRepository(uow.session, box).forget(
            platform="slack", workspace="T1", names=["user_token"], now=NOW, uninstalled=False
        )
    record = find(store, box)
    assert record is not None and record.active and record.secrets == {"bot_token": "xoxb-a"}


def test_rotation_reseals_under_the_first_key_and_old_keys_can_go(store: Store) -> None:
    old, new = generate_key(), generate_key()
    save(store, SecretBox([old]))
    with store.unit_of_work() as uow:
        report = InstallationRepository(uow.session, SecretBox([new, old])).reseal_all(now=NOW)
    assert report.resealed == ["slack:T1"] and report.unreadable == []
    record = find(store, SecretBox([new]))  # the old key is no longer needed
    assert record is not None and record.secrets == SECRETS


def test_a_token_no_key_opens_marks_the_workspace_and_restoring_the_key_heals_it(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    lost = generate_key()
    save(store, SecretBox([lost]))
    save(store, SecretBox([lost]), workspace="T2")
    other = SecretBox([generate_key()])
    record = find(store, other)
    assert record is not None and record.state is InstallationState.NEEDS_REINSTALL
    assert record.secrets == {}
    assert "marked needs reinstall" in caplog.text
    with store.unit_of_work() as uow:
        rows = uow.session.execute(select(Installation.workspace, Installation.state))
        states = {workspace: state for workspace, state in rows}
    assert states == {"T1": "needs_reinstall", "T2": "active"}
    with store.unit_of_work() as uow:
        report = InstallationRepository(uow.session, other).reseal_all(now=NOW)
    assert report.unreadable == ["slack:T1", "slack:T2"]
    assert any("needs reinstall" in line for line in report.lines())
    # The lost key comes back: the install works again, no reinstall needed.
    record = find(store, SecretBox([lost]))
    assert record is not None and record.active and record.secrets == SECRETS


def test_state_is_read_without_any_key(store: Store) -> None:
    save(store, SecretBox([generate_key()]))
    with store.unit_of_work() as uow:
        repo = InstallationRepository(uow.session, None)
        assert repo.state(platform="slack", workspace="T1") is InstallationState.ACTIVE
        assert repo.state(platform="slack", workspace="T9") is None
        assert [r.workspace for r in repo.all()] == ["T1"]


def test_updated_secrets_merge_into_the_sealed_ones(store: Store) -> None:
    box = SecretBox([generate_key()])
    save(store, box)
    later = NOW + timedelta(hours=1)
    with store.unit_of_work() as uow:
        repo = InstallationRepository(uow.session, box)
        assert repo.update_secrets(
            platform="slack", workspace="T1", secrets={"bot_token": "xoxb-rotated"}, now=later
        )
        assert not repo.update_secrets(
            platform="slack", workspace="T9", secrets={"bot_token": "x"}, now=later
        )
    record = find(store, box)
    assert record is not None
    assert record.secrets == {**SECRETS, "bot_token": "xoxb-rotated"}
    assert record.updated_at == later
