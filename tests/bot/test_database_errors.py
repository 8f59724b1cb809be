"""A database that is down or a URL that is wrong: one clear line, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from storage.crypto import generate_key
from storage.failures import describe_database_error, display_url

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-db-pass"
# Every command that touches the database.
COMMANDS = [
    ["db", "upgrade"],
    ["serve"],
    ["socket"],
    ["scheduler", "run-once"],
    ["workspace", "list"],
    ["workspace", "purge", "T1", "--yes"],
    ["secret-key", "rotate"],
]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_all(commands: list[list[str]], url: str) -> list[subprocess.CompletedProcess[str]]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-0-unused",
        "SLACK_SIGNING_SECRET": "unused-signing-secret",
        "SLACK_APP_TOKEN": "xapp-0-unused",
        "SLACK_API_URL": f"http://127.0.0.1:{_closed_port()}/api/",
        "XDEPT_SECRET_KEY": generate_key(),
    }
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *command],
            cwd="/tmp",
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    done = []
    for process in running:
        out, err = process.communicate(timeout=240)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def _one_clear_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    name = " ".join(str(a) for a in result.args[3:])
    assert result.returncode not in (0, None), name
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"{name}: {result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    assert PASSWORD not in result.stderr + result.stdout
    for text in expected:
        assert text in lines[0], f"{name}: {lines[0]}"


@pytest.mark.slow  # a process per command
def test_every_command_with_the_database_down_says_so_in_one_line() -> None:
    port = _closed_port()
    url = f"postgresql://xdept:{PASSWORD}@127.0.0.1:{port}/xdept"
    for result in _run_all(COMMANDS + [["demo", "--db", url]], url):
        _one_clear_line(result, "cannot use the database", f"127.0.0.1:{port}/xdept")
        assert "connection refused" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a database URL xdept can use"),
        ("mysql://root:" + PASSWORD + "@127.0.0.1/x", "xdept runs on SQLite or PostgreSQL"),
        ("sqlite:////nonexistent-folder/xdept.db", "cannot open the file"),
    ],
)
def test_a_wrong_url_is_one_line_naming_it(url: str, expected: str) -> None:
    (result,) = _run_all([["db", "upgrade"]], url)
    _one_clear_line(result, expected)


def test_the_message_names_the_database_without_its_password() -> None:
    url = f"postgres://xdept:{PASSWORD}@db.internal:5432/xdept"
    assert PASSWORD not in display_url(url) and "db.internal:5432/xdept" in display_url(url)
    assert PASSWORD not in display_url(f"weird://u:{PASSWORD}@h/")
    assert describe_database_error(ValueError("unrelated"), url) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to switch to another user")
def test_a_folder_the_user_cannot_write_is_one_line() -> None:
    # Under /tmp itself (pytest's own folders are closed to other users), root's, 0755.
    with tempfile.TemporaryDirectory(prefix="xdept-locked-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        _upgrade_as_nobody(folder)


def _upgrade_as_nobody(folder: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(ROOT)}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'xdept.db'}"
    done = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        + [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd="/tmp",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "cannot open the file" in done.stderr
