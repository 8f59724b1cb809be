"""The WSGI application `xdept serve` runs: POST /slack/events and GET /healthz."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App as BoltApp
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.bootstrap import App, bootstrap
from bot.config import Settings
from handlers.slack.app import build_bolt_app
from handlers.slack.jobs import JobSink
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.resolver import Resolver
from storage.db import Store

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


class SlackWsgi:
    """Routes Slack's requests to Bolt and answers health checks from the database."""

    def __init__(self, bolt: BoltApp, app: App) -> None:
        self.bolt = bolt
        self.app = app
        self.store: Store = app.store
        self._slack = SlackRequestHandler(bolt, path=EVENTS_PATH)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == EVENTS_PATH:
            if method != "POST":
                return _answer(
                    start_response,
                    "405 Method Not Allowed",
                    {"error": "use POST"},
                    extra=[("Allow", "POST")],
                )
            if not _signature_headers_present(environ):
                # Bolt would fail on a malformed timestamp with a 500; it is simply unsigned.
                return _answer(start_response, "401 Unauthorized", {"error": "invalid request"})
            return self._slack(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if self.store.ping():
                return _answer(start_response, "200 OK", {"ok": True, "database": "up"})
            log.warning("health check: the database does not answer")
            return _answer(
                start_response, "503 Service Unavailable", {"ok": False, "database": "down"}
            )
        return _answer(start_response, "404 Not Found", {"error": "not found"})

    def close(self) -> None:
        """Release the database connections this app holds."""
        self.store.dispose()


def _signature_headers_present(environ: dict[str, Any]) -> bool:
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    return timestamp.isdigit() and signature.startswith("v0=")


def _answer(
    start_response: StartResponse,
    status: str,
    body: dict[str, Any],
    *,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    start_response(status, headers + (extra or []))
    return [data]


def create_wsgi_app(
    settings: Settings,
    *,
    app: App | None = None,
    jobs: JobSink | None = None,
) -> SlackWsgi:
    """Build everything a worker needs (called in each worker after the fork, never at import)."""
    settings.require("slack_bot_token", "slack_signing_secret")
    client = make_client(settings)
    resolver = Resolver(client)
    if app is None:
        app = bootstrap(
            settings,
            messenger=SlackMessenger(client),
            migrate=False,
            channel_private=resolver.channel_private,
        )
    bolt = build_bolt_app(
        app,
        signing_secret=settings.secret("slack_signing_secret"),
        token=settings.secret("slack_bot_token"),
        client=client,
        resolver=resolver,
        jobs=jobs,
    )
    return SlackWsgi(bolt, app)
