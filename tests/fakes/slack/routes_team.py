"""The workspace-level methods: api.test, auth.test, team.info, apps.connections.open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakes.slack.params import JSON, SlackError

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack, Route


def api_test(fake: FakeSlack, params: JSON) -> JSON:
    return {"args": dict(params)}


def auth_test(fake: FakeSlack, params: JSON) -> JSON:
    install = fake.install_for_token(fake.current_token)
    if install is not None:  # a token some team got through OAuth: that team's ids
        return {
            "url": f"https://{install.team_id.lower()}.slack.com/",
            "team": install.team_name,
            "user": fake.bot_name,
            "team_id": install.team_id,
            "user_id": install.bot_user_id,
            "bot_id": install.bot_id,
            "is_enterprise_install": False,
        }
    return {
        "url": f"https://{fake.team_domain}.slack.com/",
        "team": fake.team_name,
        "user": fake.bot_name,
        "team_id": fake.team_id,
        "user_id": fake.bot_user_id,
        "bot_id": fake.bot_id,
        "is_enterprise_install": False,
    }


def team_info(fake: FakeSlack, params: JSON) -> JSON:
    return {
        "team": {
            "id": fake.team_id,
            "name": fake.team_name,
            "domain": fake.team_domain,
            "email_domain": "example.com",
            "icon": {"image_default": True},
        }
    }


def apps_connections_open(fake: FakeSlack, params: JSON) -> JSON:
    # Slack answers this for an app-level token (xapp-) of an app with Socket Mode on.
    if fake.socket_mode_url is None:
        raise SlackError("not_allowed_token_type")
    return {"url": f"{fake.socket_mode_url}?ticket={fake._next_id('T')}"}


METHODS: dict[str, Route] = {
    "api.test": api_test,
    "auth.test": auth_test,
    "team.info": team_info,
    "apps.connections.open": apps_connections_open,
}
