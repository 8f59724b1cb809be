"""GUNICORN_CMD_ARGS for `xdept serve`, read with gunicorn's own command-line parser.

gunicorn applies that variable only in its own command-line application; xdept
configures gunicorn in code, so it reads the variable (from the environment or
`.env`) here, and its options win over the defaults and flags of `xdept serve`.
"""

from __future__ import annotations

import shlex
from typing import Any, NoReturn

from gunicorn.config import Config

from bot.config import ConfigError


class BadGunicornArgs(ConfigError):
    """GUNICORN_CMD_ARGS holds something gunicorn does not accept."""


def gunicorn_cmd_options(args: str | None) -> dict[str, Any]:
    """The gunicorn settings GUNICORN_CMD_ARGS names, by setting name (`--workers 4`: workers)."""
    if not args:
        return {}
    parser = Config().parser()

    def refuse(message: str) -> NoReturn:
        # argparse would print its usage and exit; one line says it better.
        raise BadGunicornArgs(f"GUNICORN_CMD_ARGS={args!r}: {message}")

    parser.error = refuse
    try:
        words = shlex.split(args)
    except ValueError as exc:  # an unclosed quote
        refuse(str(exc))
    parsed = parser.parse_args(words)
    return {k: v for k, v in vars(parsed).items() if v is not None and k != "args"}
