"""Memory benchmark: `xdept serve` (Slack only) against a bare Bolt app, in the same run.

Run from the repository root:  python -m bench.memory [--rounds 2] [--requests 200]

Both servers run behind the same gunicorn settings (gthread, 2 HTTP workers x 8
threads; xdept adds its inbox process), with the fake Slack Web API in a
process of its own (bench/slack_http.py starts them). Each is warmed with
`ask` and `list` commands (so xdept's inbox process has filed items, answered
lists and delivered their messages), then the PSS (/proc/<pid>/smaps_rollup)
of every one of its processes is read: PSS divides shared pages between the
processes that share them, so the sum is what the server costs the machine.
Prints JSON: per process and summed, the ratio, and the modules each kind of
xdept process has loaded that it should not (matplotlib, lark-oapi).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.slack_http import (
    COMMANDS,
    PG_DEFAULT,
    USERS,
    FakeSlackProcess,
    _clear_work,
    _family,
    _free_port,
    _prepare_database,
    _signed_command,
    run_load,
    start_server,
    stop_server,
)

TARGET_RATIO = 2.0
# Modules no process of a Slack-only server needs at rest (charts are drawn on Mondays).
UNWANTED = ("matplotlib", "lark_oapi", "numpy", "PIL")


def _rollup_kb(pid: int, *fields: str) -> int:
    """The sum of these fields of /proc/<pid>/smaps_rollup, in kB (0 once it is gone)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return sum(int(line.split()[1]) for line in rollup.splitlines() if line.split(":")[0] in fields)


def _loaded(pid: int) -> list[str]:
    """Unwanted packages whose files this process has mapped (a C extension or .pyc can't
    tell apart from a module imported; mapped shared objects can)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return []
    return sorted({name for name in UNWANTED if f"/{name}/" in maps or f"/{name}." in maps})


def _processes(root: int) -> list[dict[str, Any]]:
    out = []
    for pid in _family(root):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        out.append(
            {
                "pid": pid,
                "pss_mb": round(_rollup_kb(pid, "Pss") / 1024, 1),
                # Pages no other process shares: what this process alone adds.
                "private_mb": round(_rollup_kb(pid, "Private_Clean", "Private_Dirty") / 1024, 1),
                "cmd": cmdline.strip()[:60],
                "mapped_unwanted": _loaded(pid),
            }
        )
    return out


def _settle(fake: FakeSlackProcess, *, expected: int, limit: float = 60.0) -> None:
    """Wait until the answers behind the load reached the fake Slack (or stopped coming)."""
    deadline = time.monotonic() + limit
    seen, still = -1, 0
    while time.monotonic() < deadline:
        answered = fake.ask("responses")
        if answered >= expected:
            return
        still = still + 1 if answered == seen else 0
        if still >= 10:
            return  # nothing new for two seconds: the rest are not coming
        seen = answered
        time.sleep(0.2)  # polling a counter in another process


def measure(kind: str, fake: FakeSlackProcess, db_url: str, requests: int) -> dict[str, Any]:
    """Start one server, warm it with ask and list, read its processes' PSS, stop it."""
    port = _free_port()
    server = start_server(kind, port, fake, db_url)
    try:
        for command in ("ask", "list"):
            template = COMMANDS[command]

            def make(n: int, template: str = template) -> tuple[bytes, dict[str, str]]:
                return _signed_command(
                    template.format(n=n), USERS[n % len(USERS)], fake.response_url
                )

            run_load(port, concurrency=10, requests=requests, make=make)
        _settle(fake, expected=2 * requests)
        processes = _processes(server.pid)
    finally:
        stop_server(server)
    if kind == "xdept":
        _clear_work(db_url)
    total = round(sum(p["pss_mb"] for p in processes), 1)
    return {"pss_mb": total, "processes": processes}


def main(argv: list[str] | None = None) -> int:
    """Both servers, alternating, `--rounds` times; one JSON document."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--database-url", default=os.environ.get("XDEPT_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    args = parser.parse_args(argv)
    from bot.config import normalize_database_url

    fake = FakeSlackProcess()
    db_url = _prepare_database(normalize_database_url(args.database_url))
    rounds = []
    try:
        for n in range(args.rounds):
            order = ("bare-bolt", "xdept") if n % 2 == 0 else ("xdept", "bare-bolt")
            rounds.append({kind: measure(kind, fake, db_url, args.requests) for kind in order})
    finally:
        fake.stop()
    ratio = statistics.median(r["xdept"]["pss_mb"] / r["bare-bolt"]["pss_mb"] for r in rounds)
    print(
        json.dumps(
            {
                "gunicorn": "gthread, 2 HTTP workers x 8 threads (xdept adds its inbox process)",
                "xdept_pss_mb": [r["xdept"]["pss_mb"] for r in rounds],
                "floor_pss_mb": [r["bare-bolt"]["pss_mb"] for r in rounds],
                "ratio_median": round(ratio, 2),
                "target_ratio": TARGET_RATIO,
                "each_round": rounds,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
