"""lark-oapi is loaded only on purpose, and then logs through the project's handlers."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

from handlers.feishu import sdk


def test_load_routes_the_sdks_logger_through_the_root() -> None:
    """After load(), the SDK's own stdout handler is gone and its records propagate."""
    lark = sdk.load()
    assert sdk.load() is lark
    sdk_logger = logging.getLogger(sdk.LOGGER)
    assert sdk_logger.handlers == [] and sdk_logger.propagate


def test_the_rest_of_xdept_never_imports_the_sdk() -> None:
    """The CLI, the Slack adapter and the Feishu modules that need no SDK leave it unloaded."""
    script = textwrap.dedent(
        """
        import sys
        import bot.cli, bot.bootstrap, handlers.slack.wsgi, handlers.console.messenger
        import handlers.feishu.cards, handlers.feishu.forms, handlers.feishu.events
        import handlers.feishu.verify, handlers.feishu.messenger, handlers.feishu.connect
        import handlers.feishu.directory, handlers.feishu.api, handlers.feishu.sdk
        print(sorted(m for m in sys.modules if m.startswith("lark_oapi")))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
