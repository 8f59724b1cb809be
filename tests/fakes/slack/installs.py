"""Installing the app in several teams: OAuth v2 codes, each team's bot token, revocation.

A test registers what Slack would hand out when a team installs the app
(`add_install`: the code Slack puts in the redirect, the team, its bot token
and the installer); `oauth.v2.access` exchanges the code for them, checking
the app's client id and secret as Slack does (HTTP Basic). Every other call is
made with some team's token: `auth.test` answers that team's ids, and a token
`revoke_token` revoked answers `token_revoked`, as after an uninstall.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass

from tests.fakes.slack.params import JSON, SlackError


@dataclass(frozen=True)
class Install:
    """What Slack gives the app when one team installs it."""

    code: str
    team_id: str
    team_name: str
    token: str
    installer: str
    bot_user_id: str
    bot_id: str
    scope: str = "chat:write,commands"


class Installs:
    """`FakeSlack`'s installs: codes to exchange, tokens by team, revoked tokens."""

    _cond: threading.Condition
    _installs: dict[str, Install]
    _oauth_client: tuple[str, str] | None
    _revoked: set[str]
    _exchanged: set[str]

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """The app's credentials `oauth.v2.access` accepts."""
        with self._cond:
            self._oauth_client = (client_id, client_secret)

    def add_install(
        self,
        code: str,
        *,
        team_id: str,
        team_name: str,
        token: str,
        installer: str,
        bot_user_id: str,
        bot_id: str,
    ) -> None:
        """A code the redirect may carry, and what exchanging it installs."""
        with self._cond:
            self._installs[code] = Install(
                code, team_id, team_name, token, installer, bot_user_id, bot_id
            )
            self._revoked.discard(token)

    def revoke_token(self, token: str) -> None:
        """Slack forgets the token (the app was uninstalled): its calls get token_revoked."""
        with self._cond:
            self._revoked.add(token)

    def install_for_token(self, token: str | None) -> Install | None:
        """The install whose bot token this is."""
        with self._cond:
            return next((i for i in self._installs.values() if i.token == token), None)

    def token_refused(self, token: str) -> str | None:
        """The error a revoked token gets, or None."""
        with self._cond:
            return "token_revoked" if token in self._revoked else None


def oauth_v2_access(fake: Installs, authorization: str, params: JSON) -> JSON:
    """Exchange a code for the team's bot token (each code once, as Slack does)."""
    with fake._cond:
        client = fake._oauth_client
        if client is None:
            raise SlackError("invalid_client_id")
        basic = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
        given = (params.get("client_id"), params.get("client_secret"))
        if authorization != f"Basic {basic}" and given != client:
            raise SlackError("invalid_client_id")
        code = str(params.get("code") or "")
        install = fake._installs.get(code)
        if install is None or code in fake._exchanged:
            raise SlackError("invalid_code")
        fake._exchanged.add(code)
        fake._revoked.discard(install.token)
    return {
        "app_id": "A1",
        "access_token": install.token,
        "token_type": "bot",
        "scope": install.scope,
        "bot_user_id": install.bot_user_id,
        "team": {"id": install.team_id, "name": install.team_name},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": install.installer},
    }
