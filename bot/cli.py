"""`xdept` entry point: demo, serve, worker, socket, feishu, scheduler, db, workspace, secret-key.

Only argparse is imported to read the command line: settings, storage and the
adapters are imported by the command that needs them, so `xdept --help`
starts about as fast as Python itself.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from bot import cli_admin

if TYPE_CHECKING:
    from bot.config import Settings

DEFAULT_INBOX_THREADS = 8
# Commands that serve a chat platform: they refuse mixed Slack credentials at start.
SERVING = ("serve", "socket", "worker", "feishu")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xdept", description="Keeps work between departments moving."
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="play a full scenario in a simulated workspace")
    demo.add_argument("--db", help="database URL (default: SQLite in a temporary file)")
    demo.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="the story's language (default zh)"
    )
    demo.add_argument(
        "--platform",
        choices=("console", "feishu"),
        default="console",
        help="how the bot's messages look: tagged lines (default) or Feishu cards",
    )

    serve = sub.add_parser(
        "serve", help="HTTP mode: POST /slack/events and /feishu/events, GET /healthz"
    )
    serve.add_argument("--port", type=int, help="port (default: PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    serve.add_argument("--workers", type=int, default=2, help="HTTP worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    serve.add_argument(
        "--inbox-threads",
        type=int,
        default=DEFAULT_INBOX_THREADS,
        help=f"threads of the inbox process (default {DEFAULT_INBOX_THREADS})",
    )
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the tick here")

    worker = sub.add_parser("worker", help="more inbox workers (beside one or more servers)")
    worker.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_INBOX_THREADS,
        help=f"worker threads (default {DEFAULT_INBOX_THREADS})",
    )
    worker.add_argument("--scheduler", action="store_true", help="run the tick here too")

    socket = sub.add_parser("socket", help="Slack Socket Mode (needs SLACK_APP_TOKEN)")
    socket.add_argument("--no-scheduler", action="store_true", help="do not run the tick here")

    feishu = sub.add_parser("feishu", help="Feishu / Lark commands")
    feishu_sub = feishu.add_subparsers(dest="feishu_command", required=True)
    connect = feishu_sub.add_parser(
        "connect", help="receive Feishu events over the long connection (no public URL)"
    )
    connect.add_argument("--no-scheduler", action="store_true", help="do not run the tick here")

    sched = sub.add_parser("scheduler", help="scheduler commands")
    sched_sub = sched.add_subparsers(dest="scheduler_command", required=True)
    once = sched_sub.add_parser("run-once", help="do everything due as of an instant, then exit")
    once.add_argument("--at", help="ISO-8601 instant (no offset: read in XDEPT_TIMEZONE)")

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    cli_admin.register(sub)
    return parser


class _Version(argparse.Action):
    """`--version`, reading the installed version only when asked (importlib.metadata
    costs more than the rest of `xdept --help`)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(f"xdept {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xdept")
    except PackageNotFoundError:
        return "unknown"


def parse_instant(value: str | None, tz: str) -> datetime:
    """`--at` value: ISO-8601; without an offset it is read in `tz`; none means now."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(
            f"xdept: --at {value!r} is not an ISO-8601 instant, e.g. 2026-11-23T09:30 "
            "or 2026-11-23T09:30+08:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed.astimezone(UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `xdept` command; returns the exit status."""
    args = _parser().parse_args(argv)
    from pydantic import ValidationError

    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"xdept: {error['msg']}", file=sys.stderr)
        return 2
    try:
        if args.command in SERVING:
            _ = settings.slack_mode  # refuses SLACK_BOT_TOKEN with SLACK_CLIENT_ID
        if args.command in cli_admin.COMMANDS:
            return cli_admin.run(
                args, settings, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr
            )
        return _dispatch(args, settings)
    except ConfigError as exc:
        print(f"xdept: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from storage.crypto import BadSecretKey
        from storage.failures import DatabaseFailure, describe_database_error

        if isinstance(exc, BadSecretKey):
            print(f"xdept: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, DatabaseFailure):
            print(f"xdept: {exc}", file=sys.stderr)
            return 1
        line = describe_database_error(exc, getattr(args, "db", None) or settings.database_url)
        if line is None:
            raise
        print(f"xdept: {line}", file=sys.stderr)
        return 1


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> None:
    """XDEPT_LOG_LEVEL and XDEPT_LOG_FORMAT; the platform SDKs stay at INFO; no secret logged."""
    from bot.logs import configure_logging as configure
    from handlers.slack.log_rules import SDK_LOGGERS, SECRET_PATTERNS

    configure(
        level=settings.xdept_log_level,
        fmt=settings.xdept_log_format,
        secrets=settings.secret_values(),
        patterns=SECRET_PATTERNS,
        quiet=(*SDK_LOGGERS, "lark_oapi", "Lark", "urllib3"),
        stream=stream,
    )


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "demo":
        from handlers.console.demo import run_demo

        return run_demo(db_url=args.db, lang=args.lang, platform=args.platform)
    if args.command == "db":
        from storage.db import make_engine
        from storage.migrate import current, upgrade

        engine = make_engine(settings.sqlalchemy_url)
        upgrade(engine)
        print(f"database at revision {current(engine)}")
        return 0
    configure_logging(settings)
    if args.command == "serve":
        from handlers.runtime.multiproc import prepare_multiprocess_dir

        # Before prometheus-client is first imported: its mode is fixed then.
        prepare_multiprocess_dir(settings.prometheus_multiproc_dir)
        from handlers.slack.server import serve

        port = args.port or settings.port
        return serve(
            settings,
            host=args.host,
            port=port,
            workers=args.workers,
            threads=args.threads,
            inbox_threads=args.inbox_threads,
            scheduler=not args.no_scheduler,
        )
    if args.command == "worker":
        from handlers.slack.worker import run_worker

        return run_worker(settings, threads=args.threads, scheduler=args.scheduler)
    if args.command == "socket":
        from handlers.slack.socket import run_socket

        return run_socket(settings, scheduler=not args.no_scheduler)
    if args.command == "feishu":
        from handlers.feishu.longconn import run_connect

        return run_connect(settings, scheduler=not args.no_scheduler)
    if args.command == "scheduler":
        from scheduler.runner import run_once

        at = parse_instant(args.at, settings.xdept_timezone)
        return run_once(settings, at=at)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
