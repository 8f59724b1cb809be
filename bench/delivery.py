"""Delivery across many chats: the outbox through SlackMessenger to the fake Slack, against
a plain WebClient loop posting the same messages in the same run.

Run from the repository root:

    python -m bench.delivery [--chats 300] [--per-chat 3] [--interval 0.05] [--postgres URL]

Prints JSON. Both sides post the same rendered messages, round-robin over the
chats, to the fake Slack Web API over HTTP (tests/fakes). The interval is the
per-chat pace given to SlackMessenger (Slack's is 1 s; smaller here so the run
is short); the fake Slack records when each post arrived, and the smallest gap
between two posts to one chat is reported for both sides. Delivery runs with
the wall clock (the pace table in the database), with `--senders` deliverers
in threads at once. The targets: xdept within 2x of the plain loop, and no
chat's gap below the interval.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import text as sql

from bot.config import Settings
from bot.messages import Message, MessageKind, Section, text
from bot.outbox import channel_message
from bot.ports import OneMessenger
from handlers.slack.blocks import render
from handlers.slack.messenger import SlackMessenger
from scheduler.delivery import Deliverer
from scheduler.pacing import WallClock
from storage.db import Store
from storage.migrate import upgrade
from tests.fakes.slack import FakeSlack

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
PG_SCHEMA = "xdept_bench_delivery"


def _message(chat: int, n: int) -> Message:
    body = [text(f"Stand-up for department {chat}: item {n} is due today, 请确认进度。")]
    return Message(kind=MessageKind.NOTE, sections=[Section(body=body)])


def _chats(count: int) -> list[str]:
    return [f"C{n:05d}" for n in range(count)]


def _post_times(slack: FakeSlack) -> dict[str, list[float]]:
    """When each chat's posts reached the fake Slack, in order."""
    times: dict[str, list[float]] = defaultdict(list)
    for call in slack.calls_to("chat.postMessage"):
        if call.status == 200:
            times[str(call.params.get("channel"))].append(call.timestamp)
    return times


def _min_gap(times: dict[str, list[float]]) -> float | None:
    gaps = [b - a for ts in times.values() for a, b in zip(ts, ts[1:], strict=False)]
    return round(min(gaps), 4) if gaps else None


def plain_loop(chats: list[str], per_chat: int) -> dict[str, Any]:
    """The reference: a WebClient posting each message in turn, nothing else."""
    with FakeSlack() as slack:
        for chat in chats:
            slack.add_channel(chat, chat.lower())
        client = WebClient(token="xoxb-bench", base_url=slack.api_url)
        begin = time.perf_counter()
        for n in range(per_chat):
            for i, chat in enumerate(chats):
                client.chat_postMessage(channel=chat, **render(_message(i, n)).kwargs())
        seconds = time.perf_counter() - begin
        times = _post_times(slack)
    sent = len(chats) * per_chat
    return {
        "sent": sent,
        "seconds": round(seconds, 3),
        "messages_per_second": round(sent / seconds, 1),
        "min_gap_per_chat": _min_gap(times),
    }


def _store(postgres: str | None, workdir: Path) -> Store:
    if postgres is None:
        store = Store.from_url(f"sqlite:///{workdir / 'delivery.db'}")
    else:
        base = Store.from_url(postgres)
        with base.engine.begin() as conn:
            conn.execute(sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(sql(f"CREATE SCHEMA {PG_SCHEMA}"))
        base.dispose()
        store = Store.from_url(postgres, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
    upgrade(store.engine)
    return store


def _queue(store: Store, chats: list[str], per_chat: int) -> None:
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("slack", "T1", now=NOW, timezone="UTC")
        for n in range(per_chat):
            for i, chat in enumerate(chats):
                channel_message(
                    uow,
                    workspace_id=ws.id,
                    channel_id=chat,
                    message=_message(i, n),
                    key=f"bench:{chat}:{n}",
                    now=NOW,
                )


def through_outbox(
    chats: list[str], per_chat: int, *, interval: float, senders: int, postgres: str | None
) -> dict[str, Any]:
    """The outbox, delivered by `senders` deliverers at once through SlackMessenger."""
    with tempfile.TemporaryDirectory() as workdir, FakeSlack() as slack:
        for chat in chats:
            slack.add_channel(chat, chat.lower())
        store = _store(postgres, Path(workdir))
        _queue(store, chats, per_chat)
        client = WebClient(token="xoxb-bench", base_url=slack.api_url)
        messenger = SlackMessenger(client, chat_interval=interval)
        settings = Settings(database_url="sqlite://", slack_bot_token=None)
        reports: list[Any] = []

        def run() -> None:
            deliverer = Deliverer(store, OneMessenger(messenger), settings, clock=WallClock())
            report = deliverer.deliver_pending(now=NOW, limit=len(chats) * per_chat)
            reports.append(report)

        threads = [threading.Thread(target=run) for _ in range(senders)]
        begin = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - begin
        times = _post_times(slack)
        store.dispose()
    sent = sum(r.sent for r in reports)
    per_chat_counts = {len(ts) for ts in times.values()}
    return {
        "sent": sent,
        "failed": sum(r.failed for r in reports),
        "seconds": round(seconds, 3),
        "messages_per_second": round(sent / seconds, 1),
        "min_gap_per_chat": _min_gap(times),
        "posts_per_chat": sorted(per_chat_counts),
        "paced_seconds": round(statistics.fmean(r.paced for r in reports), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the reference and the outbox, print one JSON document."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--per-chat", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args(argv)
    chats = _chats(args.chats)
    reference = plain_loop(chats, args.per_chat)
    xdept = through_outbox(
        chats,
        args.per_chat,
        interval=args.interval,
        senders=args.senders,
        postgres=args.postgres,
    )
    ratio = reference["messages_per_second"] / max(xdept["messages_per_second"], 0.1)
    gap = xdept["min_gap_per_chat"]
    out = {
        "chats": args.chats,
        "messages": args.chats * args.per_chat,
        "interval": args.interval,
        "database": "postgresql" if args.postgres else "sqlite",
        "plain_webclient_loop": reference,
        "xdept_outbox": xdept,
        "slowdown_vs_plain_loop": round(ratio, 2),
        "target_slowdown": 2.0,
        "pace_kept": gap is None or gap >= args.interval,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
