"""The Docker image and compose.yaml, checked without a Docker daemon.

The files are parsed and held to what operators rely on; the image's command
then runs as an unprivileged user with the image's own settings, its data
folder standing in for /data.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.web_api import json_api

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "handlers", "storage", "scheduler")
NOBODY = 65534


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    args: str


def dockerfile() -> list[Instruction]:
    """The Dockerfile's instructions, in order."""
    out: list[Instruction] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip()))
    return out


def image_env() -> dict[str, str]:
    """The ENV the image sets (KEY=value pairs)."""
    env: dict[str, str] = {}
    for ins in dockerfile():
        if ins.keyword == "ENV":
            for pair in shlex.split(ins.args):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def _index(instructions: list[Instruction], keyword: str, pattern: str) -> int:
    for number, ins in enumerate(instructions):
        if ins.keyword == keyword and re.search(pattern, ins.args):
            return number
    raise AssertionError(f"no {keyword} matching {pattern!r} in the Dockerfile")


def test_the_dependency_layer_is_built_from_pyproject_alone() -> None:
    steps = dockerfile()
    assert steps[0].keyword == "FROM" and re.match(r"python:3\.1[1-9]", steps[0].args)
    pyproject = _index(steps, "COPY", r"^pyproject\.toml ")
    deps = _index(steps, "RUN", r"pip install -r")
    code = min(_index(steps, "COPY", rf"^{name} ") for name in SOURCES)
    install = _index(steps, "RUN", r"pip install --no-deps \.")
    assert pyproject < deps < code < install
    copied_before_deps = [s.args.split()[0] for s in steps[:deps] if s.keyword == "COPY"]
    assert copied_before_deps == ["pyproject.toml"]
    # The step's own command, run as the image's shell runs it, lists exactly the
    # project's dependencies and the postgres extra.
    command = steps[deps].args.split(" > ")[0]
    listed = subprocess.run(
        ["sh", "-c", command.replace("python ", f"{sys.executable} ", 1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert listed == project["dependencies"] + project["optional-dependencies"]["postgres"]


def test_the_image_runs_unprivileged_with_a_writable_default_database() -> None:
    steps = dockerfile()
    user = [s.args for s in steps if s.keyword == "USER"]
    assert user and user[-1] not in ("root", "0")
    path = Path(image_env()["DATABASE_URL"].removeprefix("sqlite:///"))
    folder = str(path.parent)
    volumes = [json.loads(s.args) for s in steps if s.keyword == "VOLUME"]
    assert [folder] in volumes
    setup = " ".join(s.args for s in steps if s.keyword == "RUN")
    assert re.search(rf"mkdir (-p )?{folder}\b", setup)
    assert re.search(rf"chown {user[-1]}:{user[-1]} {folder}\b", setup)
    assert re.search(rf"useradd .*\b{user[-1]}\b", setup)
    assert "fonts-noto-cjk" in setup
    assert json.loads(steps[-1].args) == ["xdept", "serve"] and steps[-1].keyword == "CMD"


def test_everything_copied_is_in_the_build_context_and_secrets_are_not() -> None:
    ignored = [p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and p[0] != "#"]
    for pattern in (".env", ".venv", ".git", "*.db"):
        assert pattern in ignored
    for ins in dockerfile():
        if ins.keyword == "COPY":
            source = ins.args.split()[0]
            assert (ROOT / source).exists(), source
            assert not any(fnmatch.fnmatch(source, p) for p in ignored), source


def test_compose_runs_the_app_a_worker_and_postgresql_with_healthchecks() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) >= {"app", "worker", "db"}
    app, worker, db = services["app"], services["worker"], services["db"]
    assert app["build"] == "." and worker["image"] == app["image"]
    assert app["command"] == ["xdept", "serve"] and worker["command"] == ["xdept", "worker"]
    assert "/readyz" in " ".join(app["healthcheck"]["test"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    for service in (app, worker):
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        url = service["environment"]["DATABASE_URL"]
        assert re.fullmatch(r"postgresql://xdept:\$\{POSTGRES_PASSWORD:-xdept\}@db:5432/xdept", url)
        assert service["env_file"] == [{"path": ".env", "required": False}]
    assert db["environment"]["POSTGRES_USER"] == "xdept"
    assert db["environment"]["POSTGRES_DB"] == "xdept"
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert app["ports"] == ["${PORT:-3000}:3000"] and app["environment"]["PORT"] == "3000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def web_api() -> Iterator[str]:
    """Enough of Slack's Web API for a server to start: auth.test, and ok for the rest."""
    answer = {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1"}
    with json_api(lambda *_: answer) as url:
        yield url


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except OSError:
        return 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to switch to another user")
def test_the_image_command_serves_as_an_unprivileged_user(web_api: str) -> None:
    """CMD with the image's ENV, as a user that owns only the data folder."""
    # Under /tmp itself: pytest's own folders are closed to other users.
    with tempfile.TemporaryDirectory(prefix="xdept-image-") as folder:
        root = Path(folder)
        root.chmod(0o755)
        _serve_as_nobody(root, web_api)


def _serve_as_nobody(tmp_path: Path, web_api: str) -> None:
    data = tmp_path / "data"  # stands in for /data, owned by the image's user
    data.mkdir()
    os.chown(data, NOBODY, NOBODY)
    workdir = tmp_path / "app"  # stands in for /app: root's, not writable
    workdir.mkdir(mode=0o755)
    env = image_env()
    folder = str(Path(env["DATABASE_URL"].removeprefix("sqlite:///")).parent)
    env["DATABASE_URL"] = env["DATABASE_URL"].replace(folder, str(data), 1)
    env["PORT"] = str(_free_port())
    env.update(
        PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin",
        HOME=str(workdir),
        SLACK_BOT_TOKEN="xoxb-0-image-test",
        SLACK_SIGNING_SECRET="image-test-signing-secret",
        SLACK_API_URL=web_api,
        GUNICORN_CMD_ARGS="--workers 1 --threads 2",  # tuned the usual way
    )
    cmd = json.loads(dockerfile()[-1].args)
    process = subprocess.Popen(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    log: list[str] = []
    assert process.stderr is not None
    threading.Thread(target=lambda: log.extend(process.stderr or []), daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        while _get(f"http://127.0.0.1:{env['PORT']}/healthz") != 200:
            assert process.poll() is None, "".join(log)
            assert time.monotonic() < deadline, "".join(log)
            time.sleep(0.5)
        database = data / Path(env["DATABASE_URL"]).name
        assert database.exists() and database.stat().st_uid == NOBODY
        assert list(workdir.iterdir()) == []  # nothing written where it may not write
        time.sleep(1)
        # GUNICORN_CMD_ARGS's one HTTP worker, and the inbox process beside it.
        assert "".join(log).count("Booting worker") == 2
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    assert "Traceback" not in "".join(log)
