"""What the fake Feishu knows: one app in one tenant, its people, departments, chats
and messages, and a clock a test can move (token expiry, the 14-day edit window,
the one-hour `uuid` dedupe window)."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

TOKEN_LIFETIME = 7200
UUID_WINDOW = 3600
EDIT_WINDOW = 14 * 24 * 3600
CALLBACK_TOKEN_LIFETIME = 30 * 60
CALLBACK_TOKEN_USES = 2


def new_id(prefix: str) -> str:
    """An id shaped like Feishu's (prefix and 32 hex characters)."""
    return prefix + secrets.token_hex(16)


@dataclass
class User:
    """A person in the tenant (contact/v3 user)."""

    open_id: str
    name: str
    en_name: str = ""
    time_zone: str = "Asia/Shanghai"
    department_ids: list[str] = field(default_factory=list)
    leader_user_id: str | None = None
    is_tenant_manager: bool = False
    union_id: str = ""
    user_id: str = ""
    # Outside the app's availability: Feishu refuses to message them.
    available: bool = True

    def to_api(self) -> JSON:
        """The user object of GET contact/v3/users/:id."""
        data: JSON = {
            "open_id": self.open_id,
            "union_id": self.union_id or "on_" + self.open_id[3:],
            "user_id": self.user_id or self.open_id[3:11],
            "name": self.name,
            "en_name": self.en_name,
            "time_zone": self.time_zone,
            "department_ids": list(self.department_ids),
            "is_tenant_manager": self.is_tenant_manager,
            "status": {"is_activated": True, "is_frozen": False, "is_resigned": False},
        }
        if self.leader_user_id:
            data["leader_user_id"] = self.leader_user_id
        return data


@dataclass
class Department:
    """A department of the tenant's organisation (contact/v3 department)."""

    department_id: str
    name: str
    leader_user_id: str | None = None
    chat_id: str | None = None
    parent_department_id: str = "0"

    def to_api(self) -> JSON:
        """The department object of GET contact/v3/departments/:id."""
        data: JSON = {
            "name": self.name,
            "department_id": self.department_id,
            "open_department_id": self.department_id,
            "parent_department_id": self.parent_department_id,
            "status": {"is_deleted": False},
        }
        if self.leader_user_id:
            data["leader_user_id"] = self.leader_user_id
        if self.chat_id:
            data["chat_id"] = self.chat_id
        return data


@dataclass
class Chat:
    """A chat: a normal group, a topic group, or the bot's direct chat with someone."""

    chat_id: str
    name: str = ""
    chat_mode: str = "group"  # group | topic | p2p
    chat_type: str = "private"  # private | public
    bot_in_chat: bool = True
    disbanded: bool = False
    external: bool = False
    members: list[str] = field(default_factory=list)
    owner_id: str = ""

    @property
    def group_message_type(self) -> str:
        """Topic groups keep every message in a thread."""
        return "thread" if self.chat_mode == "topic" else "chat"

    def to_api(self, tenant_key: str) -> JSON:
        """The chat object of GET im/v1/chats/:id."""
        return {
            "name": self.name,
            "description": "",
            "owner_id": self.owner_id,
            "owner_id_type": "open_id",
            "chat_mode": self.chat_mode,
            "chat_type": self.chat_type,
            "group_message_type": self.group_message_type,
            "external": self.external,
            "tenant_key": tenant_key,
            "user_count": str(len(self.members)),
            "bot_count": "1" if self.bot_in_chat else "0",
        }


@dataclass
class Message:
    """A message the app sent, or one a person sent that the test put there."""

    message_id: str
    chat_id: str
    msg_type: str
    content: str  # the JSON string, as sent
    create_time: float
    sender_id: str  # app id for the bot, open_id for people
    sender_type: str = "app"
    root_id: str | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    uuid: str | None = None
    recalled: bool = False
    update_time: float | None = None
    history: list[str] = field(default_factory=list)  # earlier contents, oldest first

    @property
    def card(self) -> JSON | None:
        """The card, for interactive messages."""
        if self.msg_type != "interactive":
            return None
        value = json.loads(self.content)
        return value if isinstance(value, dict) else None

    @property
    def edits(self) -> int:
        """How many times the message was changed."""
        return len(self.history)

    def to_api(self, tenant_key: str) -> JSON:
        """The message object Feishu returns from create, reply and get."""
        data: JSON = {
            "message_id": self.message_id,
            "msg_type": self.msg_type,
            "create_time": str(int(self.create_time * 1000)),
            "update_time": str(int((self.update_time or self.create_time) * 1000)),
            "deleted": self.recalled,
            "updated": bool(self.history),
            "chat_id": self.chat_id,
            "sender": {
                "id": self.sender_id,
                "id_type": "app_id" if self.sender_type == "app" else "open_id",
                "sender_type": self.sender_type,
                "tenant_key": tenant_key,
            },
            "body": {"content": self.content},
        }
        for key in ("root_id", "parent_id", "thread_id"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass
class CallbackToken:
    """The token of one card callback: a delayed update within 30 minutes, twice."""

    token: str
    message_id: str
    issued: float
    uses: int = 0


class World:
    """The fake tenant's state behind one lock; `now()` is the fake's clock."""

    def __init__(self, *, app_id: str, tenant_key: str, bot_open_id: str) -> None:
        self.app_id = app_id
        self.tenant_key = tenant_key
        self.bot_open_id = bot_open_id
        self.lock = threading.RLock()
        self.offset = 0.0
        self.users: dict[str, User] = {}
        self.departments: dict[str, Department] = {}
        self.chats: dict[str, Chat] = {}
        self.messages: dict[str, Message] = {}
        self.order: list[str] = []  # message ids in the order they were made
        self.tokens: dict[str, float] = {}  # tenant token -> expiry (fake clock)
        self.revoked: dict[str, int] = {}  # tenant token -> code it is refused with
        self.uuids: dict[str, tuple[str, float]] = {}  # uuid -> (message id, when)
        self.images: dict[str, bytes] = {}
        self.files: dict[str, tuple[str, str, bytes]] = {}  # key -> (name, type, bytes)
        self.callback_tokens: dict[str, CallbackToken] = {}
        self.ephemerals: list[JSON] = []
        self._p2p: dict[str, str] = {}  # open_id -> the bot's direct chat with them
        self._seq = itertools.count(1)

    def now(self) -> float:
        """The fake's clock: wall time moved by `advance`."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (tokens expire, edit windows close)."""
        with self.lock:
            self.offset += seconds

    def issue_token(self) -> tuple[str, int]:
        """A new tenant access token and its lifetime in seconds."""
        token = "t-" + secrets.token_hex(20)
        with self.lock:
            self.tokens[token] = self.now() + TOKEN_LIFETIME
        return token, TOKEN_LIFETIME

    def token_problem(self, token: str | None) -> int | None:
        """None if the token is good, else the code Feishu refuses it with."""
        with self.lock:
            if not token:
                return 99991661
            if token in self.revoked:
                return self.revoked[token]
            expiry = self.tokens.get(token)
            if expiry is None or expiry <= self.now():
                return 99991663
        return None

    def revoke_tokens(self, code: int = 99991663) -> None:
        """Make every token issued so far fail with `code`, as after a secret reset."""
        with self.lock:
            for token in self.tokens:
                self.revoked[token] = code

    def p2p_chat(self, open_id: str) -> Chat:
        """The bot's direct chat with a person, made on first use."""
        with self.lock:
            chat_id = self._p2p.get(open_id)
            if chat_id is None:
                chat_id = new_id("oc_")
                self._p2p[open_id] = chat_id
                self.chats[chat_id] = Chat(
                    chat_id=chat_id, chat_mode="p2p", chat_type="p2p", members=[open_id]
                )
            return self.chats[chat_id]

    def add_message(self, message: Message) -> Message:
        """Store a message (sent by the app or put there by a test)."""
        with self.lock:
            self.messages[message.message_id] = message
            self.order.append(message.message_id)
        return message

    def seen_uuid(self, uuid: str) -> Message | None:
        """The message sent earlier with this uuid within Feishu's one-hour window."""
        with self.lock:
            found = self.uuids.get(uuid)
            if found and self.now() - found[1] < UUID_WINDOW:
                return self.messages.get(found[0])
        return None

    def remember_uuid(self, uuid: str, message_id: str) -> None:
        """Record a uuid for deduplication."""
        with self.lock:
            self.uuids[uuid] = (message_id, self.now())

    def new_callback_token(self, message_id: str) -> str:
        """A card callback token for a click on a message."""
        token = "c-" + secrets.token_hex(16)
        with self.lock:
            self.callback_tokens[token] = CallbackToken(token, message_id, self.now())
        return token
