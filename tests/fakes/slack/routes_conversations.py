"""The conversations.* methods: join, open, info, members, history, replies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakes.slack.lookup import (
    find_channel,
    find_user,
    open_dm,
    paginate,
    readable_channel,
    visible_channel,
)
from tests.fakes.slack.params import JSON, SlackError, param_list, param_str, truthy
from tests.fakes.slack.records import Channel, Message

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack, Route


def conversations_join(fake: FakeSlack, params: JSON) -> JSON:
    channel = find_channel(fake, param_str(params, "channel"))
    if channel.private or channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.archived:
        raise SlackError("is_archived")
    result: JSON = {}
    if channel.bot_is_member:
        result["warning"] = "already_in_channel"
        result["response_metadata"] = {"warnings": ["already_in_channel"]}
    channel.bot_is_member = True
    result["channel"] = channel.to_api()
    return result


def conversations_open(fake: FakeSlack, params: JSON) -> JSON:
    existing = param_str(params, "channel")
    if existing:
        channel = visible_channel(fake, existing)
        return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
    users = param_list(params, "users")
    if not users:
        raise SlackError("users_list_not_supplied")
    for user_id in users:
        find_user(fake, user_id)
    if len(users) == 1:
        already = f"D{users[0]}" in fake._channels
        channel = open_dm(fake, users[0])
    else:
        channel_id = "G" + "".join(sorted(u.lstrip("UW") for u in users))[:20]
        already = channel_id in fake._channels
        channel = fake._channels.setdefault(
            channel_id,
            Channel(
                id=channel_id,
                name="mpdm-" + "--".join(sorted(users)),
                private=True,
                members=list(users),
                is_mpim=True,
            ),
        )
    info = channel.to_api() if truthy(params.get("return_im")) else {"id": channel.id}
    result: JSON = {"channel": info}
    if already:
        result.update({"no_op": True, "already_open": True})
    return result


def conversations_info(fake: FakeSlack, params: JSON) -> JSON:
    return {"channel": visible_channel(fake, param_str(params, "channel")).to_api()}


def conversations_members(fake: FakeSlack, params: JSON) -> JSON:
    channel = visible_channel(fake, param_str(params, "channel"))
    members = list(channel.members or [])
    if channel.bot_is_member and fake.bot_user_id not in members and not channel.is_im:
        members.append(fake.bot_user_id)
    return paginate(params, "members", members)


def _in_window(params: JSON, ts: str) -> bool:
    """Whether a message's ts lies between `oldest` and `latest` (exclusive unless
    `inclusive`), as conversations.history and .replies filter."""
    inclusive = truthy(params.get("inclusive"))
    value = float(ts)
    oldest, latest = param_str(params, "oldest"), param_str(params, "latest")
    if oldest is not None and (value < float(oldest) or (value == float(oldest) and not inclusive)):
        return False
    return latest is None or value < float(latest) or (value == float(latest) and inclusive)


def _listed(fake: FakeSlack, params: JSON, message: Message) -> JSON:
    """A message as history lists it: metadata only when asked for with include_all_metadata."""
    data = message.to_api(fake.team_id, fake.app_id)
    if not truthy(params.get("include_all_metadata")):
        data.pop("metadata", None)
    return data


def conversations_history(fake: FakeSlack, params: JSON) -> JSON:
    channel = readable_channel(fake, params)
    found = [
        _listed(fake, params, m)
        for m in reversed(fake._messages)
        if m.channel == channel.id
        and not m.deleted
        and (not m.is_reply or m.reply_broadcast)
        and _in_window(params, m.ts)
    ]
    page = paginate(params, "messages", found)
    page["has_more"] = bool(page["response_metadata"]["next_cursor"])
    return page


def conversations_replies(fake: FakeSlack, params: JSON) -> JSON:
    channel = readable_channel(fake, params)
    ts = param_str(params, "ts") or ""
    if (channel.id, ts) not in fake._message_index:
        raise SlackError("thread_not_found")
    found = [
        _listed(fake, params, m)
        for m in fake._messages
        if m.channel == channel.id
        and not m.deleted
        and ts in (m.ts, m.thread_ts)
        and (m.ts == ts or _in_window(params, m.ts))
    ]
    page = paginate(params, "messages", found)
    page["has_more"] = bool(page["response_metadata"]["next_cursor"])
    return page


METHODS: dict[str, Route] = {
    "conversations.join": conversations_join,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
}
