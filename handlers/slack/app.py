"""The Bolt app: every listener over one xdept App (Bolt checks each request's signature).

`build_bolt_app` is shared by `xdept serve` (behind gunicorn), `xdept socket`
and the tests. It runs listeners before answering (`process_before_response`)
and every listener acknowledges first and leaves slow work as a job (a thread
pool here, or the background process of `xdept serve`), so Slack gets its
answer well inside 3 seconds in both modes.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App as BoltApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot.bootstrap import App
from bot.config import ConfigError
from handlers.slack.jobs import JobSink, LocalJobs
from handlers.slack.listeners import (
    buttons,
    commands,
    decline,
    fallback,
    home,
    mention,
    reactions,
    threads,
    track,
)
from handlers.slack.messenger import make_client
from handlers.slack.resolver import Resolver
from handlers.slack.runtime import Deps

# Fallback last: Bolt gives a request to the first listener that matches it.
LISTENERS = (commands, buttons, decline, track, threads, reactions, home, mention, fallback)
# Slow work after the acknowledgement: mostly waiting on Slack and the database.
BACKGROUND_THREADS = 16


class _TokenInClient(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN and warns it goes unused: the client carries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def background_executor(threads: int = BACKGROUND_THREADS) -> ThreadPoolExecutor:
    """The pool listeners hand their slow work to."""
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="xdept-slack")


def build_bolt_app(
    app: App,
    *,
    signing_secret: str | None,
    token: str,
    client: WebClient | None = None,
    process_before_response: bool = True,
    resolver: Resolver | None = None,
    jobs: JobSink | None = None,
    socket_mode: bool = False,
) -> BoltApp:
    """The Bolt app with xdept's listeners (tests pass a client of their own)."""
    if not signing_secret and not socket_mode:
        # Without a secret every forged request would pass: HTTP mode refuses to start.
        raise ConfigError("SLACK_SIGNING_SECRET is required to answer Slack over HTTP")
    client = client or make_client(app.settings, token=token)
    if client.token is None:
        client.token = token
    resolver = resolver or Resolver(client)
    bolt_log = logging.getLogger("handlers.slack.bolt")
    if not any(isinstance(f, _TokenInClient) for f in bolt_log.filters):
        bolt_log.addFilter(_TokenInClient())
    bolt = BoltApp(
        client=client,  # carries the token
        signing_secret=signing_secret or "",
        process_before_response=process_before_response,
        # Check the token on the first request, not at start: a worker must boot while
        # Slack is unreachable, and answer as soon as it is back.
        token_verification_enabled=False,
        logger=bolt_log,
    )
    deps = Deps(
        app=app,
        resolver=resolver,
        client=client,
        jobs=jobs or LocalJobs(background_executor()),
    )
    for module in LISTENERS:
        module.register(bolt, deps)
    return bolt
