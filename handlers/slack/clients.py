"""Each team's WebClient and SlackMessenger, with that team's own token.

Listeners, inbox workers and the scheduler's delivery all ask here, so no call
for one team ever carries another's token. The token is looked up on every
call (an uninstall stops the very next one); the client and the messenger are
kept per token, so a team's connection settings, DM channels and retry state
are built once, and a reinstall (a new token) gets fresh ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from slack_sdk import WebClient

from bot.config import Settings
from bot.ports import DeliveryCode, DeliveryError, Messenger, WorkspaceAddress
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.team_tokens import NotInstalled, TeamAuth, TeamTokens, TokenUnchecked

# Teams whose clients are kept; beyond it the least recently used is rebuilt when needed.
MAX_TEAMS = 512


class SlackClients:
    """A WebClient per team, carrying that team's bot token."""

    def __init__(self, settings: Settings, tokens: TeamTokens, *, max_teams: int = MAX_TEAMS):
        self.settings = settings
        self.tokens = tokens
        self._max = max_teams
        self._lock = threading.Lock()
        # team -> (token, client, messenger)
        self._kept: OrderedDict[str, tuple[str, WebClient, SlackMessenger]] = OrderedDict()

    def auth(self, team_id: str) -> TeamAuth:
        """The team's token and bot ids; NotInstalled for a team this server does not serve."""
        return self.tokens.auth(team_id)

    def client(self, team_id: str) -> WebClient:
        """The team's client; NotInstalled if the app may not act there."""
        return self._entry(team_id)[1]

    def messenger(self, team_id: str) -> SlackMessenger:
        """The team's messenger; NotInstalled if the app may not act there."""
        return self._entry(team_id)[2]

    def _entry(self, team_id: str) -> tuple[str, WebClient, SlackMessenger]:
        token = self.tokens.auth(team_id).token
        with self._lock:
            kept = self._kept.get(team_id)
            if kept is not None and kept[0] == token:
                self._kept.move_to_end(team_id)
                return kept
        client = make_client(self.settings, token=token)
        entry = (token, client, SlackMessenger(client))
        with self._lock:
            self._kept[team_id] = entry
            self._kept.move_to_end(team_id)
            while len(self._kept) > self._max:
                self._kept.popitem(last=False)
        return entry


class SlackMessengers:
    """The delivery's directory for Slack: each team's messenger, or AUTH if not installed."""

    def __init__(self, clients: SlackClients) -> None:
        self.clients = clients

    def for_workspace(self, workspace: WorkspaceAddress) -> Messenger:
        """The team's messenger; DeliveryError(AUTH) for a team the app may not speak in."""
        try:
            return self.clients.messenger(workspace.external_id)
        except NotInstalled as exc:
            # Permanent: retrying cannot help until someone installs the app again.
            raise DeliveryError(DeliveryCode.AUTH, str(exc), hint="slack.hint.install") from exc
        except TokenUnchecked as exc:
            raise DeliveryError(DeliveryCode.UNREACHABLE, str(exc)) from exc
