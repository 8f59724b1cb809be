"""How fast `xdept --help` starts, next to `python -c pass` measured in the same run.

Run from the repository root:
    python -m bench.cli_startup [--runs 20]

The two commands run alternately, each as a new process, so both see the same
machine; prints the median wall time of each and their ratio as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _xdept() -> list[str]:
    script = Path(sys.executable).with_name("xdept")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def bench(runs: int) -> dict[str, object]:
    """Alternate the two commands `runs` times each; medians and ratio."""
    floor_cmd = [sys.executable, "-c", "pass"]
    help_cmd = [*_xdept(), "--help"]
    floor: list[float] = []
    xdept: list[float] = []
    _time(help_cmd)  # warm the file cache once
    for _ in range(runs):
        floor.append(_time(floor_cmd))
        xdept.append(_time(help_cmd))
    floor_ms = statistics.median(floor) * 1000
    xdept_ms = statistics.median(xdept) * 1000
    return {
        "runs": runs,
        "python_c_pass_ms": round(floor_ms, 1),
        "xdept_help_ms": round(xdept_ms, 1),
        "ratio": round(xdept_ms / floor_ms, 2),
        "target_ratio": 3.0,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.cli_startup")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    print(json.dumps(bench(args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
