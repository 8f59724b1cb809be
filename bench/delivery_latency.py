"""From acknowledgement to tracking message: a burst of `ask` commands over many channels.

Run from the repository root:

    python -m bench.delivery_latency [--rate 20] [--seconds 10] [--channels 50]
                                     [--interval 1.0] [--threads 8] [--postgres URL]

Prints JSON. `xdept serve`'s front door (handlers.slack.wsgi) and its inbox workers
run in this process, over SQLite (or PostgreSQL) and the fake Slack (tests/fakes),
with the real SlackMessenger keeping each channel's pace (`--interval`, Slack's
1 s by default; the fake Slack refuses faster posts with 429s and counts them).
Signed `/xdept ask` commands arrive at `--rate` a second, each to a random one of
`--channels` departments; a command is acknowledged when its HTTP answer is read.

For each command: `ack_to_message` is from its acknowledgement until the fake
Slack received its tracking message; `paced` is how long the channel's pace kept
it back (the previous message to that channel plus the interval, if that came
after the acknowledgement); `after_pace` is from when the pace allowed it until
it arrived. The target: `after_pace` p99 under 1 s, the pacing wait reported apart.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import socketserver
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.bootstrap import App, bootstrap
from bot.config import Settings
from bot.context import Actor, Context
from handlers.runtime.service import WorkerService
from handlers.runtime.workers import LocalBell
from handlers.slack.adapter import build_slack
from handlers.slack.escapes import neutral_text
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.wsgi import front_door
from storage.db import Store
from tests.fakes.slack import FakeSlack, signed_post, slash_command_body

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
REQUESTER = "UALICE"
LEAD = "UWANG"
CONTACT = "UZHAO"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""


class _Threading(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def _serving(wsgi: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, wsgi, server_class=_Threading, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _store(postgres: str | None, workdir: Path) -> Store:
    if postgres is None:
        return Store.from_url(f"sqlite:///{workdir / 'latency.db'}")
    from bench.delivery import _store as pg_store

    return pg_store(postgres, workdir)


def _departments(app: App, channels: list[str]) -> None:
    admin = Context(
        platform="slack",
        workspace="T1",
        actor=Actor(user_id="UADMIN", name="admin", timezone="UTC", locale="en", is_admin=True),
        now=datetime.now(UTC),
        channel_id=channels[0],
    )
    for n, channel in enumerate(channels):
        typed = neutral_text(
            f"dept add d{n} <#{channel}|d{n}> lead:<@{LEAD}|wang> escalate:<@{CONTACT}|zhao>"
        )
        reply = app.core.run_command(admin, typed.text, mentions=typed.mentions)
        assert f"d{n}" in reply.plain(), reply.plain()


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)

    return {"p50": at(0.5), "p99": at(0.99), "max": round(ordered[-1], 4)}


def _fake_slack(conn: Connection, channels: list[str], interval: float) -> None:
    """Serve a FakeSlack in its own process (Slack is remote: it must not share this
    process's interpreter lock); answer what it received over the pipe."""
    with FakeSlack(chat_interval=interval) as slack:
        for user, name in ((REQUESTER, "alice"), (LEAD, "wang"), (CONTACT, "zhao")):
            slack.add_user(user, name)
        slack.add_user("UADMIN", "admin", is_admin=True)
        for channel in channels:
            slack.add_channel(channel, channel.lower())
        conn.send({"api_url": slack.api_url, "response_url": slack.response_url("x")})
        while True:
            command = conn.recv()
            if command == "stop":
                conn.send(len(slack.errors))
                return
            if command == "reset":
                slack.reset_calls()
                conn.send(None)
                continue
            posts = [
                (
                    str(c.params.get("channel")),
                    json.dumps(c.params, ensure_ascii=False),
                    c.timestamp,
                )
                for c in slack.calls_to("chat.postMessage")
                if c.status == 200 and not c.params.get("thread_ts")
            ]
            conn.send({"posts": posts, "violations": len(slack.pace_violations)})


class _FakeSlackProcess:
    def __init__(self, channels: list[str], interval: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_fake_slack, args=(child, channels, interval), daemon=True
        )
        self._process.start()
        urls = self._conn.recv()
        self.api_url: str = urls["api_url"]
        self.response_base: str = urls["response_url"][: -len("x")]

    def ask(self, command: str) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def stop(self) -> None:
        self.ask("stop")
        self._process.join(timeout=10)


def _arrivals(posts: list[tuple[str, str, float]], count: int) -> dict[int, tuple[str, float]]:
    """Ask number -> (channel, when the fake Slack received its tracking message)."""
    found: dict[int, tuple[str, float]] = {}
    for channel, body, at in posts:
        for token in body.split("req-")[1:]:
            digits = "".join(ch for ch in token[:8] if ch.isdigit())
            if digits and int(digits) < count:
                found.setdefault(int(digits), (channel, at))
                break
    return found


def _load(
    url: str, response_base: str, channel: str, depts: list[int], rate: float
) -> dict[int, float]:
    """The asks, at `rate` a second, from a process of their own (the load must not take
    the measured process's interpreter lock); when each was acknowledged."""
    acks: dict[int, float] = {}

    def ask(i: int, dept: int) -> None:
        body = slash_command_body(
            f"ask @d{dept} req-{i} please check",
            user_id=REQUESTER,
            channel_id=channel,
            response_url=f"{response_base}ask-{i}",
        )
        if signed_post(url, SECRET, body).status == 200:
            acks[i] = time.time()

    with ThreadPoolExecutor(32) as pool:
        start = time.monotonic()
        futures = []
        for i, dept in enumerate(depts):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # the load's own schedule
            futures.append(pool.submit(ask, i, dept))
        for future in futures:
            future.result()
    return acks


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The burst and its figures."""
    channels = [f"C{n:03d}" for n in range(args.channels)]
    count = int(args.rate * args.seconds)
    slack = _FakeSlackProcess(channels, args.interval)
    with tempfile.TemporaryDirectory() as workdir:
        settings = Settings(
            database_url="sqlite://",
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=slack.api_url,
            xdept_admins="",
        )
        store = _store(args.postgres, Path(workdir))
        messenger = SlackMessenger(make_client(settings), chat_interval=args.interval)
        app = bootstrap(settings, messenger=messenger, store=store)
        _departments(app, channels)
        slack.ask("reset")
        ring = LocalBell()
        adapter = build_slack(settings, app=app, ring=ring)
        # As in `xdept serve`: the workers hold back while requests arrive.
        workers = WorkerService(
            app, adapter.routes(), threads=args.threads, poll=0.2, front_door_busy=ring.rang_within
        )
        ring.workers = workers.workers
        workers.start()
        rng = random.Random(7)
        acks: dict[int, float] = {}
        try:
            with _serving(front_door(adapter)) as url:
                depts = [rng.randrange(args.channels) for _ in range(count)]
                load = multiprocessing.get_context("spawn").Pool(1)
                acks = load.apply(_load, (url, slack.response_base, channels[0], depts, args.rate))
                load.close()
                load.join()
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    seen = slack.ask("posts")
                    if len(_arrivals(seen["posts"], count)) >= count:
                        break
                    time.sleep(0.2)
        finally:
            workers.stop(timeout=30)
            store.dispose()
        seen = slack.ask("posts")
        slack.stop()
        arrivals = _arrivals(seen["posts"], count)
        violations = int(seen["violations"])
    return _figures(args, count, acks, arrivals, violations)


def _figures(
    args: argparse.Namespace,
    count: int,
    acks: dict[int, float],
    arrivals: dict[int, tuple[str, float]],
    violations: int,
) -> dict[str, Any]:
    by_channel: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i, (channel, at) in arrivals.items():
        by_channel[channel].append((at, i))
    raw, paced, after = [], [], []
    after_unpaced, after_paced = [], []
    for posts in by_channel.values():
        previous: float | None = None
        for at, i in sorted(posts):
            if i in acks:
                allowed = acks[i] if previous is None else max(acks[i], previous + args.interval)
                raw.append(at - acks[i])
                paced.append(allowed - acks[i])
                after.append(at - allowed)
                (after_paced if allowed > acks[i] else after_unpaced).append(at - allowed)
            previous = at
    return {
        "asks": count,
        "rate_per_second": args.rate,
        "channels": args.channels,
        "interval": args.interval,
        "worker_threads": args.threads,
        "database": "postgresql" if args.postgres else "sqlite",
        "acknowledged": len(acks),
        "tracking_messages": len(arrivals),
        "ack_to_message_seconds": _percentiles(raw),
        "paced_seconds": _percentiles(paced),
        "asks_paced": sum(1 for p in paced if p > 0),
        "after_pace_seconds": _percentiles(after),
        "after_pace_seconds_of_asks_never_paced": _percentiles(after_unpaced),
        "after_pace_seconds_of_paced_asks": _percentiles(after_paced),
        "target_after_pace_p99": 1.0,
        "mean_after_pace": round(statistics.fmean(after), 4) if after else None,
        "pace_violations_at_fake_slack": violations,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the burst, print one JSON document."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (default: SQLite)")
    print(json.dumps(run(parser.parse_args(argv)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
