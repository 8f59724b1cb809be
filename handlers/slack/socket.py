"""`xdept socket`: the same listeners over Slack's Socket Mode (no public URL needed)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.bootstrap import App, bootstrap
from bot.config import Settings
from handlers.slack.app import background_executor, build_bolt_app
from handlers.slack.jobs import JobSink, LocalJobs
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.resolver import Resolver
from handlers.slack.scheduling import Running, start_scheduler

log = logging.getLogger(__name__)


def build_socket_handler(
    settings: Settings, *, jobs: JobSink | None = None
) -> tuple[SocketModeHandler, App]:
    """The Socket Mode handler over a fully wired app (it connects only when started)."""
    settings.require("slack_bot_token", "slack_app_token")
    client = make_client(settings)
    resolver = Resolver(client)
    app = bootstrap(
        settings, messenger=SlackMessenger(client), channel_private=resolver.channel_private
    )
    signing = settings.slack_signing_secret
    bolt = build_bolt_app(
        app,
        signing_secret=signing.get_secret_value() if signing else None,
        token=settings.secret("slack_bot_token"),
        client=client,
        resolver=resolver,
        jobs=jobs,
        socket_mode=True,
    )
    return SocketModeHandler(bolt, app_token=settings.secret("slack_app_token")), app


def run_socket(settings: Settings, *, scheduler: bool) -> int:
    """Connect to Slack and answer until SIGINT or SIGTERM; returns the exit status."""
    # The pool is ours to shut down, so stopping leaves no thread behind.
    pool = background_executor()
    handler, app = build_socket_handler(settings, jobs=LocalJobs(pool))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: closing the Socket Mode connection", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    running: Running | None = None
    if scheduler:
        try:
            running = start_scheduler(app)
        except Exception:
            log.exception("the scheduler could not start; Slack requests are still answered")
    handler.connect()
    log.info("connected to Slack over Socket Mode")
    try:
        stop.wait()
    finally:
        handler.close()
        if running is not None:
            running.shutdown()
        pool.shutdown(wait=True)
    return 0
