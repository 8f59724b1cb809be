"""Slack's endpoint behind the front door: POST /slack/events.

The signature is checked on the raw bytes first (slack_sdk's
SignatureVerifier): a forged request gets 401 whatever its body, before
anything parses it. A signed body that cannot be read (not UTF-8, not JSON
where JSON is due, `payload=` that is not a JSON object) gets 400; an event
without an event in it is acknowledged and ignored. A slash command goes
straight to the command listener's intake (Bolt's dispatch costs more than
storing it); everything else, and a command that opens a form, Bolt routes to
a listener; a request no listener takes is still acknowledged.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App as BoltApp
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from bot.metrics import ACK_SECONDS, REQUESTS
from handlers.runtime.frontdoor import Endpoint, FrontDoor, Request, Response
from handlers.runtime.metrics import MetricsPage
from handlers.runtime.ready import ReadyPage
from handlers.slack.adapter import SlackAdapter, build_slack
from handlers.slack.app import error_answer
from handlers.slack.installation_store import PLATFORM
from handlers.slack.listeners import commands
from handlers.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from handlers.slack.runtime import StoreUnavailable
from handlers.slack.tenancy import OUTCOME_HEADER
from storage.db import Store

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
_INTERACTIONS = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "message_action",
        "shortcut",
        "view_submission",
        "view_closed",
        "interactive_message",
    }
)
_TIMESTAMP = re.compile(r"^\d{1,12}$")
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")
# How old a signed request may be (Slack's rule, as the verifier applies it).
FRESHNESS = 5 * 60


Direct = Callable[[dict[str, str]], BoltResponse | None]


class SlackEndpoint:
    """Verifies, reads and dispatches one Slack request.

    `direct` takes a slash command's form before Bolt does (handlers.slack.listeners.
    commands.take_directly): the answer, or None to leave it to Bolt.
    """

    def __init__(self, bolt: BoltApp, signing_secret: str, *, direct: Direct | None = None) -> None:
        self.bolt = bolt
        self.verifier = SignatureVerifier(signing_secret)
        self.direct = direct

    def __call__(self, request: Request) -> Response:
        started = time.perf_counter()
        kind, response = self._answer(request)
        ACK_SECONDS.labels(PLATFORM).observe(time.perf_counter() - started)
        outcome = _outcome(response.status)
        if any(name.lower() == OUTCOME_HEADER for name, _ in response.headers):
            # The gate refused the team: its own word for the metrics, not sent to Slack.
            outcome = next(v for n, v in response.headers if n.lower() == OUTCOME_HEADER)
            headers = [(n, v) for n, v in response.headers if n.lower() != OUTCOME_HEADER]
            response = Response(response.status, response.body, headers)
        REQUESTS.labels(PLATFORM, kind, outcome).inc()
        return response

    def _answer(self, request: Request) -> tuple[str, Response]:
        """The request's kind (for the metrics) and its answer."""
        if not self._signed(request):
            return "unsigned", Response.json(401, {"error": "invalid request"})
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            log.info("refused a signed Slack request that cannot be read: %r", exc)
            return "unreadable", Response.json(400, {"error": "unreadable body"})
        direct = self._direct(text, request.headers.get("content-type", ""))
        if direct is not None:
            return "command", bolt_response(direct)
        try:
            # Bolt parses the body here, as it will read it (once for both of us).
            bolt_request = BoltRequest(
                body=text, query=request.query, headers=dict(request.headers)
            )
        except Exception as exc:  # not UTF-8, not the JSON it claims to be, a shape Bolt chokes on
            log.info("refused a signed Slack request that cannot be read: %r", exc)
            return "unreadable", Response.json(400, {"error": "unreadable body"})
        body = bolt_request.body
        if not isinstance(body, dict):
            log.info("refused a signed Slack request whose body is not an object")
            return "unreadable", Response.json(400, {"error": "unreadable body"})
        kind = request_kind(body)
        if body.get("type") == "event_callback" and not _has_event(body):
            log.info("ignored an event callback without an event to handle")
            return kind, Response(200)
        answer = self.bolt.dispatch(bolt_request)
        if answer.status == 404:  # no listener: acknowledged, so Slack does not retry
            log.info("no listener for a %s request; acknowledged", body.get("type"))
            return kind, Response(200)
        return kind, bolt_response(answer)

    def _direct(self, text: str, content_type: str) -> BoltResponse | None:
        """A slash command's answer without Bolt, or None to let Bolt dispatch the request."""
        if self.direct is None or "command=" not in text or "payload=" in text:
            return None
        if content_type.startswith("application/json") or text.startswith("{"):
            return None
        form = dict(parse_qsl(text, keep_blank_values=True))
        try:
            return self.direct(form)
        except StoreUnavailable as exc:
            return error_answer(exc)

    def _signed(self, request: Request) -> bool:
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        # Checked first: the verifier itself fails on a timestamp that is not a number.
        if not _TIMESTAMP.match(timestamp) or not _SIGNATURE.match(signature):
            return False
        try:
            return self.verifier.is_valid(
                body=request.body, timestamp=timestamp, signature=signature
            )
        except UnicodeDecodeError:
            # The verifier reads the body as text; Slack signs bytes. A body that is no
            # text is checked on its bytes (then refused as unreadable if it was signed).
            expected = hmac.new(
                self.verifier.signing_secret.encode(),
                b"v0:" + timestamp.encode() + b":" + request.body,
                hashlib.sha256,
            ).hexdigest()
            return hmac.compare_digest(f"v0={expected}", signature) and self._fresh(timestamp)

    def _fresh(self, timestamp: str) -> bool:
        return abs(self.verifier.clock.now() - int(timestamp)) <= FRESHNESS


def bolt_response(answer: BoltResponse) -> Response:
    """Bolt's answer as the front door's."""
    headers = [(k, v) for k, values in answer.headers.items() for v in values]
    body_out = answer.body if isinstance(answer.body, str) else str(answer.body)
    return Response(answer.status, body_out.encode("utf-8"), headers)


def request_kind(body: dict[str, Any]) -> str:
    """What a Slack request is, for the metrics: command, event, interaction, or other."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    if isinstance(kind, str) and kind in _INTERACTIONS:
        return "interaction"
    return "other"


def _outcome(status: int) -> str:
    if status == 401:
        return "forged"
    if status < 300:
        return "ok"
    return "refused" if status < 500 else "error"


class OAuthPages:
    """GET /slack/install and /slack/oauth_redirect through Bolt's OAuth flow."""

    def __init__(self, flow: OAuthFlow) -> None:
        self.flow = flow

    def install(self, request: Request) -> Response:
        """The "Add to Slack" page (a fresh state, and its browser cookie)."""
        REQUESTS.labels(PLATFORM, "install", "ok").inc()
        return bolt_response(self.flow.handle_installation(self._bolt(request)))

    def redirect(self, request: Request) -> Response:
        """Slack's redirect back: the state checked, the code exchanged, the install kept."""
        answer = self.flow.handle_callback(self._bolt(request))
        REQUESTS.labels(PLATFORM, "oauth_redirect", _outcome(answer.status)).inc()
        return bolt_response(answer)

    def _bolt(self, request: Request) -> BoltRequest:
        return BoltRequest(body="", query=request.query, headers=dict(request.headers))


def _has_event(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return isinstance(event, dict) and isinstance(event.get("type"), str)


def front_door(adapter: SlackAdapter) -> FrontDoor:
    """The front door: Slack's endpoint, the install pages of a distributed app, and the
    health, readiness and metrics pages over the adapter's store."""
    secret = adapter.app.settings.secret("slack_signing_secret")
    store = adapter.app.store
    direct = functools.partial(commands.take_directly, adapter.deps)
    pages: dict[str, Endpoint] = {
        READY_PATH: ReadyPage(store),
        METRICS_PATH: MetricsPage(store),
    }
    if adapter.oauth_flow is not None:
        oauth = OAuthPages(adapter.oauth_flow)
        pages[INSTALL_PATH] = oauth.install
        pages[REDIRECT_PATH] = oauth.redirect
    return FrontDoor(
        {EVENTS_PATH: SlackEndpoint(adapter.bolt, secret, direct=direct)},
        pages=pages,
        healthy=store.ping,
        on_close=store.dispose,
    )


def create_wsgi_app(settings: Settings, **kwargs: Any) -> FrontDoor:
    """Build a worker's application (in each worker after the fork, never at import).

    Its connections are not pinged before each use: the acknowledgement would wait on
    one more round trip to the database. A connection the database dropped fails its
    statement instead, and storing the request tries once more (handlers.runtime.inbox).
    """
    settings.require("slack_signing_secret")
    if "app" not in kwargs:
        kwargs["store"] = Store.from_url(settings.sqlalchemy_url, pool_pre_ping=False)
    return front_door(build_slack(settings, **kwargs))
