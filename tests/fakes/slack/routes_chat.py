"""The chat.* methods: post, update, ephemeral, permalink, delete."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from tests.fakes.slack.blocks import MAX_MESSAGE_BLOCKS, MAX_MESSAGE_TEXT, block_problems
from tests.fakes.slack.lookup import find_channel, find_user, postable_channel, visible_channel
from tests.fakes.slack.params import (
    JSON,
    RateLimited,
    SlackError,
    param_json,
    param_str,
    truthy,
)
from tests.fakes.slack.records import Ephemeral, Message

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack, Route


def message_content(params: JSON, *, require: bool) -> JSON:
    text = param_str(params, "text")
    blocks = param_json(params, "blocks", "invalid_blocks_format")
    attachments = param_json(params, "attachments", "invalid_attachments")
    metadata = param_json(params, "metadata", "invalid_metadata_format")
    if metadata is not None and not _metadata_ok(metadata):
        raise SlackError(
            "invalid_metadata_schema", "[ERROR] metadata needs event_type and event_payload"
        )
    if require and not text and not blocks and not attachments:
        raise SlackError("no_text")
    if text and len(text) > MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        problems = block_problems(blocks, MAX_MESSAGE_BLOCKS, "/blocks")
        if problems:
            raise SlackError("invalid_blocks", *problems)
    if attachments is not None and not isinstance(attachments, list):
        raise SlackError("invalid_attachments")
    return {"text": text, "blocks": blocks, "attachments": attachments, "metadata": metadata}


def _metadata_ok(metadata: Any) -> bool:
    """Message metadata as Slack takes it: an event type and a payload object."""
    return (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and bool(metadata["event_type"])
        and isinstance(metadata.get("event_payload"), dict)
    )


def _keep_pace(fake: FakeSlack, channel: str) -> None:
    """Refuse a post that comes sooner than the fake's per-channel interval allows."""
    if fake.chat_interval <= 0:
        return
    now = time.time()
    last = fake._last_post.get(channel)
    if last is not None and now - last < fake.chat_interval:
        fake.pace_violations.append((channel, now - last))
        raise RateLimited(max(1, math.ceil(fake.chat_interval - (now - last))))
    fake._last_post[channel] = now


def chat_post_message(fake: FakeSlack, params: JSON) -> JSON:
    channel = postable_channel(fake, param_str(params, "channel"))
    content = message_content(params, require=True)
    _keep_pace(fake, channel.id)
    thread_ts = param_str(params, "thread_ts")
    message = Message(
        channel=channel.id,
        ts=fake._next_ts(),
        text=content["text"] or "",
        user=fake.bot_user_id,
        blocks=content["blocks"],
        thread_ts=thread_ts,
        bot_id=fake.bot_id,
        attachments=content["attachments"],
        metadata=content["metadata"],
        reply_broadcast=truthy(params.get("reply_broadcast")),
        params=dict(params),
    )
    fake._store_message(message)
    return {
        "channel": channel.id,
        "ts": message.ts,
        "message": message.to_api(fake.team_id, fake.app_id),
    }


def own_message(fake: FakeSlack, params: JSON, ts_key: str) -> Message:
    channel = find_channel(fake, param_str(params, "channel"), users_open_dm=True)
    message = fake._message_index.get((channel.id, param_str(params, ts_key) or ""))
    if message is None or message.deleted:
        raise SlackError("message_not_found")
    return message


def chat_update(fake: FakeSlack, params: JSON) -> JSON:
    message = own_message(fake, params, "ts")
    if message.bot_id != fake.bot_id:
        raise SlackError("cant_update_message")
    if fake._channels[message.channel].archived:
        raise SlackError("is_archived")
    content = message_content(params, require=False)
    message.edits.append(
        {
            "text": message.text,
            "blocks": message.blocks,
            "attachments": message.attachments,
            "edited_ts": fake._next_ts(),
            "params": dict(params),
        }
    )
    # Slack keeps fields the update leaves out.
    if content["text"] is not None:
        message.text = content["text"]
    if content["blocks"] is not None:
        message.blocks = content["blocks"]
    if content["attachments"] is not None:
        message.attachments = content["attachments"]
    if content["metadata"] is not None:
        message.metadata = content["metadata"]
    return {
        "channel": message.channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(fake.team_id, fake.app_id),
    }


def chat_post_ephemeral(fake: FakeSlack, params: JSON) -> JSON:
    channel = postable_channel(fake, param_str(params, "channel"))
    user = find_user(fake, param_str(params, "user"))
    if channel.members is not None and user.id not in channel.members:
        raise SlackError("user_not_in_channel")
    content = message_content(params, require=True)
    ephemeral = Ephemeral(
        channel=channel.id,
        user=user.id,
        text=content["text"] or "",
        message_ts=fake._next_ts(),
        blocks=content["blocks"],
        thread_ts=param_str(params, "thread_ts"),
        attachments=content["attachments"],
        params=dict(params),
    )
    fake._ephemerals.append(ephemeral)
    return {"message_ts": ephemeral.message_ts}


def chat_get_permalink(fake: FakeSlack, params: JSON) -> JSON:
    channel = visible_channel(fake, param_str(params, "channel"))
    ts = param_str(params, "message_ts")
    if not ts:
        raise SlackError("invalid_arguments", "[ERROR] missing required field: message_ts")
    stored = fake._message_index.get((channel.id, ts))
    thread_ts = stored.thread_ts if stored is not None else None
    return {"channel": channel.id, "permalink": fake.permalink(channel.id, ts, thread_ts)}


def chat_delete(fake: FakeSlack, params: JSON) -> JSON:
    message = own_message(fake, params, "ts")
    if message.bot_id != fake.bot_id:
        raise SlackError("cant_delete_message")
    message.deleted = True
    return {"channel": message.channel, "ts": message.ts}


METHODS: dict[str, Route] = {
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "chat.delete": chat_delete,
}
