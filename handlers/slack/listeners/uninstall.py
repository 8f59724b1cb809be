"""`app_uninstalled` and `tokens_revoked`: the team's sending stops inside the request.

Handled at once rather than through the inbox: every moment counts while rows
for the team could still go out, and the work is one short transaction.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers.runtime.inbox import Route
from handlers.slack.runtime import Deps


def register(bolt: App, deps: Deps) -> None:
    """Listen for the app's removal."""

    def on_uninstalled(body: dict[str, Any]) -> None:
        deps.tenancy.removed(team=str(body.get("team_id") or ""), enterprise=_enterprise(body))

    def on_revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        tokens = event.get("tokens")
        tokens = tokens if isinstance(tokens, dict) else {}
        deps.tenancy.revoked(
            team=str(body.get("team_id") or ""),
            enterprise=_enterprise(body),
            bots=_ids(tokens.get("bot")),
            users=_ids(tokens.get("oauth")),
        )

    bolt.event("app_uninstalled")(on_uninstalled)
    bolt.event("tokens_revoked")(on_revoked)


def _ids(value: object) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _enterprise(body: dict[str, Any]) -> str | None:
    value = body.get("enterprise_id")
    return str(value) if value else None


def routes(deps: Deps) -> dict[str, Route]:
    """Nothing is left to the workers."""
    return {}
