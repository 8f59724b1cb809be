"""Loading lark-oapi: once, on purpose, and with its logging brought in line.

Importing the SDK loads about ten thousand modules (seconds, more on a busy
machine), so nothing imports it unless Feishu is configured; `xdept serve`
calls `load()` before forking its workers, since importing it on the first
event would take longer than Feishu waits. The SDK also installs its own
handler that prints to stdout; `load()` removes it so its lines go through
the project's handlers (and their redaction) like every other logger's.
"""

from __future__ import annotations

import logging
import threading
from types import ModuleType

_lock = threading.Lock()
_loaded: ModuleType | None = None

LOGGER = "Lark"


def load() -> ModuleType:
    """Import lark_oapi (once) and route its logger through the root logger's handlers."""
    global _loaded
    with _lock:
        if _loaded is None:
            import lark_oapi

            sdk_logger = logging.getLogger(LOGGER)
            for handler in list(sdk_logger.handlers):
                sdk_logger.removeHandler(handler)
            sdk_logger.propagate = True
            _loaded = lark_oapi
        return _loaded
