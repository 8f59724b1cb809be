"""The Bolt app: every listener over one xdept App, and the inbox handlers they leave work to.

`build_bolt_app` is shared by `xdept serve` (behind the front door),
`xdept socket` and the tests. Listeners run before the answer is sent
(`process_before_response`): each checks its payload, stores the work in the
inbox and acknowledges; whatever must be in the answer itself (a modal, a
form's errors) is done right there, after the row is stored.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App as BoltApp
from slack_bolt import BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.oauth_flow import OAuthFlow
from sqlalchemy.exc import SQLAlchemyError

from handlers.runtime.inbox import Route
from handlers.slack.listeners import (
    buttons,
    commands,
    decline,
    fallback,
    home,
    mention,
    minutes,
    people,
    reactions,
    status,
    threads,
    track,
    uninstall,
)
from handlers.slack.messenger import base_client
from handlers.slack.runtime import Deps, StoreUnavailable
from handlers.slack.tenancy import served_only

log = logging.getLogger(__name__)

# Fallback last: Bolt gives a request to the first listener that matches it.
LISTENERS = (
    uninstall,
    commands,
    buttons,
    decline,
    status,
    minutes,
    track,
    threads,
    reactions,
    home,
    people,
    mention,
    fallback,
)


class _TokenInClient(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN and warns it goes unused: the client carries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


class ListenerFailed(Exception):
    """A listener of ours failed (as opposed to Bolt failing to read a request)."""


def guarded(listener: Callable[..., None]) -> Callable[..., None]:
    """Wrap a listener so its failures are told apart from requests Bolt could not read."""

    @functools.wraps(listener)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            listener(*args, **kwargs)
        except StoreUnavailable:
            raise
        except SQLAlchemyError as exc:
            raise StoreUnavailable(str(exc)) from exc
        except Exception as exc:
            raise ListenerFailed(listener.__name__) from exc

    return run


def error_answer(error: Exception) -> BoltResponse:
    """What Slack is answered when a request could not be handled."""
    if isinstance(error, StoreUnavailable):
        # Not acknowledged: Slack retries events, and a person sees the command fail.
        log.error("the inbox is unavailable; request not acknowledged: %s", error)
        return BoltResponse(status=503, body="")
    if isinstance(error, ListenerFailed):
        log.error("listener %s failed", error, exc_info=error.__cause__)
        return BoltResponse(status=500, body="")
    # Bolt itself choked on a signed body of an unexpected shape: it cannot be read.
    log.info("refused a signed Slack request Bolt cannot read: %r", error)
    return BoltResponse(status=400, body="")


def build_bolt_app(deps: Deps, *, oauth_flow: OAuthFlow | None = None) -> BoltApp:
    """The Bolt app with xdept's listeners; each request runs with its own team's token.

    `oauth_flow`: the distributed app's install pages (handlers.slack.oauth).
    """
    bolt_log = logging.getLogger("handlers.slack.bolt")
    if not any(isinstance(f, _TokenInClient) for f in bolt_log.filters):
        bolt_log.addFilter(_TokenInClient())
    bolt = BoltApp(
        # Named, or Bolt inspects the call stack, which touches every module loaded: in a
        # worker forked from a preloaded server that copies most of their memory.
        name="xdept",
        # A client without a token: Bolt copies its settings into each request's client,
        # which gets the request's own team's token from `authorize`.
        client=base_client(deps.app.settings),
        before_authorize=deps.tenancy.gate,
        # An Authorize instance (not a bare function) is what Bolt accepts beside an
        # OAuth flow; its annotation only names the function form.
        authorize=deps.tenancy.authorize,  # type: ignore[arg-type]
        oauth_flow=oauth_flow,
        # The front door checks signatures on the raw bytes, before anything reaches Bolt;
        # Socket Mode needs none.
        signing_secret="",
        request_verification_enabled=False,
        process_before_response=True,
        # Check the token on the first request, not at start: a worker must boot while
        # Slack is unreachable, and answer as soon as it is back.
        token_verification_enabled=False,
        logger=bolt_log,
    )
    bolt.error(error_answer)
    for module in LISTENERS:
        module.register(bolt, deps)
    return bolt


def slack_routes(deps: Deps) -> dict[str, Route]:
    """The inbox handlers of every Slack listener, by row kind."""
    routes: dict[str, Route] = {}
    for module in LISTENERS:
        routes.update(module.routes(deps))
    # Only rows of teams this server serves are worked (the same rule as the gate's).
    return {kind: served_only(route, deps.clients) for kind, route in routes.items()}
