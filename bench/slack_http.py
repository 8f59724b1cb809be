"""Slack HTTP benchmark: signed slash commands against `xdept serve`, next to a bare Bolt app.

Run from the repository root:
    python -m bench.slack_http [--rounds 3] [--requests 100,500,1000] [--commands ask,list]

Both servers run behind the same gunicorn settings (gthread, 2 workers x 8
threads: the options of `xdept serve`'s HTTP workers), on 127.0.0.1. The bare
app's command handler only acknowledges: it is the floor. `xdept serve` runs
as a person runs it (its HTTP workers store each command in the inbox before
they acknowledge; its inbox process works the rows), with PostgreSQL from
XDEPT_BENCH_DATABASE_URL (default the local `test` database) in a schema of
its own. The fake Slack Web API runs in a process of its own at a low CPU
priority: it stands in for a remote service.

The two servers take turns, round after round (the one that goes first
alternates), each started alone, warmed up, measured at concurrency 1, 10 and
50 for every command, its memory read, and stopped: one after the other on a
shared machine the ratio swings too much to mean anything. Each request is a
new connection, signed as Slack signs it; the ack latency is the time to the
HTTP answer. Memory is the summed PSS (/proc/<pid>/smaps_rollup) of the
server's processes after the load. Prints JSON with every round's figures and
the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "xdept_bench_slack"
USERS = [f"U{n:04d}" for n in range(50)]
LEAD = "ULEAD"
WORKERS, THREADS = 2, 8
FAKE_NICENESS = 15
COMMANDS = {
    "list": "list",
    "ask": "ask @logistics please count the pallets in bay {n} by Friday 5pm",
}


# -- the fake Slack, in its own process -------------------------------------------------------


def _fake_slack(conn: Connection) -> None:
    """Serve a FakeSlack until told to stop; answer counts over the pipe."""
    from tests.fakes.slack import FakeSlack

    # Slack is a remote service: its stand-in must not take CPU from the servers measured.
    os.nice(FAKE_NICENESS)
    with FakeSlack() as slack:
        for user in [*USERS, LEAD]:
            slack.add_user(user, user.lower(), tz="Asia/Shanghai")
        slack.add_channel("CLOG", "logistics")
        slack.add_channel("CGEN", "general")
        conn.send({"api_url": slack.api_url, "response_url": slack.response_url("bench")})
        while True:
            command = conn.recv()
            if command == "stop":
                conn.send(len(slack.errors))
                return
            conn.send(len(slack.response_posts("bench")))  # "responses"


class FakeSlackProcess:
    """Start, query and stop the fake Slack process."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_fake_slack, args=(child,), daemon=True)
        self._process.start()
        urls = self._conn.recv()
        self.api_url: str = urls["api_url"]
        self.response_url: str = urls["response_url"]

    def ask(self, command: str) -> int:
        """How many replies reached the fake ("responses")."""
        self._conn.send(command)
        return int(self._conn.recv())

    def stop(self) -> int:
        """Stop it; returns how many errors it recorded."""
        self._conn.send("stop")
        errors = int(self._conn.recv())
        self._process.join(timeout=10)
        return errors


# -- the servers ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_floor_server(port: int, api_url: str) -> int:
    """The floor: a bare Bolt app whose command handler only acks, behind the same gunicorn."""
    from gunicorn.app.base import BaseApplication
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from handlers.runtime.gunicorn import apply_options, gunicorn_options

    class Floor(BaseApplication):
        def load_config(self) -> None:
            options = gunicorn_options(
                host="127.0.0.1", port=port, workers=WORKERS, threads=THREADS
            )
            apply_options(self.cfg, options)

        def load(self) -> Any:
            bolt = App(
                client=WebClient(token=TOKEN, base_url=api_url),
                signing_secret=SECRET,
                process_before_response=True,
                token_verification_enabled=False,
            )

            @bolt.command("/xdept")
            def only_ack(ack: Ack) -> None:
                ack()

            return SlackRequestHandler(bolt)

    Floor().run()
    return 0


def _wait_healthy(port: int, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status in (200, 404, 405):
                return
        except OSError:
            pass
        time.sleep(0.1)  # a server starting up; nothing to wait on but the clock
    raise RuntimeError("the server did not start within 60 s")


def start_server(
    kind: str, port: int, fake: FakeSlackProcess, db_url: str
) -> subprocess.Popen[bytes]:
    """Start `xdept serve` or the floor in a subprocess; returns once it answers."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "XDEPT_TIMEZONE": "Asia/Shanghai",
        "XDEPT_ADMINS": "",
    }
    if kind == "xdept":
        args = f"-m bot.cli serve --host 127.0.0.1 --port {port} --workers {WORKERS} "
        args += f"--threads {THREADS} --no-scheduler"
        health = "/healthz"
    else:
        args = f"-m bench.slack_http floor-server --port {port} --api-url {fake.api_url}"
        health = "/slack/events"
    command = [sys.executable, *args.split()]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_healthy(port, process, health)
    return process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Ask gunicorn to stop and wait for it."""
    process.terminate()
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- load -------------------------------------------------------------------------------------


def _signed_command(text_: str, user: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    from tests.fakes.slack import new_trigger_id, sign, slash_command_body

    body = slash_command_body(
        text_,
        user_id=user,
        channel_id="CGEN",
        response_url=response_url,
        trigger_id=new_trigger_id(),
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Connection": "close",
        **sign(SECRET, body, int(time.time())),
    }
    return body.encode(), headers


def _one(port: int, body: bytes, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
    finally:
        conn.close()
    return time.perf_counter() - started


def run_load(
    port: int,
    *,
    concurrency: int,
    requests: int,
    make: Callable[[int], tuple[bytes, dict[str, str]]],
) -> dict[str, Any]:
    """`requests` signed commands from `concurrency` clients; latency and throughput."""
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            body, headers = make(n)
            try:
                latencies.append(_one(port, body, headers))
            except Exception as exc:  # counted and reported, the run goes on
                errors.append(repr(exc))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(client)
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "concurrency": concurrency,
        "requests": requests,
        "errors": len(errors),
        "requests_per_s": round(len(latencies) / wall, 1),
        "ack_ms_p50": round(statistics.median(ordered) * 1000, 2),
        "ack_ms_p99": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 2),
    }


# -- the run ----------------------------------------------------------------------------------


def _prepare_database(base: str) -> str:
    """A fresh schema for xdept, migrated, with the logistics department."""
    from sqlalchemy import text

    from storage.db import make_engine

    admin = make_engine(base, pool_size=1, max_overflow=0)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{SCHEMA}"
    from bot.bootstrap import bootstrap
    from bot.config import Settings
    from bot.context import Actor, Context
    from handlers.console.messenger import RecordingMessenger
    from handlers.slack.escapes import neutral_text

    settings = Settings(database_url=url, xdept_timezone="Asia/Shanghai", xdept_admins="")
    app = bootstrap(settings, messenger=RecordingMessenger())
    ctx = Context(
        platform="slack",
        workspace="T1",
        actor=Actor(user_id=LEAD),
        now=datetime.now(UTC),
        channel_id="CGEN",
    )
    command = neutral_text(
        f"dept add logistics <#CLOG|logistics> lead:<@{LEAD}|lead> escalate:<@{LEAD}|lead>"
    )
    reply = app.core.run_command(ctx, command.text, mentions=command.mentions)
    app.store.dispose()
    if "logistics" not in reply.plain():
        raise RuntimeError(reply.plain())
    return url


def pss_mb(root: int) -> float:
    """Summed PSS of a process and all its descendants, in MB."""
    total_kb = 0
    for pid in _family(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue  # gone meanwhile
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)


def _family(root: int) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return found


def _clear_work(db_url: str) -> None:
    """Forget the inbox and outbox a stopped server left, so rounds start alike."""
    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM inbox"))
        conn.execute(text("DELETE FROM outbox"))
    engine.dispose()


def measure_server(
    kind: str,
    fake: FakeSlackProcess,
    db_url: str,
    commands: list[str],
    levels: list[tuple[int, int]],
) -> dict[str, Any]:
    """Start one server, warm it up, measure every cell and its memory, stop it."""
    port = _free_port()
    server = start_server(kind, port, fake, db_url)
    cells: dict[str, Any] = {}
    answers_before = fake.ask("responses")
    try:
        for command in commands:
            template = COMMANDS[command]

            def make(n: int, template: str = template) -> tuple[bytes, dict[str, str]]:
                user = USERS[n % len(USERS)]
                return _signed_command(template.format(n=n), user, fake.response_url)

            # Warm up: every worker has its Slack token checked and people cached.
            run_load(port, concurrency=10, requests=100, make=make)
            for concurrency, requests in levels:
                row = run_load(port, concurrency=concurrency, requests=requests, make=make)
                cells[f"{command} c={concurrency}"] = row
        memory = pss_mb(server.pid)
        # Answers that reached Slack while the acks were measured (the work behind them).
        answered = fake.ask("responses") - answers_before
    finally:
        stop_server(server)
    if kind == "xdept":
        _clear_work(db_url)
    return {"cells": cells, "pss_mb": memory, "answers_during_the_run": answered}


def _median_ratio(rounds: list[dict[str, Any]], cell: str, field: str) -> float:
    ratios = [
        r["xdept"]["cells"][cell][field] / max(r["bare-bolt"]["cells"][cell][field], 0.01)
        for r in rounds
    ]
    return round(statistics.median(ratios), 2)


def bench(args: argparse.Namespace) -> dict[str, Any]:
    """Both servers, round after round; every round's figures and the median ratios."""
    counts = [int(n) for n in args.requests.split(",")]
    levels = list(zip((1, 10, 50), counts, strict=True))
    commands = args.commands.split(",")
    fake = FakeSlackProcess()
    from bot.config import normalize_database_url

    db_url = _prepare_database(normalize_database_url(args.database_url))
    rounds: list[dict[str, Any]] = []
    try:
        for n in range(args.rounds):
            order = ("bare-bolt", "xdept") if n % 2 == 0 else ("xdept", "bare-bolt")
            rounds.append(
                {kind: measure_server(kind, fake, db_url, commands, levels) for kind in order}
            )
    finally:
        fake_errors = fake.stop()
    summary: dict[str, Any] = {}
    for cell in rounds[0]["xdept"]["cells"]:
        xdept_p99 = [r["xdept"]["cells"][cell]["ack_ms_p99"] for r in rounds]
        floor_p99 = [r["bare-bolt"]["cells"][cell]["ack_ms_p99"] for r in rounds]
        summary[cell] = {
            "xdept_ack_ms_p50": statistics.median(
                r["xdept"]["cells"][cell]["ack_ms_p50"] for r in rounds
            ),
            "xdept_ack_ms_p99": statistics.median(xdept_p99),
            "floor_ack_ms_p50": statistics.median(
                r["bare-bolt"]["cells"][cell]["ack_ms_p50"] for r in rounds
            ),
            "floor_ack_ms_p99": statistics.median(floor_p99),
            "p50_ratio_median": _median_ratio(rounds, cell, "ack_ms_p50"),
            "p99_ratio_median": _median_ratio(rounds, cell, "ack_ms_p99"),
        }
    memory = {
        "xdept_pss_mb": [r["xdept"]["pss_mb"] for r in rounds],
        "floor_pss_mb": [r["bare-bolt"]["pss_mb"] for r in rounds],
        "ratio_median": round(
            statistics.median(r["xdept"]["pss_mb"] / r["bare-bolt"]["pss_mb"] for r in rounds), 2
        ),
    }
    return {
        "server": {
            "gunicorn": f"gthread, {WORKERS} workers x {THREADS} threads, timeout 30 s, "
            "keepalive 5 s (xdept adds its inbox process)",
            "bolt": "process_before_response=True; xdept stores each request in the inbox "
            "before it acknowledges",
            "database": "PostgreSQL (psycopg 3)",
            "cpus": os.cpu_count(),
        },
        "rounds": args.rounds,
        "requests_per_concurrency": dict(zip(("c=1", "c=10", "c=50"), counts, strict=True)),
        "summary": summary,
        "memory": memory,
        "targets": {"p99_ratio_at_c50": 1.5, "p99_ms_at_c50": 100, "memory_ratio": 2.0},
        "each_round": rounds,
        "fake_slack_errors": fake_errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, internally, the floor server)."""
    parser = argparse.ArgumentParser(prog="python -m bench.slack_http")
    sub = parser.add_subparsers(dest="role")
    floor = sub.add_parser("floor-server")
    floor.add_argument("--port", type=int, required=True)
    floor.add_argument("--api-url", required=True)
    parser.add_argument(
        "--requests", default="100,500,1000", help="requests at concurrency 1, 10 and 50"
    )
    parser.add_argument("--commands", default="ask,list", help="commands, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both servers (>= 3)")
    parser.add_argument(
        "--database-url", default=os.environ.get("XDEPT_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    args = parser.parse_args(argv)
    if args.role == "floor-server":
        return run_floor_server(args.port, args.api_url)
    if args.rounds < 3:
        parser.error("--rounds must be at least 3: fewer rounds tell nothing on a shared machine")
    print(json.dumps(bench(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
