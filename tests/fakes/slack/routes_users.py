"""The users.* and usergroups.* methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakes.slack.lookup import find_user, paginate
from tests.fakes.slack.params import JSON, SlackError, param_str, truthy

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack, Route


def users_info(fake: FakeSlack, params: JSON) -> JSON:
    user = find_user(fake, param_str(params, "user"))
    include_locale = truthy(params.get("include_locale"))
    return {"user": user.to_api(fake.team_id, include_locale=include_locale)}


def users_list(fake: FakeSlack, params: JSON) -> JSON:
    include_locale = truthy(params.get("include_locale"))
    members = [u.to_api(fake.team_id, include_locale=include_locale) for u in fake._users.values()]
    return paginate(params, "members", members)


def users_lookup_by_email(fake: FakeSlack, params: JSON) -> JSON:
    email = (param_str(params, "email") or "").lower()
    for user in fake._users.values():
        if user.email.lower() == email and not user.deleted:
            return {"user": user.to_api(fake.team_id)}
    raise SlackError("users_not_found")


def usergroups_list(fake: FakeSlack, params: JSON) -> JSON:
    include_users = truthy(params.get("include_users"))
    return {
        "usergroups": [
            g.to_api(fake.team_id, include_users=include_users) for g in fake._usergroups.values()
        ]
    }


def usergroups_users_list(fake: FakeSlack, params: JSON) -> JSON:
    group = fake._usergroups.get(param_str(params, "usergroup") or "")
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group.users)}


METHODS: dict[str, Route] = {
    "users.info": users_info,
    "users.list": users_list,
    "users.lookupByEmail": users_lookup_by_email,
    "usergroups.list": usergroups_list,
    "usergroups.users.list": usergroups_users_list,
}
