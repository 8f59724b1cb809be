"""Which bot token serves a team: the one installed there, or the single workspace's.

Every outbound call names its team and asks `bot_token(team)`; a team the
server does not serve raises NotInstalled, so nothing is ever sent to one
team with another's token.
"""

from __future__ import annotations

from typing import Protocol

from slack_sdk import WebClient

from handlers.slack.installation_store import PLATFORM
from storage.crypto import SecretBox
from storage.db import Store
from storage.repositories.installations import InstallationRepository
from storage.tenancy_models import InstallationState


class NotInstalled(Exception):
    """The app has no usable token for this team; `state` says why (None: never installed)."""

    def __init__(self, team_id: str, state: InstallationState | None) -> None:
        why = state.value if state is not None else "never installed"
        super().__init__(f"xdept is not installed in Slack workspace {team_id} ({why})")
        self.team_id = team_id
        self.state = state


class TeamTokens(Protocol):
    """Gives the bot token for a team, or raises NotInstalled."""

    def bot_token(self, team_id: str) -> str:
        """The token to call Slack with for this team."""
        ...


class InstalledTokens:
    """Distributed app: each team's token from its installation, read when needed."""

    def __init__(self, store: Store, box: SecretBox) -> None:
        self._store = store
        self._box = box

    def bot_token(self, team_id: str) -> str:
        """The team's bot token; NotInstalled if removed, never installed or unreadable."""
        with self._store.unit_of_work() as uow:
            record = InstallationRepository(uow.session, self._box).find(
                platform=PLATFORM, workspace=team_id
            )
        token = record.secrets.get("bot_token") if record is not None else None
        if record is None or not record.active or not token:
            raise NotInstalled(team_id, record.state if record is not None else None)
        return token


class SingleTeamToken:
    """One workspace: SLACK_BOT_TOKEN serves its own team and no other."""

    def __init__(self, team_id: str, token: str) -> None:
        self.team_id = team_id
        self._token = token

    @classmethod
    def from_auth_test(cls, client: WebClient) -> SingleTeamToken:
        """Learn the token's team from auth.test (the client carries SLACK_BOT_TOKEN)."""
        assert client.token is not None
        return cls(str(client.auth_test()["team_id"]), client.token)

    def bot_token(self, team_id: str) -> str:
        """The token, for its own team only."""
        if team_id != self.team_id:
            raise NotInstalled(team_id, None)
        return self._token
