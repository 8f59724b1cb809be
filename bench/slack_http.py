"""Slack HTTP benchmark: signed slash commands against `xdept serve`, next to a bare Bolt app.

Run from the repository root:
    python -m bench.slack_http [--command list|ask] [--requests 200,1000,2000]

Both servers run behind the same gunicorn settings (gthread, 2 workers x 8
threads: the options `xdept serve` uses), on 127.0.0.1. The bare app's
command handler only acknowledges: it is the floor. `xdept serve` runs as a
person runs it (its background process, PostgreSQL from
XDEPT_BENCH_DATABASE_URL, default the local `test` database, in a schema of
its own that is dropped and recreated). The fake Slack Web API runs in a
process of its own at a low CPU priority: it stands in for a remote service
and must not take CPU from the server measured. Each request is a new
connection, signed as Slack signs it; the ack latency is the time to the HTTP
answer. For `list`, the run also waits until every reply reached the fake
Slack (the work after the acknowledgements). Prints JSON.
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
from typing import Any

from sqlalchemy import text

from bot.config import normalize_database_url
from storage.db import make_engine

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
    from tests.fakes.fake_slack import FakeSlack

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

    from handlers.slack.server import apply_options, gunicorn_options

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
    from tests.fakes.slack_payloads import new_trigger_id, sign, slash_command_body

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


def _drain(fake: FakeSlackProcess, expected: int, timeout: float = 120.0) -> float:
    """Seconds until every reply reached the fake (the work after the acks)."""
    started = time.monotonic()
    while fake.ask("responses") < expected:
        if time.monotonic() - started > timeout:
            break
        time.sleep(0.05)  # polling another process's counter
    return round(time.monotonic() - started, 2)


def bench(args: argparse.Namespace) -> dict[str, Any]:
    """Both servers, each at every concurrency."""
    counts = [int(n) for n in args.requests.split(",")]
    levels = list(zip((1, 10, 50), counts, strict=True))
    fake = FakeSlackProcess()
    db_url = _prepare_database(normalize_database_url(args.database_url))
    results: dict[str, Any] = {}
    sent = 0
    try:
        for kind in ("bare-bolt", "xdept"):
            port = _free_port()
            server = start_server(kind, port, fake, db_url)
            try:
                template = COMMANDS[args.command]

                def make(n: int, template: str = template) -> tuple[bytes, dict[str, str]]:
                    user = USERS[n % len(USERS)]
                    return _signed_command(template.format(n=n), user, fake.response_url)

                # Warm up: every worker has its Slack token checked and people cached.
                run_load(port, concurrency=10, requests=100, make=make)
                if kind == "xdept":
                    sent += 100
                    if args.command == "list":
                        _drain(fake, sent)
                rows = []
                for concurrency, requests in levels:
                    before = fake.ask("responses")
                    row = run_load(port, concurrency=concurrency, requests=requests, make=make)
                    if kind == "xdept":
                        sent += requests
                        if args.command == "list":
                            row["all_replies_after_s"] = _drain(fake, sent)
                        else:  # posting keeps Slack's pace of one message a second a channel
                            row["replies_during_the_run"] = fake.ask("responses") - before
                    rows.append(row)
                results[kind] = rows
            finally:
                stop_server(server)
    finally:
        fake_errors = fake.stop()
    ratios = [
        round(x["ack_ms_p99"] / max(f["ack_ms_p99"], 0.01), 2)
        for x, f in zip(results["xdept"], results["bare-bolt"], strict=True)
    ]
    return {
        "command": f"/xdept {COMMANDS[args.command]}",
        "server": {
            "gunicorn": f"gthread, {WORKERS} workers x {THREADS} threads, timeout 30 s, "
            "keepalive 5 s",
            "bolt": "process_before_response=True; xdept acks and queues the rest to its "
            "background process",
            "database": "PostgreSQL (psycopg 3)",
            "cpus": os.cpu_count(),
        },
        "results": results,
        "p99_ratio_to_floor": ratios,
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
        "--requests", default="200,1000,2000", help="requests at concurrency 1, 10 and 50"
    )
    parser.add_argument("--command", choices=sorted(COMMANDS), default="list")
    parser.add_argument(
        "--database-url", default=os.environ.get("XDEPT_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    args = parser.parse_args(argv)
    if args.role == "floor-server":
        return run_floor_server(args.port, args.api_url)
    print(json.dumps(bench(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
