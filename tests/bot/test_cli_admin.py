"""`xdept workspace list|purge` and `xdept secret-key [rotate]` as an operator runs them."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from storage.crypto import SecretBox, generate_key
from storage.db import Store
from storage.purge import workspace_rows
from storage.repositories.installations import InstallationRepository
from storage.tenancy_models import InstallationState
from tests.storage.rows import fill, totals

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A migrated SQLite database that `xdept` finds through DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    store = Store.from_url(url)
    yield store
    store.dispose()


def _install(store: Store, box: SecretBox, workspace: str, name: str) -> None:
    with store.unit_of_work() as uow:
        InstallationRepository(uow.session, box).save(
            platform="slack",
            workspace=workspace,
            enterprise=None,
            installer=f"U-{workspace}",
            details={"name": name},
            secrets={"bot_token": f"xoxb-{workspace}-token"},
            now=NOW,
        )


def _rows(store: Store, workspace: str) -> dict[str, int]:
    with store.unit_of_work() as uow:
        return workspace_rows(uow.session, platform="slack", external_id=workspace)


def test_secret_key_prints_a_fresh_fernet_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["secret-key"]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["secret-key"]) == 0
    second = capsys.readouterr().out.strip()
    assert first != second
    SecretBox([first, second])  # both are keys the box accepts


def test_workspace_list_shows_each_workspace_and_its_state(
    db: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate_key()
    monkeypatch.setenv("XDEPT_SECRET_KEY", key)
    box = SecretBox([key])
    with db.engine.begin() as conn:
        fill(conn, "slack", "T-ENV")  # served with a token from the environment:
    with db.unit_of_work() as uow:  # no installation
        InstallationRepository(uow.session, box).delete(platform="slack", workspace="T-ENV")
    _install(db, box, "T-A", "Team A")
    _install(db, box, "T-B", "Team B")
    _install(db, SecretBox([generate_key()]), "T-C", "Team C")  # under a key since lost
    with db.unit_of_work() as uow:
        repo = InstallationRepository(uow.session, box)
        repo.forget(platform="slack", workspace="T-B", names=None, now=NOW, uninstalled=True)
        repo.find(platform="slack", workspace="T-C")
    capsys.readouterr()
    assert main(["workspace", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "PLATFORM",
        "WORKSPACE",
        "NAME",
        "STATE",
        "INSTALLED",
        "BY",
        "ITEMS",
    ]
    by_id = {line.split()[1]: line for line in lines[1:]}
    assert "Team A" in by_id["T-A"] and "active" in by_id["T-A"] and "U-T-A" in by_id["T-A"]
    assert "uninstalled" in by_id["T-B"]
    assert "needs reinstall" in by_id["T-C"]
    assert "no install" in by_id["T-ENV"] and by_id["T-ENV"].split()[-1] == "1"


def test_purge_with_yes_deletes_one_workspace_and_leaves_the_others(
    db: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.engine.begin() as conn:
        fill(conn, "slack", "T-A")
        fill(conn, "slack", "T-B")
        before = totals(conn)
    kept = _rows(db, "T-B")
    assert main(["workspace", "purge", "T-A", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("purged slack workspace T-A:") and "1 items" in out
    assert _rows(db, "T-A") == {}
    assert _rows(db, "T-B") == kept
    with db.engine.connect() as conn:
        after = totals(conn)
    assert sum(before.values()) - sum(after.values()) == sum(kept.values())


def _purge_in_subprocess(workspace: str, stdin: int | None, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "workspace", "purge", workspace, *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_purge_without_a_terminal_or_yes_refuses_and_deletes_nothing(db: Store) -> None:
    with db.engine.begin() as conn:
        fill(conn, "slack", "T-A")
    before = _rows(db, "T-A")
    process = _purge_in_subprocess("T-A", None)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    message = err.decode()
    assert message.count("\n") == 1 and "without confirmation" in message and "--yes" in message
    assert _rows(db, "T-A") == before


def test_purge_on_a_terminal_asks_and_the_typed_id_confirms(db: Store) -> None:
    with db.engine.begin() as conn:
        fill(conn, "slack", "T-A")
        fill(conn, "slack", "T-B")
    kept = _rows(db, "T-B")
    controller, terminal = pty.openpty()
    process = _purge_in_subprocess("T-A", terminal)
    os.close(terminal)
    os.write(controller, b"T-A\n")
    out, err = process.communicate(timeout=120)
    os.close(controller)
    assert process.returncode == 0, err.decode()
    assert b"Type T-A to confirm" in out and b"purged slack workspace T-A" in out
    assert _rows(db, "T-A") == {}
    assert _rows(db, "T-B") == kept


def test_purge_on_a_terminal_with_another_answer_deletes_nothing(db: Store) -> None:
    with db.engine.begin() as conn:
        fill(conn, "slack", "T-A")
    before = _rows(db, "T-A")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    from bot import cli_admin
    from bot.cli import _parser
    from bot.config import load_settings

    args = _parser().parse_args(["workspace", "purge", "T-A"])
    out, err = io.StringIO(), io.StringIO()
    status = cli_admin.run(args, load_settings(), stdin=Terminal("yes\n"), stdout=out, stderr=err)
    assert status == 2 and "not confirmed" in err.getvalue()
    assert _rows(db, "T-A") == before


def test_purging_an_unknown_workspace_says_so(
    db: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workspace", "purge", "T-NOPE", "--yes"]) == 1
    assert "no workspace T-NOPE is known" in capsys.readouterr().err


def test_rotate_reencrypts_under_the_new_key_and_reports_lost_ones(
    db: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = generate_key(), generate_key()
    _install(db, SecretBox([old]), "T-A", "Team A")
    _install(db, SecretBox([generate_key()]), "T-B", "Team B")  # its key is gone
    monkeypatch.setenv("XDEPT_SECRET_KEY", f"{new},{old}")
    assert main(["secret-key", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "re-encrypted the secrets of 1 installation(s)" in out
    assert "slack:T-B" in out and "needs reinstall" in out
    with db.unit_of_work() as uow:
        repo = InstallationRepository(uow.session, SecretBox([new]))
        record = repo.find(platform="slack", workspace="T-A")
        assert record is not None and record.secrets == {"bot_token": "xoxb-T-A-token"}
        assert repo.state(platform="slack", workspace="T-B") is InstallationState.NEEDS_REINSTALL
