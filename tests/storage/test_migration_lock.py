"""Replicas starting together: three `xdept db upgrade` processes on one fresh database.

Without the migration lock, PostgreSQL fails here (two processes create the same
tables); SQLite's write lock serialises them anyway.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.db import make_engine
from storage.migrate import alembic_config, current

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


def test_three_replicas_migrate_a_fresh_database_at_once(empty_url: str) -> None:
    for result in _race(empty_url):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    engine = make_engine(empty_url)
    assert current(engine) == _head(empty_url)
    engine.dispose()
