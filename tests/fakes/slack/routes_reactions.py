"""The reactions.* methods: the bot's own reactions on stored messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakes.slack.lookup import visible_channel
from tests.fakes.slack.params import JSON, SlackError, param_str
from tests.fakes.slack.records import Message

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack, Route


def reaction_target(fake: FakeSlack, params: JSON) -> Message:
    channel = visible_channel(fake, param_str(params, "channel"))
    ts = param_str(params, "timestamp") or ""
    message = fake._message_index.get((channel.id, ts))
    if message is None or message.deleted:
        raise SlackError("message_not_found")
    return message


def reactions_add(fake: FakeSlack, params: JSON) -> JSON:
    message = reaction_target(fake, params)
    name = (param_str(params, "name") or "").strip(":")
    if not name:
        raise SlackError("invalid_name")
    users = message.reactions.setdefault(name, [])
    if fake.bot_user_id in users:
        raise SlackError("already_reacted")
    users.append(fake.bot_user_id)
    return {}


def reactions_remove(fake: FakeSlack, params: JSON) -> JSON:
    message = reaction_target(fake, params)
    name = (param_str(params, "name") or "").strip(":")
    users = message.reactions.get(name, [])
    if fake.bot_user_id not in users:
        raise SlackError("no_reaction")
    users.remove(fake.bot_user_id)
    if not users:
        del message.reactions[name]
    return {}


def reactions_get(fake: FakeSlack, params: JSON) -> JSON:
    message = reaction_target(fake, params)
    return {
        "type": "message",
        "channel": message.channel,
        "message": message.to_api(fake.team_id, fake.app_id),
    }


METHODS: dict[str, Route] = {
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
    "reactions.get": reactions_get,
}
