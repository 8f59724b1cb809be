"""How long `xdept demo` takes, next to importing what it imports, measured in the same run.

Run from the repository root:
    python -m bench.demo [--runs 5]

First a demo runs once in a process of its own that reports every module it loaded.
Then, alternately and each as a new process: one that only imports those modules (the
reference: the demo's dependencies, the project's own modules included) and `xdept demo`
itself. Prints the median wall times and their ratio as JSON; the target is 2x.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from bench.cli_startup import _time, _xdept

_LIST_MODULES = """
import contextlib, io, sys
from handlers.console.demo import run_demo
with contextlib.redirect_stdout(io.StringIO()):
    run_demo()
print("\\n".join(sorted(name for name in sys.modules if not name.startswith("__"))))
"""

_IMPORT_ALL = """
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass  # a module that only loads as part of another one
"""


def demo_modules() -> list[str]:
    """Every module a demo run loads."""
    found = subprocess.run(
        [sys.executable, "-c", _LIST_MODULES], check=True, capture_output=True, text=True
    )
    return [line for line in found.stdout.splitlines() if line]


def bench(runs: int) -> dict[str, object]:
    """Alternate the reference and the demo `runs` times each; medians and ratio."""
    modules = demo_modules()
    imports_cmd = [sys.executable, "-c", _IMPORT_ALL, *modules]
    demo_cmd = [*_xdept(), "demo"]
    imports: list[float] = []
    demo: list[float] = []
    started = time.perf_counter()
    for n in range(runs):
        # The first to go alternates, so neither always meets a colder cache.
        pair = [(imports, imports_cmd), (demo, demo_cmd)]
        for times, command in pair if n % 2 == 0 else reversed(pair):
            times.append(_time(command))
    imports_s = statistics.median(imports)
    demo_s = statistics.median(demo)
    return {
        "runs": runs,
        "modules_imported": len(modules),
        "import_dependencies_s": round(imports_s, 2),
        "xdept_demo_s": round(demo_s, 2),
        "ratio": round(demo_s / imports_s, 2),
        "target_ratio": 2.0,
        "bench_wall_s": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.demo")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(bench(args.runs), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
