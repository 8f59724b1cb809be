"""Feishu HTTP benchmark: signed, encrypted events against `xdept serve`, next to a bare
lark-oapi dispatcher.

Run from the repository root (needs the `feishu` extra):
    python -m bench.feishu_http [--rounds 3] [--requests 100,500,1000] [--servers xdept,bare-lark]

Both servers run behind the same gunicorn settings as `bench.slack_http`
(gthread, 2 workers x 8 threads), on 127.0.0.1. The floor is lark-oapi's own
`EventDispatcherHandler` (decrypting, checking the signature and token,
parsing the event) whose message handler does nothing: what any Feishu bot
pays before its own work. `xdept serve` answers `POST /feishu/events` as a
person runs it: it checks the request, stores the event in the inbox and
acknowledges; its inbox process does the work and sends through the fake.
PostgreSQL comes from XDEPT_BENCH_DATABASE_URL (default the local `test`
database), in a schema of its own.

The fake Feishu runs in a process of its own at a low CPU priority (a remote
service). It makes every event as Feishu would: an `im.message.receive_v1`
of a person mentioning the bot, `@xdept ask @仓储N ...`, encrypted with the
app's encrypt key and signed, each with its own event and message id.

The servers take turns round after round (who goes first alternates), each
started alone, warmed up, measured at concurrency 1, 10 and 50, and stopped.
The ack latency is the time from sending the request to its HTTP answer, on a
new connection each time. After xdept's load (its backlog dropped), a fresh
xdept gets a burst of 100 asks: the delivery rate is the number of tracking
cards that reached the departments' groups in the fake per second, from the
first event of the burst to its last card (the inbox works behind the
acknowledgements; the cards keep to Feishu's pace per group).
Prints JSON with every round's figures and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from bench.slack_http import (
    FAKE_NICENESS,
    PG_DEFAULT,
    THREADS,
    WORKERS,
    _clear_work,
    _free_port,
    _wait_healthy,
    fresh_schema,
    run_load,
    serve_floor,
    stop_server,
)

SCHEMA = "xdept_bench_feishu"
APP_ID = "cli_bench0000000001"
SECRET = "bench-app-secret"
TOKEN = "bench-verification-token"
ENCRYPT_KEY = "bench-encrypt-key"
TENANT = "bench-tenant"
PATH = "/feishu/events"
DEPARTMENTS = 10
PEOPLE = [f"ou_bench{n:024d}" for n in range(50)]
LEAD = "ou_benchlead0000000000000000000"
GENERAL = "oc_benchgeneral000000000000000000"
TEXT = "@_user_1 ask @仓储{dept} {marker}请清点第 {n} 号货位的托盘 周五前"
DELIVERY_BURST = 100


def _group(dept: int) -> str:
    return f"oc_benchdept{dept:021d}"


# -- the fake Feishu, in its own process ------------------------------------------------------


def _fake_feishu(conn: Connection) -> None:
    """Serve a FakeFeishu; make signed events and count cards on request, over the pipe."""
    from tests.fakes.feishu.events import Mention
    from tests.fakes.feishu.server import FakeFeishu

    os.nice(FAKE_NICENESS)  # a remote service: it must not take CPU from the servers measured
    with FakeFeishu(
        app_id=APP_ID,
        app_secret=SECRET,
        verification_token=TOKEN,
        encrypt_key=ENCRYPT_KEY,
        tenant_key=TENANT,
    ) as fake:
        for person in [*PEOPLE, LEAD]:
            fake.add_user(person, person[-6:], time_zone="Asia/Shanghai")
        everyone = [*PEOPLE, LEAD]
        fake.add_chat(GENERAL, "全员群", members=everyone)
        groups = {_group(d) for d in range(DEPARTMENTS)}
        for group in groups:
            fake.add_chat(group, group, members=[LEAD])
        bot = Mention(open_id=fake.bot_open_id, name=fake.bot_name)
        conn.send({"url": fake.url})
        while True:
            command, *args = conn.recv()
            if command == "stop":
                conn.send(len(fake.errors))
                return
            if command == "cards":
                (marker,) = args
                with fake.world.lock:
                    found = [
                        m.create_time
                        for m in fake.world.messages.values()
                        if m.chat_id in groups
                        and m.root_id is None
                        and m.sender_type == "app"
                        and marker in m.content
                    ]
                conn.send(sorted(found))
                continue
            first, count, marker = args
            batch = []
            for n in range(first, first + count):
                payload = fake.person_message(
                    chat_id=GENERAL,
                    sender=PEOPLE[n % len(PEOPLE)],
                    text=TEXT.format(dept=n % DEPARTMENTS, n=n, marker=marker),
                    mentions=[bot],
                )
                signed = fake.signed(payload)
                batch.append((signed.body, {**signed.headers, "Connection": "close"}))
            conn.send(batch)


class FakeFeishuProcess:
    """Start, query and stop the fake Feishu process."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_fake_feishu, args=(child,), daemon=True)
        self._process.start()
        self.url: str = self._conn.recv()["url"]
        self._next = 0

    def events(self, count: int, marker: str = "") -> list[tuple[bytes, dict[str, str]]]:
        """`count` new events, encrypted and signed now (each a new message); `marker`
        goes into the request's text, to find its cards."""
        self._conn.send(("events", self._next, count, marker))
        self._next += count
        batch: list[tuple[bytes, dict[str, str]]] = self._conn.recv()
        return batch

    def cards(self, marker: str) -> list[float]:
        """When each tracking card with `marker` in it reached a department's group."""
        self._conn.send(("cards", marker))
        found: list[float] = self._conn.recv()
        return found

    def stop(self) -> int:
        """Stop it; how many requests it did not know."""
        self._conn.send(("stop",))
        errors = int(self._conn.recv())
        self._process.join(timeout=10)
        return errors


# -- the servers ------------------------------------------------------------------------------


def bare_dispatcher() -> Any:
    """A WSGI app over lark-oapi's EventDispatcherHandler whose handler does nothing."""
    import lark_oapi as lark

    def nothing(_event: Any) -> None:
        return None

    handler = (
        lark.EventDispatcherHandler.builder(ENCRYPT_KEY, TOKEN)
        .register_p2_im_message_receive_v1(nothing)
        .build()
    )
    wanted = ("X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature")

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Content-Length", "0")])
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = lark.RawRequest()
        request.uri = environ.get("PATH_INFO", "/")
        request.body = environ["wsgi.input"].read(length) if length else b""
        request.headers = {
            name: environ.get("HTTP_" + name.upper().replace("-", "_"), "") for name in wanted
        }
        response = handler.do(request)
        status = f"{response.status_code} {'OK' if response.status_code == 200 else 'Error'}"
        start_response(status, [("Content-Type", "application/json; charset=utf-8")])
        return [response.content or b""]

    return app


def run_bare_server(port: int) -> int:
    """The floor: the bare dispatcher behind the same gunicorn settings."""
    serve_floor(port, bare_dispatcher)
    return 0


def _settings_env(fake: FakeFeishuProcess, db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "FEISHU_APP_ID": APP_ID,
        "FEISHU_APP_SECRET": SECRET,
        "FEISHU_VERIFICATION_TOKEN": TOKEN,
        "FEISHU_ENCRYPT_KEY": ENCRYPT_KEY,
        "FEISHU_API_URL": fake.url,
        "XDEPT_TIMEZONE": "Asia/Shanghai",
        "XDEPT_LOCALE": "zh",
        "XDEPT_ADMINS": "",
        "SLACK_BOT_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
    }


def start_server(kind: str, port: int, fake: FakeFeishuProcess, db_url: str) -> Any:
    """Start `xdept serve` or the floor in a subprocess; returns once it answers."""
    if kind == "xdept":
        args = f"-m bot.cli serve --host 127.0.0.1 --port {port} --workers {WORKERS} "
        args += f"--threads {THREADS} --no-scheduler"
        health = "/healthz"
    else:
        args = f"-m bench.feishu_http bare-server --port {port}"
        health = PATH
    process = subprocess.Popen(
        [sys.executable, *args.split()],
        env=_settings_env(fake, db_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_healthy(port, process, health)
    return process


# -- the run ----------------------------------------------------------------------------------


def _prepare_database(base: str) -> str:
    """A fresh schema for xdept, migrated, with five departments bound to their groups."""
    from bot.bootstrap import bootstrap
    from bot.config import Settings
    from bot.context import Actor, Context
    from handlers.console.messenger import RecordingMessenger

    url = fresh_schema(base, SCHEMA)
    settings = Settings(
        database_url=url, xdept_timezone="Asia/Shanghai", xdept_admins="", xdept_locale="zh"
    )
    app = bootstrap(settings, messenger=RecordingMessenger())
    ctx = Context(
        platform="feishu",
        workspace=TENANT,
        actor=Actor(user_id=LEAD, is_admin=True),
        now=datetime.now(UTC),
        channel_id=GENERAL,
    )
    for dept in range(DEPARTMENTS):
        line = (
            f"dept add store{dept} #{_group(dept)} lead:@{LEAD} escalate:@{LEAD} "
            f"name:仓储{dept}部 alias:仓储{dept}"
        )
        reply = app.core.run_command(ctx, line)
        if f"store{dept}" not in reply.plain():
            raise RuntimeError(reply.plain())
    app.store.dispose()
    return url


def _delivery(fake: FakeFeishuProcess, db_url: str, *, timeout: float = 180) -> dict[str, Any]:
    """A burst of asks at concurrency 10 to a freshly started xdept with nothing queued;
    tracking cards per second until the burst's last card arrives."""
    port = _free_port()
    server = start_server("xdept", port, fake, db_url)
    try:
        return _burst(port, fake, timeout=timeout)
    finally:
        stop_server(server)
        _clear_work(db_url)


def _burst(port: int, fake: FakeFeishuProcess, *, timeout: float) -> dict[str, Any]:
    marker = f"[突发{time.monotonic_ns()}]"
    batch = fake.events(DELIVERY_BURST, marker)
    started = time.time()
    load = run_load(port, concurrency=10, requests=len(batch), make=lambda n: batch[n], path=PATH)
    deadline = time.monotonic() + timeout
    arrived = fake.cards(marker)
    while len(arrived) < DELIVERY_BURST and time.monotonic() < deadline:
        time.sleep(0.5)  # the inbox works behind the acknowledgements; poll the fake
        arrived = fake.cards(marker)
    if not arrived:
        return {"cards": 0, "of": DELIVERY_BURST, "cards_per_s": 0.0, "errors": load["errors"]}
    seconds = max(arrived[-1] - started, 0.001)
    return {
        "cards": len(arrived),
        "of": DELIVERY_BURST,
        "groups": DEPARTMENTS,
        "seconds": round(seconds, 2),
        "cards_per_s": round(len(arrived) / seconds, 1),
        # Requests of the burst that got no 200 (Feishu would send them again).
        "errors": load["errors"],
    }


def measure_server(
    kind: str, fake: FakeFeishuProcess, db_url: str, levels: list[tuple[int, int]]
) -> dict[str, Any]:
    """Start one server, warm it up, measure every level (and xdept's delivery), stop it."""
    port = _free_port()
    server = start_server(kind, port, fake, db_url)
    cells: dict[str, Any] = {}
    delivery = None
    try:
        warm = fake.events(50)
        run_load(port, concurrency=10, requests=len(warm), make=lambda n: warm[n], path=PATH)
        for concurrency, requests in levels:
            batch = fake.events(requests)
            cells[f"c={concurrency}"] = run_load(
                port,
                concurrency=concurrency,
                requests=requests,
                make=lambda n, batch=batch: batch[n],  # type: ignore[misc]
                path=PATH,
            )
    finally:
        stop_server(server)
    if kind == "xdept":
        # The load's backlog is dropped, so the burst is measured on its own.
        _clear_work(db_url)
        delivery = _delivery(fake, db_url)
    return {"cells": cells, "delivery": delivery}


def bench(args: argparse.Namespace) -> dict[str, Any]:
    """The servers round after round; every round's figures and the median ratios."""
    counts = [int(n) for n in args.requests.split(",")]
    levels = list(zip((1, 10, 50), counts, strict=True))
    servers = args.servers.split(",")
    fake = FakeFeishuProcess()
    db_url = ""
    if "xdept" in servers:
        from bot.config import normalize_database_url

        db_url = _prepare_database(normalize_database_url(args.database_url))
    rounds: list[dict[str, Any]] = []
    try:
        for n in range(args.rounds):
            order = servers if n % 2 == 0 else list(reversed(servers))
            rounds.append({kind: measure_server(kind, fake, db_url, levels) for kind in order})
    finally:
        fake_errors = fake.stop()
    summary: dict[str, Any] = {}
    for cell in rounds[0][servers[0]]["cells"]:
        row: dict[str, Any] = {}
        for kind in servers:
            for field in ("ack_ms_p50", "ack_ms_p99"):
                row[f"{kind} {field}"] = statistics.median(
                    r[kind]["cells"][cell][field] for r in rounds
                )
        if {"xdept", "bare-lark"} <= set(servers):
            for field in ("ack_ms_p50", "ack_ms_p99"):
                ratios = [
                    r["xdept"]["cells"][cell][field]
                    / max(r["bare-lark"]["cells"][cell][field], 0.01)
                    for r in rounds
                ]
                row[f"{field.split('_')[-1]}_ratio_median"] = round(statistics.median(ratios), 2)
        summary[cell] = row
    delivery = [r["xdept"]["delivery"] for r in rounds if "xdept" in r]
    return {
        "server": {
            "gunicorn": f"gthread, {WORKERS} workers x {THREADS} threads (xdept adds its inbox "
            "process)",
            "floor": "lark-oapi EventDispatcherHandler (decrypt, signature, token, parse), "
            "a handler that does nothing",
            "xdept": "checks the request, stores the event in the inbox, acknowledges",
            "events": "im.message.receive_v1, AES-256-CBC encrypted and signed",
            "cpus": os.cpu_count(),
        },
        "rounds": args.rounds,
        "requests_per_concurrency": dict(zip(("c=1", "c=10", "c=50"), counts, strict=True)),
        "summary": summary,
        "delivery": {
            "cards_per_s_median": statistics.median(d["cards_per_s"] for d in delivery)
            if delivery
            else None,
            "each_round": delivery,
        },
        "targets": {"p99_ratio_at_c50": 1.5},
        "each_round": rounds,
        "fake_feishu_errors": fake_errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, internally, the bare server)."""
    parser = argparse.ArgumentParser(prog="python -m bench.feishu_http")
    sub = parser.add_subparsers(dest="role")
    bare = sub.add_parser("bare-server")
    bare.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--requests", default="100,500,1000", help="requests at concurrency 1, 10 and 50"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the servers (>= 3)")
    parser.add_argument(
        "--servers", default="xdept,bare-lark", help="xdept, bare-lark or both (comma-separated)"
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("XDEPT_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    args = parser.parse_args(argv)
    if args.role == "bare-server":
        return run_bare_server(args.port)
    if args.rounds < 3:
        parser.error("--rounds must be at least 3: fewer rounds tell nothing on a shared machine")
    print(json.dumps(bench(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
