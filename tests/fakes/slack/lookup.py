"""Finding people and channels the way Slack resolves them (the fake's lock held).

Shared by the route modules: a user id or ``#name`` where Slack accepts one,
private channels the bot is not in looking absent, and Slack's cursor paging.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes.slack.params import JSON, SlackError, param_str
from tests.fakes.slack.records import Channel, User

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack


def find_user(fake: FakeSlack, user_id: str | None) -> User:
    user = fake._users.get(user_id or "")
    if user is None:
        raise SlackError("user_not_found")
    return user


def open_dm(fake: FakeSlack, user_id: str) -> Channel:
    find_user(fake, user_id)
    channel_id = f"D{user_id}"
    channel = fake._channels.get(channel_id)
    if channel is None:
        channel = Channel(
            id=channel_id,
            name=user_id,
            private=True,
            members=[user_id],
            is_im=True,
            im_user=user_id,
        )
        fake._channels[channel_id] = channel
    return channel


def find_channel(fake: FakeSlack, ref: str | None, *, users_open_dm: bool = False) -> Channel:
    """Resolve an id, `#name` or (where Slack allows it) a user id to a channel."""
    if not ref:
        raise SlackError("channel_not_found")
    channel = fake._channels.get(ref)
    if channel is not None:
        return channel
    if users_open_dm and ref[0] in "UW" and ref in fake._users:
        return open_dm(fake, ref)
    # A DM exists from the person's side before the bot opens it (app_home_opened
    # hands its id to the app), so a well-formed DM id of a known person resolves.
    if ref.startswith("D") and ref[1:] in fake._users:
        return open_dm(fake, ref[1:])
    name = ref.lstrip("#")
    for candidate in fake._channels.values():
        if candidate.name == name and not candidate.is_im:
            return candidate
    raise SlackError("channel_not_found")


def visible_channel(fake: FakeSlack, ref: str | None) -> Channel:
    """A channel the bot can see: private channels it is not in look absent."""
    channel = find_channel(fake, ref)
    if channel.private and not channel.bot_is_member:
        raise SlackError("channel_not_found")
    return channel


def postable_channel(fake: FakeSlack, ref: str | None) -> Channel:
    channel = find_channel(fake, ref, users_open_dm=True)
    if channel.private and not channel.bot_is_member:
        raise SlackError("channel_not_found")
    if channel.archived:
        raise SlackError("is_archived")
    if not channel.bot_is_member:
        raise SlackError("not_in_channel")
    return channel


def paginate(params: JSON, key: str, items: list[Any]) -> JSON:
    """Cursor pagination the way Slack shapes it (the cursor is an offset here)."""
    limit = int(params.get("limit") or 100) or 100
    start = int(params.get("cursor") or 0)
    end = start + limit
    next_cursor = str(end) if end < len(items) else ""
    return {key: items[start:end], "response_metadata": {"next_cursor": next_cursor}}


def readable_channel(fake: FakeSlack, params: JSON) -> Channel:
    channel = visible_channel(fake, param_str(params, "channel"))
    if not channel.bot_is_member:
        raise SlackError("not_in_channel")
    return channel
