"""The fake's installs: codes exchanged once for a team's token, auth.test by token, revocation."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import FakeSlack


def test_codes_tokens_and_revocation() -> None:
    with FakeSlack() as slack:
        slack.set_oauth_client("1.2", "shh")
        slack.add_install(
            "c1",
            team_id="TX",
            team_name="X",
            token="xoxb-x",
            installer="UI",
            bot_user_id="UBX",
            bot_id="BBX",
        )
        client = WebClient(base_url=slack.api_url)
        with pytest.raises(SlackApiError, match="invalid_client_id"):
            client.oauth_v2_access(client_id="1.2", client_secret="wrong", code="c1")
        got = client.oauth_v2_access(client_id="1.2", client_secret="shh", code="c1")
        assert (got["access_token"], got["team"]["id"], got["authed_user"]["id"]) == (
            "xoxb-x",
            "TX",
            "UI",
        )
        with pytest.raises(SlackApiError, match="invalid_code"):  # each code once
            client.oauth_v2_access(client_id="1.2", client_secret="shh", code="c1")
        assert slack.calls_to("oauth.v2.access")[-1].token is None
        team = WebClient(token="xoxb-x", base_url=slack.api_url)
        assert (team.auth_test()["team_id"], team.auth_test()["bot_id"]) == ("TX", "BBX")
        assert WebClient(token="xoxb-other", base_url=slack.api_url).auth_test()["team_id"] == "T1"
        slack.revoke_token("xoxb-x")
        with pytest.raises(SlackApiError, match="token_revoked"):
            team.chat_postMessage(channel="C1", text="hi")
