"""Processes as a person runs them, for the slow tests: `xdept serve`, `xdept worker`.

Each runs as a subprocess against a fake Slack in this process and a database
of its own (a fresh PostgreSQL schema, or a SQLite file), with its log read
by a thread so a test can wait for a line.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import ProxyHandler, build_opener

import pytest
from sqlalchemy import text

from bot.bootstrap import bootstrap
from bot.context import Actor, Context
from handlers.console.messenger import RecordingMessenger
from handlers.slack.escapes import neutral_text
from storage.db import make_engine
from tests.conftest import _pg_base_url, make_settings
from tests.fakes.slack import FakeSlack
from tests.handlers.slack.conftest import (
    ADMIN,
    LOGISTICS,
    SECRET,
    TOKEN,
    WANG,
    ZHAO,
    seed_workspace,
)

_schemas = itertools.count()
_opener = build_opener(ProxyHandler({}))


def free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_status(url: str) -> int:
    """The status of a GET (0 when nothing answers)."""
    try:
        with _opener.open(url, timeout=5) as response:
            return int(response.status)
    except HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


class Xdept:
    """One `xdept` command in a subprocess, its stderr collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()

    @property
    def pid(self) -> int:
        """The command's own process."""
        return self.process.pid

    def wait_for(
        self, pattern: str, *, count: int = 1, timeout: float = 60.0
    ) -> list[re.Match[str]]:
        """Wait until `count` log lines match `pattern`; their matches."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for line in self.lines if (m := regex.search(line))]
                if len(found) >= count:
                    return found
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"xdept {self.args} exited:\n{self.log()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {count} lines like {pattern!r}:\n{self.log()}")
                self._cond.wait(left)

    def log(self) -> str:
        """Everything it logged so far."""
        with self._cond:
            return "".join(self.lines)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> int:
        """Send `sig` and wait for it to exit; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code


def child_pids(pid: int) -> set[int]:
    """The live child processes of `pid`."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return set()
    return {int(c) for c in children}


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next((line for line in status.splitlines() if line.startswith("State:")), "")
    return "zombie" not in state


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack with a small company in it."""
    # Stamped in real time, so a stale claim's look through the history finds its message.
    with FakeSlack(ts_base=int(time.time())) as fake:
        seed_workspace(fake)
        yield fake


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: a fresh PostgreSQL schema, or a SQLite file."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'slow.db'}"
        return
    base = _pg_base_url()
    schema = f"xdept_slow_{os.getpid()}_{next(_schemas)}"
    admin = make_engine(base, pool_size=1, max_overflow=0)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - same rule as the other PostgreSQL fixtures
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def environment(database: str, slack: FakeSlack, **extra: str) -> dict[str, str]:
    """What `xdept` reads from its environment in these tests."""
    return {
        **os.environ,
        "DATABASE_URL": database,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "XDEPT_TIMEZONE": "Asia/Shanghai",
        "XDEPT_ADMINS": "",
        "XDEPT_LOCALE": "en",
        **extra,
    }


def add_logistics(database: str) -> None:
    """Migrate the database and register the logistics department."""
    settings = make_settings(database_url=database)
    app = bootstrap(settings, messenger=RecordingMessenger())
    try:
        ctx = Context(
            platform="slack",
            workspace="T1",
            actor=Actor(user_id=ADMIN, is_admin=True),
            now=datetime.now(UTC),
        )
        command = neutral_text(
            f"dept add logistics <#{LOGISTICS}|logistics> lead:<@{WANG}|wang> "
            f"escalate:<@{ZHAO}|zhao>"
        )
        reply = app.core.run_command(ctx, command.text, mentions=command.mentions)
        assert "added" in reply.plain(), reply.plain()
    finally:
        app.store.dispose()
