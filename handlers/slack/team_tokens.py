"""Which bot token serves a team: the one installed there, or the single workspace's.

Every outbound call names its team and asks `auth(team)` (or `bot_token(team)`);
a team the server does not serve raises NotInstalled, so nothing is ever sent
to one team with another's token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

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


class TokenUnchecked(Exception):
    """SLACK_BOT_TOKEN's team is not known yet: auth.test failed (Slack unreachable?)."""


@dataclass(frozen=True)
class TeamAuth:
    """What acting in a team takes: its bot token and the bot's own ids there."""

    team_id: str
    token: str = field(repr=False)  # never in a log line or a traceback
    bot_user_id: str | None = None
    bot_id: str | None = None


class TeamTokens(Protocol):
    """Gives a team's credentials, or raises NotInstalled."""

    def auth(self, team_id: str) -> TeamAuth:
        """The bot's token and ids for this team."""
        ...

    def bot_token(self, team_id: str) -> str:
        """The token to call Slack with for this team."""
        ...


class InstalledTokens:
    """Distributed app: each team's token from its installation, read when needed.

    Read on every call (one indexed row, opened in microseconds), not cached: an
    uninstall in any process stops every other process's next call at once.
    """

    def __init__(self, store: Store, box: SecretBox) -> None:
        self._store = store
        self._box = box

    def auth(self, team_id: str) -> TeamAuth:
        """The team's bot; NotInstalled if removed, never installed or unreadable."""
        with self._store.unit_of_work() as uow:
            record = InstallationRepository(uow.session, self._box).find(
                platform=PLATFORM, workspace=team_id
            )
        token = record.secrets.get("bot_token") if record is not None else None
        if record is None or not record.active or not token:
            raise NotInstalled(team_id, record.state if record is not None else None)
        details = record.details
        return TeamAuth(
            team_id=team_id,
            token=token,
            bot_user_id=details.get("bot_user_id"),
            bot_id=details.get("bot_id"),
        )

    def bot_token(self, team_id: str) -> str:
        """The team's bot token; NotInstalled if removed, never installed or unreadable."""
        return self.auth(team_id).token


class SingleTeamToken:
    """One workspace: SLACK_BOT_TOKEN serves its own team and no other.

    The team is learnt from auth.test on first need (not at start: a process must
    boot while Slack is unreachable), then kept for the life of the process.
    """

    def __init__(
        self,
        team_id: str | None,
        token: str,
        *,
        auth_test: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        self._token = token
        self._auth_test = auth_test
        self._lock = threading.Lock()
        self._identity: TeamAuth | None = (
            TeamAuth(team_id=team_id, token=token) if team_id is not None else None
        )

    @classmethod
    def from_auth_test(cls, client: WebClient) -> SingleTeamToken:
        """Learn the token's team from auth.test now (the client carries SLACK_BOT_TOKEN)."""
        tokens = cls.lazy(client)
        tokens.identity()
        return tokens

    @classmethod
    def lazy(cls, client: WebClient) -> SingleTeamToken:
        """The token's team learnt from auth.test when first needed."""
        assert client.token is not None

        def auth_test() -> Mapping[str, Any]:
            data = client.auth_test().data
            assert isinstance(data, dict)
            return data

        return cls(None, client.token, auth_test=auth_test)

    @property
    def team_id(self) -> str:
        """The one team served (auth.test on first use)."""
        return self.identity().team_id

    def identity(self) -> TeamAuth:
        """This token's team and bot ids; TokenUnchecked while auth.test fails."""
        with self._lock:
            if self._identity is not None:
                return self._identity
            assert self._auth_test is not None
            try:
                answer = self._auth_test()
            except (SlackApiError, SlackClientError, URLError, OSError) as exc:
                raise TokenUnchecked(f"auth.test failed for SLACK_BOT_TOKEN: {exc}") from exc
            self._identity = TeamAuth(
                team_id=str(answer["team_id"]),
                token=self._token,
                bot_user_id=answer.get("user_id"),
                bot_id=answer.get("bot_id"),
            )
            return self._identity

    def auth(self, team_id: str) -> TeamAuth:
        """The bot, for its own team only."""
        identity = self.identity()
        if team_id != identity.team_id:
            raise NotInstalled(team_id, None)
        return identity

    def bot_token(self, team_id: str) -> str:
        """The token, for its own team only."""
        return self.auth(team_id).token
