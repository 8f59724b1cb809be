"""Setting up prometheus-client's multiprocess mode for `xdept serve` (handlers.runtime.metrics).

Importable without prometheus-client: the directory must be chosen before the
library is first imported, which fixes the mode for the life of the process.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(path: str | None = None) -> str:
    """A fresh directory for every process's counts, set in the environment the workers inherit.

    An operator's PROMETHEUS_MULTIPROC_DIR (`path`, from the environment or .env) is used
    and emptied (counts of an earlier run must not add up with this one's); without one,
    a new temporary directory.
    """
    path = path or os.environ.get(MULTIPROC_ENV)
    if path:
        os.environ[MULTIPROC_ENV] = path
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            if name.endswith(".db"):
                os.unlink(os.path.join(path, name))
    else:
        path = tempfile.mkdtemp(prefix="xdept-metrics-")
        os.environ[MULTIPROC_ENV] = path
    return path


def child_exit(_server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges go with it (its counts stay)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
