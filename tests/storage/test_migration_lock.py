"""Replicas starting together: three `xdept db upgrade` processes on one fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import alembic_config, current
from tests.conftest import _pg_base_url

ROOT = Path(__file__).resolve().parents[2]
# Each process imports everything first, says so, and upgrades when told: all at once.
RACER = """
import sys
from bot.cli import main
print("ready", flush=True)
sys.stdin.readline()
sys.exit(main(["db", "upgrade"]))
"""


def _race(url: str, processes: int = 3) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    running = [
        subprocess.Popen(
            [sys.executable, "-c", RACER],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for process in running:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    for process in running:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    done = []
    for process in running:
        out, err = process.communicate(timeout=180)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def _head(url: str) -> str:
    engine = make_engine(url)
    try:
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        assert head is not None
        return head
    finally:
        engine.dispose()


def test_three_replicas_migrate_a_fresh_postgresql_schema_at_once() -> None:
    base = _pg_base_url()
    schema = f"xdept_race_{os.getpid()}"
    try:
        admin = make_engine(base, pool_size=1, max_overflow=0)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - same rule as the other PostgreSQL fixtures
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        results = _race(url)
        for result in results:
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
        engine = make_engine(url)
        assert current(engine) == _head(url)
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_three_replicas_migrate_a_fresh_sqlite_file_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    for result in _race(url):
        assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    assert current(engine) == _head(url)
    engine.dispose()
