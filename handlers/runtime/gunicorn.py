"""The gunicorn settings of the HTTP workers, importable without the rest of the app.

The benchmark's bare Bolt floor runs under exactly these settings, and must
not pay for importing xdept to get them.
"""

from __future__ import annotations

from typing import Any

DEFAULT_TIMEOUT = 30
KEEPALIVE = 5
BACKLOG = 2048


def gunicorn_options(*, host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings of the HTTP workers `xdept serve` runs (also the benchmark's)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": DEFAULT_TIMEOUT,
        "graceful_timeout": DEFAULT_TIMEOUT,
        "keepalive": KEEPALIVE,
        "backlog": BACKLOG,
        "proc_name": "xdept",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        # No gunicornc socket in $HOME: two servers on one host would fight over it.
        "control_socket_disable": True,
    }


def apply_options(cfg: Any, options: dict[str, Any]) -> None:
    """Set gunicorn options, skipping any an older gunicorn does not have."""
    for key, value in options.items():
        if key in cfg.settings:
            cfg.set(key, value)
