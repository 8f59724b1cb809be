"""What the fake keeps: the workspace (users, channels, user groups) and what it
records (requests, messages, ephemerals, response_url posts, views, uploads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.fakes.slack.blocks import collect_text
from tests.fakes.slack.params import JSON, truthy

# Not API methods, but endpoints on the same server; usable as `fail_next` keys.
RESPONSE_URL = "response_url"
UPLOAD = "upload"


@dataclass
class Call:
    """One HTTP request the server received."""

    method: str
    params: JSON
    headers: dict[str, str]  # lower-cased names
    timestamp: float
    token: str | None = None
    path: str = ""
    http_method: str = "POST"
    body: bytes = b""
    status: int | None = None  # None until answered
    response: JSON | None = None


@dataclass
class User:
    """A person (or bot) in the fake workspace."""

    id: str
    name: str
    tz: str = "UTC"
    locale: str = "en-US"
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    real_name: str = ""
    display_name: str = ""
    email: str = ""
    deleted: bool = False
    bot_id: str | None = None

    def to_api(self, team_id: str, *, include_locale: bool = False) -> JSON:
        """The user object as `users.info` returns it."""
        zone = ZoneInfo(self.tz)
        now = datetime.now(zone)
        offset = now.utcoffset()
        profile: JSON = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "email": self.email,
            "team": team_id,
            "image_48": f"https://avatars.example/{self.id}_48.png",
        }
        if self.bot_id:
            profile["bot_id"] = self.bot_id
        data: JSON = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": now.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }
        if include_locale:
            data["locale"] = self.locale
        return data


@dataclass
class Channel:
    """A conversation: public or private channel, DM or group DM."""

    id: str
    name: str
    private: bool = False
    members: list[str] | None = None  # None: membership of people is not checked
    bot_is_member: bool = True
    archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None

    def to_api(self) -> JSON:
        """The channel object as `conversations.info` returns it."""
        data: JSON = {
            "id": self.id,
            "created": 1_700_000_000,
            "is_archived": self.archived,
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_private": self.private or self.is_im or self.is_mpim,
        }
        if self.is_im:
            data["user"] = self.im_user
            data["is_open"] = True
            return data
        data.update(
            {
                "name": self.name,
                "name_normalized": self.name,
                "is_channel": not self.private and not self.is_mpim,
                "is_group": self.private or self.is_mpim,
                "is_general": self.name == "general",
                "is_member": self.bot_is_member,
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }
        )
        if self.members is not None:
            data["num_members"] = len(self.members) + (1 if self.bot_is_member else 0)
        return data


@dataclass
class Usergroup:
    """A user group (`@logistics`)."""

    id: str
    handle: str
    name: str
    users: list[str] = field(default_factory=list)
    description: str = ""

    def to_api(self, team_id: str, *, include_users: bool) -> JSON:
        """The group object as `usergroups.list` returns it."""
        data: JSON = {
            "id": self.id,
            "team_id": team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": self.name,
            "description": self.description,
            "handle": self.handle,
            "is_external": False,
            "date_create": 1_700_000_000,
            "date_update": 1_700_000_000,
            "date_delete": 0,
            "auto_type": None,
            "created_by": "U0ADMIN",
            "updated_by": "U0ADMIN",
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
            "user_count": len(self.users),
            "channel_count": 0,
        }
        if include_users:
            data["users"] = list(self.users)
        return data


@dataclass
class Message:
    """A message in a channel: posted by the bot, or seeded by the test.

    The object is updated in place by `chat.update`, `chat.delete` and
    `reactions.add`; `edits` keeps the earlier versions.
    """

    channel: str
    ts: str
    text: str
    user: str
    blocks: list[JSON] | None = None
    thread_ts: str | None = None
    bot_id: str | None = None
    attachments: list[JSON] | None = None
    metadata: JSON | None = None
    reply_broadcast: bool = False
    deleted: bool = False
    edits: list[JSON] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)
    params: JSON = field(default_factory=dict)

    @property
    def is_reply(self) -> bool:
        """Whether the message sits in a thread under another message."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def all_text(self) -> str:
        """The text plus every text in its blocks and attachments."""
        return "\n".join(
            part
            for part in (self.text, collect_text(self.blocks), collect_text(self.attachments))
            if part
        )

    def to_api(self, team_id: str, app_id: str) -> JSON:
        """The message object as Slack returns it."""
        data: JSON = {"type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        if self.bot_id:
            data["bot_id"] = self.bot_id
            data["app_id"] = app_id
        data["team"] = team_id
        if self.blocks is not None:
            data["blocks"] = self.blocks
        if self.attachments:
            data["attachments"] = self.attachments
        if self.metadata:
            data["metadata"] = self.metadata
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.edits:
            data["edited"] = {"user": self.user, "ts": self.edits[-1]["edited_ts"]}
        if self.reactions:
            data["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in self.reactions.items()
            ]
        return data


@dataclass
class Ephemeral:
    """A message shown to one person only (`chat.postEphemeral`)."""

    channel: str
    user: str
    text: str
    message_ts: str
    blocks: list[JSON] | None = None
    thread_ts: str | None = None
    attachments: list[JSON] | None = None
    params: JSON = field(default_factory=dict)

    @property
    def all_text(self) -> str:
        """The text plus every text in its blocks and attachments."""
        return "\n".join(
            part
            for part in (self.text, collect_text(self.blocks), collect_text(self.attachments))
            if part
        )


@dataclass
class ResponsePost:
    """One POST to a `response_url(name)`."""

    name: str
    body: JSON
    headers: dict[str, str]
    timestamp: float

    @property
    def text(self) -> str:
        """The `text` field of the posted message."""
        return str(self.body.get("text") or "")

    @property
    def blocks(self) -> list[JSON] | None:
        """The `blocks` field of the posted message."""
        blocks = self.body.get("blocks")
        return blocks if isinstance(blocks, list) else None

    @property
    def response_type(self) -> str:
        """`ephemeral` (Slack's default) or `in_channel`."""
        return str(self.body.get("response_type") or "ephemeral")

    @property
    def replace_original(self) -> bool:
        """Whether the post replaces the message the action came from."""
        return truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        """Whether the post deletes the message the action came from."""
        return truthy(self.body.get("delete_original"))

    @property
    def all_text(self) -> str:
        """The text plus every text in its blocks and attachments."""
        return "\n".join(
            part
            for part in (
                self.text,
                collect_text(self.blocks),
                collect_text(self.body.get("attachments")),
            )
            if part
        )


@dataclass
class ViewCall:
    """One successful `views.open` / `views.push` / `views.update` / `views.publish`."""

    method: str
    view_id: str
    view: JSON  # the view as Slack returned it
    trigger_id: str | None = None
    user_id: str | None = None
    timestamp: float = 0.0

    @property
    def callback_id(self) -> str:
        """The view's callback_id."""
        return str(self.view.get("callback_id") or "")

    @property
    def all_text(self) -> str:
        """Every text in the view."""
        return collect_text(self.view)


@dataclass
class Upload:
    """A file going through `files.getUploadURLExternal` → upload → complete."""

    file_id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    alt_txt: str | None = None
    snippet_type: str | None = None
    completed: bool = False
    channel_id: str | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None

    @property
    def text(self) -> str:
        """The uploaded content decoded as UTF-8 (BOM removed)."""
        return (self.content or b"").decode("utf-8-sig")
