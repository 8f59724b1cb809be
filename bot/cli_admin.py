"""`xdept workspace list|purge` and `xdept secret-key [rotate]`: their arguments.

What they do is in bot.admin_commands, imported only when one of them runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.config import Settings

COMMANDS = ("workspace", "secret-key")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the commands to `xdept`'s parser."""
    ws = sub.add_parser("workspace", help="the workspaces served: list, purge")
    ws_sub = ws.add_subparsers(dest="workspace_command", required=True)
    ws_sub.add_parser("list", help="every workspace and its state")
    purge = ws_sub.add_parser("purge", help="delete every row of one workspace")
    purge.add_argument("workspace", help="the workspace's id on its platform (a team id)")
    purge.add_argument("--platform", help="when the id is known on several platforms")
    purge.add_argument("--yes", action="store_true", help="confirm without asking")

    key = sub.add_parser("secret-key", help="print a new XDEPT_SECRET_KEY; rotate: re-encrypt")
    key.add_argument(
        "action",
        nargs="?",
        choices=["rotate"],
        help="re-encrypt every stored secret under the first key of XDEPT_SECRET_KEY",
    )


def run(
    args: argparse.Namespace,
    settings: Settings,
    *,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Run one of COMMANDS; returns the exit status."""
    from bot import admin_commands as do

    if args.command == "secret-key":
        if args.action is None:
            print(do.generate_key(), file=stdout)
            return 0
        return do.rotate(settings, stdout)
    if args.workspace_command == "list":
        return do.list_workspaces(settings, stdout)
    return do.purge(
        settings,
        args.workspace,
        platform=args.platform,
        yes=args.yes,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    )
