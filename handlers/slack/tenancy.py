"""Which Slack teams this server serves: the gate before every listener, Bolt's authorize,
and what happens when a team removes the app.

- One workspace (SLACK_BOT_TOKEN): the token's own team, learnt from auth.test.
- Distributed (SLACK_CLIENT_ID): every team that installed through OAuth, each
  with its own token (handlers.slack.team_tokens).

A correctly signed request from any other team is refused before a listener
sees it, and nothing about it is stored: a command gets a private "not
installed here" with the install link, anything else a bare 200 (Slack must
not retry it), and the log says so once per team per hour. `app_uninstalled`
and `tokens_revoked` pass the gate even though the team is gone: they are
what stops its sending.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext

from bot.config import Settings
from bot.i18n import t
from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.clients import SlackClients
from handlers.slack.installation_store import PLATFORM, DatabaseInstallationStore
from handlers.slack.oauth import install_url
from handlers.slack.team_tokens import NotInstalled, TeamAuth, TokenUnchecked
from storage.db import Store, UnitOfWork
from storage.inbox import TaskState
from storage.stopping import cancel_pending
from storage.tenancy_models import InstallationState

log = logging.getLogger(__name__)

# Events that arrive after (or as) the team removed the app: handled without its token.
REMOVAL_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})
# Requests that name no team and need none (Slack's own checks).
_NO_TEAM_TYPES = frozenset({"url_verification", "ssl_check"})
# A refused team is logged once in this many seconds.
LOG_EVERY = 3600.0
_AUTH_KEY = "xdept_team_auth"
# Marks a refusal for the front door's metrics (it strips the header before answering).
OUTCOME_HEADER = "x-xdept-outcome"
NOT_SERVED = "not_installed"


def stop_team(uow: UnitOfWork, team: str, now: datetime) -> None:
    """In the transaction that records a removal: cancel the team's pending work."""
    stopped = cancel_pending(uow.session, platform=PLATFORM, workspace=team, now=now)
    if stopped.inbox or stopped.outbox:
        log.info(
            "Slack workspace %s: cancelled %d waiting request(s) and %d message(s)",
            team,
            stopped.inbox,
            stopped.outbox,
        )


def served_only(route: Route, clients: SlackClients) -> Route:
    """An inbox handler that first checks its row's team is still served.

    A row stored for a team that has since removed the app (or, after switching
    SLACK_BOT_TOKEN, another team's) is cancelled: nothing is done and nothing sent.
    """

    def work(task: Task, finish: Finish) -> None:
        try:
            clients.auth(task.workspace)
        except NotInstalled as exc:
            log.warning("inbox row %d (%s): %s; cancelled", task.id, task.kind, exc)
            with finish(state=TaskState.CANCELLED, error=str(exc)):
                return
        route.work(task, finish)

    return Route(work=work, give_up=route.give_up)


class TeamAuthorize(Authorize):
    """Bolt's authorize: the request's team's own token (the gate already looked it up)."""

    def __init__(self, clients: SlackClients) -> None:
        self.clients = clients

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_kwargs: Any,
    ) -> AuthorizeResult | None:
        auth = context.get(_AUTH_KEY)
        if not isinstance(auth, TeamAuth):
            if team_id is None:
                return None
            try:
                auth = self.clients.auth(team_id)
            except (NotInstalled, TokenUnchecked):
                return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=auth.team_id,
            bot_user_id=auth.bot_user_id,
            bot_id=auth.bot_id,
            bot_token=auth.token,
            user_id=user_id,
        )


class Tenancy:
    """The teams this server serves, and their removal."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        clients: SlackClients,
        *,
        installations: DatabaseInstallationStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clients = clients
        self.installations = installations
        self.authorize = TeamAuthorize(clients)
        self._clock = clock
        self._monotonic = monotonic
        self._logged: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- the gate (Bolt's before_authorize middleware) -------------------------------------

    def gate(
        self, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Let a request of a served team through; answer any other one here."""
        body = req.body if isinstance(req.body, dict) else {}
        refusal = self.admit(body, req.context.team_id, context=req.context)
        return next() if refusal is None else refusal

    def admit(
        self, body: dict[str, Any], team: str | None, *, context: BoltContext | None = None
    ) -> BoltResponse | None:
        """None for a request this server serves (its team's auth put in `context`), or the
        answer to one it does not."""
        kind = body.get("type")
        if (isinstance(kind, str) and kind in _NO_TEAM_TYPES) or _event_type(
            body
        ) in REMOVAL_EVENTS:
            return None
        if not isinstance(team, str) or not team:
            self._refused("?", "the request names no team")
            return BoltResponse(status=200, body="", headers={OUTCOME_HEADER: NOT_SERVED})
        try:
            auth = self.clients.auth(team)
        except NotInstalled as exc:
            self._refused(team, str(exc))
            return self._refusal(body, exc)
        except TokenUnchecked as exc:
            # Not acknowledged: Slack retries events; a person sees the command fail.
            log.error("cannot tell which team SLACK_BOT_TOKEN serves yet: %s", exc)
            return BoltResponse(status=503, body="")
        if context is not None:
            context[_AUTH_KEY] = auth
        return None

    def _refusal(self, body: dict[str, Any], exc: NotInstalled) -> BoltResponse:
        if "command" not in body:
            return BoltResponse(status=200, body="", headers={OUTCOME_HEADER: NOT_SERVED})
        locale = self.settings.xdept_locale
        if self.installations is None:
            words = t(locale, "slack.other_workspace")
        else:
            link = install_url(self.settings) or t(locale, "slack.no_install_link")
            key = (
                "slack.needs_reinstall"
                if exc.state is InstallationState.NEEDS_REINSTALL
                else "slack.not_installed"
            )
            words = t(locale, key, link=link)
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": words}),
            headers={"content-type": "application/json;charset=utf-8", OUTCOME_HEADER: NOT_SERVED},
        )

    def _refused(self, team: str, why: str) -> None:
        now = self._monotonic()
        with self._lock:
            last = self._logged.get(team)
            if last is not None and now - last < LOG_EVERY:
                return
            self._logged[team] = now
        log.warning("refused a signed request from Slack team %s: %s; nothing stored", team, why)

    # -- removal ---------------------------------------------------------------------------

    def removed(self, *, team: str, enterprise: str | None) -> None:
        """app_uninstalled: stop all sending for the team at once."""
        if self.installations is not None:
            self.installations.delete_installation(enterprise_id=enterprise, team_id=team)
            return
        self._stop_single(team)

    def revoked(
        self, *, team: str, enterprise: str | None, bots: list[str], users: list[str]
    ) -> None:
        """tokens_revoked: a revoked bot token stops the team; user tokens are only forgotten."""
        if self.installations is not None:
            if bots:
                self.installations.delete_bot(enterprise_id=enterprise, team_id=team)
            for user in users:
                self.installations.delete_installation(
                    enterprise_id=enterprise, team_id=team, user_id=user
                )
            return
        if bots:
            self._stop_single(team)

    def _stop_single(self, team: str) -> None:
        # One workspace: SLACK_BOT_TOKEN no longer works there; nothing more can be sent.
        try:
            self.clients.auth(team)
        except (NotInstalled, TokenUnchecked) as exc:
            log.warning("ignored the removal of the app from team %s: %s", team, exc)
            return
        with self.store.unit_of_work() as uow:
            stop_team(uow, team, self._clock())
        log.warning(
            "Slack workspace %s removed the app: pending work cancelled; a new "
            "SLACK_BOT_TOKEN is needed to resume",
            team,
        )


def _event_type(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    if body.get("type") == "event_callback" and isinstance(event, dict):
        kind = event.get("type")
        return kind if isinstance(kind, str) else None
    return None
