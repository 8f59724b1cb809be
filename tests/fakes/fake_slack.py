"""A local Slack Web API server over real HTTP, for tests.

`FakeSlack` listens on 127.0.0.1 (a free port) and answers the Web API methods
xdept uses the way Slack does: HTTP 200 with ``{"ok": true, ...}``, errors as
HTTP 200 with ``{"ok": false, "error": "..."}``, rate limits as HTTP 429 with
``Retry-After``. It keeps a small workspace (users, channels, user groups,
messages, views, files) seeded by the test, records every request, and can be
told to fail or slow down the next calls of a method.

Usage::

    with FakeSlack() as slack:
        slack.add_user("U1", "alice", tz="Asia/Shanghai")
        slack.add_channel("C1", "logistics", members=["U1"])
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert slack.messages("C1")[0].text == "hi"

As a pytest fixture::

    @pytest.fixture
    def slack() -> Iterator[FakeSlack]:
        with FakeSlack() as fake:
            yield fake

Besides ``/api/<method>``, the server answers ``POST /response/<name>``
(``response_url(name)``: what a slash command or an action's ``response_url``
receives) and ``POST /upload/<file_id>`` (the ``upload_url`` handed out by
``files.getUploadURLExternal``), so ``WebClient.files_upload_v2`` works end to
end. With a `tests.fakes.fake_socket_mode.FakeSocketMode` attached,
``apps.connections.open`` hands out its ``ws://`` URL, for Socket Mode.
"""

from __future__ import annotations

import itertools
import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

_T = TypeVar("_T")

JSON = dict[str, Any]

# Slack's documented limits; checking them here catches messages and views
# that the real API would refuse.
MAX_MESSAGE_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2_000
MAX_ID_LENGTH = 255
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3_000

# Not API methods, but endpoints on the same server; usable as `fail_next` keys.
RESPONSE_URL = "response_url"
UPLOAD = "upload"


class SlackError(Exception):
    """An API error, answered as HTTP 200 ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def body(self) -> JSON:
        """The JSON body Slack sends for this error."""
        data: JSON = {"ok": False, "error": self.error}
        if self.messages:
            data["response_metadata"] = {"messages": self.messages}
        return data


def collect_text(obj: Any) -> str:
    """All human-readable text in a message, block list or view, joined by newlines."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(obj)
    return "\n".join(found)


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
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        """Whether the post deletes the message the action came from."""
        return _truthy(self.body.get("delete_original"))

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


@dataclass
class _Fault:
    status: int
    error: str | None
    retry_after: int | None
    delay: float
    remaining: int

    @property
    def fails(self) -> bool:
        return self.status != 200 or self.error is not None

    def answer(self) -> tuple[int, dict[str, str], JSON]:
        error = self.error
        if error is None:
            error = "ratelimited" if self.status == 429 else "internal_error"
        headers: dict[str, str] = {}
        if self.status == 429 and self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return self.status, headers, {"ok": False, "error": error}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _str(params: JSON, key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _list(params: JSON, key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _json_param(params: JSON, key: str, error: str) -> Any:
    """A parameter that is JSON in a JSON body and a JSON string in a form body."""
    value = params.get(key)
    if isinstance(value, str):
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise SlackError(error, f"[ERROR] {key} is not valid JSON") from exc
    return value


def _check_text_object(obj: Any, pointer: str, limit: int, problems: list[str]) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        problems.append(f"[ERROR] must be a text object [json-pointer:{pointer}]")
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        problems.append(f"[ERROR] must be more than 0 characters [json-pointer:{pointer}/text]")
    elif len(text) > limit:
        problems.append(
            f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}/text]"
        )


def _check_element(element: Any, pointer: str, problems: list[str]) -> None:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        problems.append(f"[ERROR] must be an element [json-pointer:{pointer}]")
        return
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > MAX_ID_LENGTH:
        problems.append(f"[ERROR] action_id too long [json-pointer:{pointer}/action_id]")
    if element["type"] == "button":
        _check_text_object(element.get("text"), f"{pointer}/text", MAX_BUTTON_TEXT, problems)
        value = element.get("value")
        if isinstance(value, str) and len(value) > MAX_BUTTON_VALUE:
            problems.append(f"[ERROR] value too long [json-pointer:{pointer}/value]")


def _block_problems(blocks: Any, limit: int, prefix: str) -> list[str]:
    """What Slack would reject in a list of blocks (a useful subset of its checks)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{prefix}]"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{prefix}]")
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        pointer = f"{prefix}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] must be a block object [json-pointer:{pointer}]")
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if len(block_id) > MAX_ID_LENGTH:
                problems.append(f"[ERROR] block_id too long [json-pointer:{pointer}/block_id]")
            if block_id in seen_ids:
                problems.append(f"[ERROR] duplicate block_id [json-pointer:{pointer}/block_id]")
            seen_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"[ERROR] must provide text or fields [json-pointer:{pointer}]")
            if "text" in block:
                _check_text_object(block["text"], f"{pointer}/text", MAX_SECTION_TEXT, problems)
            fields = block.get("fields") or []
            if len(fields) > MAX_SECTION_FIELDS:
                problems.append(f"[ERROR] too many fields [json-pointer:{pointer}/fields]")
            for n, item in enumerate(fields):
                _check_text_object(item, f"{pointer}/fields/{n}", MAX_FIELD_TEXT, problems)
            if "accessory" in block:
                _check_element(block["accessory"], f"{pointer}/accessory", problems)
        elif kind == "header":
            _check_text_object(block.get("text"), f"{pointer}/text", MAX_HEADER_TEXT, problems)
        elif kind in ("actions", "context"):
            elements = block.get("elements")
            most = 25 if kind == "actions" else 10
            if not isinstance(elements, list) or not 1 <= len(elements) <= most:
                problems.append(
                    f"[ERROR] must have 1 to {most} elements [json-pointer:{pointer}/elements]"
                )
            elif kind == "actions":
                for n, element in enumerate(elements):
                    _check_element(element, f"{pointer}/elements/{n}", problems)
    return problems


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # A benchmark opens up to 50 connections at once; the default backlog of 5
    # would turn bursts into connection resets.
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, fake: FakeSlack, host: str) -> None:
        self.fake = fake
        super().__init__((host, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        # A client that hangs up mid-request is normal under load, not a fault.
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        if isinstance(exc, Exception):
            self.fake._record_error(exc)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so keep-alive clients reuse connections; every answer carries
    # a Content-Length, which keep-alive needs.
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"
    sys_version = ""
    timeout = 60  # drop idle keep-alive connections eventually
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle
        # plus delayed ACKs add ~40 ms per keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and benchmarks read stderr."""

    def do_GET(self) -> None:
        """Serve a GET (Slack accepts GET with a query string for most methods)."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST."""
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        fake = self.server.fake
        body = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            status, extra, payload = fake._handle_http(self.command, self.path, headers, body)
        except Exception as exc:  # answer, and keep the failure for the test to see
            fake._record_error(exc)
            status, extra = 500, {"Content-Type": "application/json; charset=utf-8"}
            payload = json.dumps({"ok": False, "error": f"fake_slack_failure: {exc!r}"}).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


_JSON_TYPE = "application/json; charset=utf-8"


class FakeSlack:
    """A local Slack Web API over real HTTP, with a seeded workspace and a request log."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        team_name: str = "xdept test",
        team_domain: str = "xdept-test",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        bot_name: str = "xdept",
        app_id: str = "A1",
        valid_tokens: Iterable[str] | None = None,
        ts_base: int = 1_700_000_000,
        host: str = "127.0.0.1",
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.valid_tokens = set(valid_tokens) if valid_tokens is not None else None
        self._host = host
        self._ts_base = ts_base
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        # One re-entrant lock guards all state; the condition lets tests wait
        # for work a Bolt listener does after it has acknowledged.
        self._cond = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._usergroups: dict[str, Usergroup] = {}
        self._messages: list[Message] = []
        self._message_index: dict[tuple[str, str], Message] = {}
        self._ephemerals: list[Ephemeral] = []
        self._response_posts: list[ResponsePost] = []
        self._view_calls: list[ViewCall] = []
        self._views: dict[str, JSON] = {}
        self._home_views: dict[str, str] = {}
        self._uploads: dict[str, Upload] = {}
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._latency: dict[str, float] = {}
        self.errors: list[BaseException] = []
        # Set by a FakeSocketMode: the ws:// URL `apps.connections.open` hands out.
        self.socket_mode_url: str | None = None

        self._methods: dict[str, Callable[[JSON], JSON]] = {
            "api.test": self._api_test,
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.delete": self._chat_delete,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "reactions.get": self._reactions_get,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.upload": self._files_upload_retired,
            "team.info": self._team_info,
        }
        self.add_user(bot_user_id, bot_name, is_bot=True, bot_id=bot_id)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> FakeSlack:
        """Start serving on a free port in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self._server = _Server(self, self._host)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-slack-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, for ``WebClient(base_url=...)`` or ``SLACK_API_URL``."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "default") -> str:
        """A URL on this server that records POSTs, for a payload's ``response_url``."""
        return f"{self.base_url}/response/{name}"

    def upload_url(self, file_id: str) -> str:
        """Where the bytes of a file started with `files.getUploadURLExternal` go."""
        return f"{self.base_url}/upload/{file_id}"

    def permalink(self, channel: str, ts: str, thread_ts: str | None = None) -> str:
        """The permalink Slack would give for a message (as `chat.getPermalink` does)."""
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel}"
        return link

    # ------------------------------------------------------------------ seeding

    def add_user(
        self,
        id: str,
        name: str,
        tz: str = "UTC",
        locale: str = "en-US",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        deleted: bool = False,
        bot_id: str | None = None,
    ) -> User:
        """Add (or replace) a person in the workspace."""
        ZoneInfo(tz)  # fail at seeding time, not inside a request
        user = User(
            id=id,
            name=name,
            tz=tz,
            locale=locale,
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            real_name=real_name if real_name is not None else name.title(),
            display_name=display_name if display_name is not None else name,
            email=email if email is not None else f"{name}@example.com",
            deleted=deleted,
            bot_id=bot_id,
        )
        with self._cond:
            self._users[id] = user
        return user

    def add_channel(
        self,
        id: str,
        name: str,
        private: bool = False,
        members: Iterable[str] | None = None,
        bot_is_member: bool = True,
    ) -> Channel:
        """Add (or replace) a channel; `members` lists people (the bot is `bot_is_member`)."""
        channel = Channel(
            id=id,
            name=name.lstrip("#"),
            private=private,
            members=list(members) if members is not None else None,
            bot_is_member=bot_is_member,
        )
        with self._cond:
            self._channels[id] = channel
        return channel

    def archive_channel(self, id: str) -> None:
        """Archive a channel: posting to it then answers `is_archived`."""
        with self._cond:
            self._channels[id].archived = True

    def add_usergroup(
        self,
        id: str,
        handle: str,
        name: str,
        users: Iterable[str] | None = None,
        *,
        description: str = "",
    ) -> Usergroup:
        """Add (or replace) a user group."""
        group = Usergroup(
            id=id,
            handle=handle.lstrip("@"),
            name=name,
            users=list(users or []),
            description=description,
        )
        with self._cond:
            self._usergroups[id] = group
        return group

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[JSON] | None = None,
    ) -> Message:
        """Seed a message written by a person (for reactions, permalinks, history)."""
        with self._cond:
            message = Message(
                channel=channel,
                ts=ts or self._next_ts(),
                text=text,
                user=user,
                blocks=blocks,
                thread_ts=thread_ts,
            )
            self._store_message(message)
            return message

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        """Seed a reaction by a person on a stored message."""
        with self._cond:
            message = self._message_index[(channel, ts)]
            users = message.reactions.setdefault(name, [])
            if user not in users:
                users.append(user)

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM channel with a person: always ``"D" + user_id``."""
        with self._cond:
            return self._dm(user_id).id

    # ------------------------------------------------------------------ recordings

    @property
    def calls(self) -> list[Call]:
        """Every request received, in arrival order (a copy)."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The requests for one API method (or `response_url` / `upload`), in order."""
        with self._cond:
            return [call for call in self._calls if call.method == method]

    def messages(
        self,
        channel: str | None = None,
        *,
        thread_ts: str | None = None,
        include_deleted: bool = False,
        include_seeded: bool = False,
    ) -> list[Message]:
        """Messages the bot posted, in order; optionally in one channel or one thread.

        `thread_ts` selects the thread's parent and its replies. Seeded messages
        (`add_message`) are left out unless `include_seeded`.
        """
        with self._cond:
            found = []
            for message in self._messages:
                if channel is not None and message.channel != channel:
                    continue
                if thread_ts is not None and thread_ts not in (message.ts, message.thread_ts):
                    continue
                if message.deleted and not include_deleted:
                    continue
                if message.bot_id is None and not include_seeded:
                    continue
                found.append(message)
            return found

    def message(self, channel: str, ts: str) -> Message | None:
        """The stored message at (channel, ts), bot's or seeded, or None."""
        with self._cond:
            return self._message_index.get((channel, ts))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The replies (by anyone, not the parent) in a thread, oldest first."""
        with self._cond:
            return [
                m
                for m in self._messages
                if m.channel == channel
                and m.thread_ts == thread_ts
                and m.ts != thread_ts
                and not m.deleted
            ]

    @property
    def ephemerals(self) -> list[Ephemeral]:
        """Ephemeral messages posted, in order (a copy)."""
        with self._cond:
            return list(self._ephemerals)

    def ephemerals_to(self, user: str) -> list[Ephemeral]:
        """Ephemeral messages shown to one person, in order."""
        with self._cond:
            return [e for e in self._ephemerals if e.user == user]

    def response_posts(self, name: str | None = None) -> list[ResponsePost]:
        """Posts to `response_url(name)` (all names when None), in order."""
        with self._cond:
            return [p for p in self._response_posts if name is None or p.name == name]

    @property
    def views(self) -> list[ViewCall]:
        """Successful views.open / push / update / publish calls, in order (a copy)."""
        with self._cond:
            return list(self._view_calls)

    def view(self, view_id: str) -> JSON | None:
        """The current state of a view by id."""
        with self._cond:
            return self._views.get(view_id)

    def home_view(self, user_id: str) -> JSON | None:
        """The Home tab last published for a person."""
        with self._cond:
            view_id = self._home_views.get(user_id)
            return self._views.get(view_id) if view_id else None

    @property
    def uploads(self) -> list[Upload]:
        """Files started with `files.getUploadURLExternal`, in order (a copy)."""
        with self._cond:
            return list(self._uploads.values())

    def reset_calls(self) -> None:
        """Forget the recorded requests (workspace state and other records stay)."""
        with self._cond:
            self._calls.clear()

    def reset_records(self) -> None:
        """Forget requests, messages, ephemerals, response posts, views, uploads and faults."""
        with self._cond:
            self._calls.clear()
            self._messages.clear()
            self._message_index.clear()
            self._ephemerals.clear()
            self._response_posts.clear()
            self._view_calls.clear()
            self._views.clear()
            self._home_views.clear()
            self._uploads.clear()
            self._faults.clear()
            self._latency.clear()

    # ------------------------------------------------------------------ waiting

    def wait_until(
        self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Block until `predicate()` holds (it is re-checked on every request); else fail."""
        with self._cond:
            if not self._cond.wait_for(predicate, timeout=timeout):
                raise AssertionError(f"FakeSlack: timed out after {timeout}s waiting for {what}")

    def _wait_for(
        self, found: Callable[[], list[_T]], count: int, timeout: float, what: str
    ) -> list[_T]:
        """Wait until `found()` holds `count` records; return them (read under the lock)."""
        self.wait_until(lambda: len(found()) >= count, timeout=timeout, what=what)
        with self._cond:
            return found()

    def wait_for_calls(self, method: str, count: int = 1, *, timeout: float = 5.0) -> list[Call]:
        """Wait until `count` requests to `method` have been answered; return them all."""
        return self._wait_for(
            lambda: [c for c in self._calls if c.method == method and c.status is not None],
            count,
            timeout,
            f"{count} answered call(s) to {method}",
        )

    def wait_for_messages(
        self, channel: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[Message]:
        """Wait until the bot has posted `count` messages (in `channel`); return them."""
        return self._wait_for(
            lambda: self.messages(channel),
            count,
            timeout,
            f"{count} message(s) in {channel or 'any channel'}",
        )

    def wait_for_ephemerals(
        self, user: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[Ephemeral]:
        """Wait until `count` ephemeral messages (to `user`) were posted; return them."""
        return self._wait_for(
            lambda: [e for e in self._ephemerals if user is None or e.user == user],
            count,
            timeout,
            f"{count} ephemeral(s) to {user or 'anyone'}",
        )

    def wait_for_response_posts(
        self, name: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[ResponsePost]:
        """Wait until `count` posts reached `response_url(name)`; return them."""
        return self._wait_for(
            lambda: self.response_posts(name),
            count,
            timeout,
            f"{count} post(s) to response_url {name or '(any)'}",
        )

    def wait_for_views(
        self, method: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[ViewCall]:
        """Wait until `count` view calls (of `method`) succeeded; return them."""
        return self._wait_for(
            lambda: [v for v in self._view_calls if method is None or v.method == method],
            count,
            timeout,
            f"{count} view call(s) {method or ''}",
        )

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = 1,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` calls to `method` fail; faults queue up in order.

        - default, or ``status=429``: HTTP 429 ``ratelimited`` with ``Retry-After``;
        - ``status=500`` (any 5xx): that status with ``internal_error``;
        - ``error="not_in_channel"``: HTTP 200 ``{"ok": false, "error": ...}``.

        `method` may also be ``"response_url"``, ``"upload"`` or ``"*"`` (any
        method without a fault of its own). `delay` answers that much later.
        """
        if status is None:
            status = 200 if error is not None else 429
        self._queue_fault(method, _Fault(status, error, retry_after, delay, times))

    def slow_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` calls to `method` normally, `seconds` late."""
        self._queue_fault(method, _Fault(200, None, None, seconds, times))

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every answer (to `method`, or to all when None) until changed."""
        with self._cond:
            self._latency[method or "*"] = seconds

    def clear_faults(self) -> None:
        """Drop queued faults and latencies."""
        with self._cond:
            self._faults.clear()
            self._latency.clear()

    def _queue_fault(self, method: str, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._faults.setdefault(method, deque()).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining == 0:
                    queue.popleft()
                return fault
        return None

    def _latency_for(self, method: str) -> float:
        return self._latency.get(method, self._latency.get("*", 0.0))

    # ------------------------------------------------------------------ HTTP

    def _record_error(self, exc: BaseException) -> None:
        with self._cond:
            self.errors.append(exc)

    def _handle_http(
        self, verb: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path.startswith("/api/"):
            return self._handle_api(path[len("/api/") :], verb, raw_path, query, headers, body)
        if path.startswith("/response/") and verb == "POST":
            return self._handle_response_url(path[len("/response/") :], raw_path, headers, body)
        if path.startswith("/upload/") and verb == "POST":
            return self._handle_upload(path[len("/upload/") :], raw_path, headers, body)
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _begin(self, method: str, call: Call) -> tuple[_Fault | None, float]:
        with self._cond:
            self._calls.append(call)
            fault = self._take_fault(method)
            delay = fault.delay if fault is not None and fault.delay else self._latency_for(method)
        if delay:
            time.sleep(delay)
        return fault, delay

    def _finish(self, call: Call, status: int, data: JSON) -> None:
        with self._cond:
            call.status = status
            call.response = data
            self._cond.notify_all()

    def _handle_api(
        self,
        method: str,
        verb: str,
        raw_path: str,
        query: JSON,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes]:
        params: JSON = dict(query)
        parse_error: str | None = None
        content_type = headers.get("content-type", "").lower()
        if body and "application/json" in content_type:
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                params.update(decoded)
            else:
                parse_error = "invalid_json"
        elif body and "multipart/form-data" not in content_type:
            try:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                parse_error = "invalid_form_data"
        authorization = headers.get("authorization", "")
        token: str | None = None
        if authorization.startswith("Bearer "):
            token = authorization[len("Bearer ") :].strip()
        if not token and params.get("token"):
            token = str(params.pop("token"))
        params.pop("token", None)  # never keep a credential in recorded params
        call = Call(
            method=method,
            params=params,
            headers=headers,
            timestamp=time.time(),
            token=token or None,
            path=raw_path,
            http_method=verb,
            body=body,
        )
        fault, _ = self._begin(method, call)
        extra: dict[str, str] = {"Content-Type": _JSON_TYPE}
        if fault is not None and fault.fails:
            status, fault_headers, data = fault.answer()
            extra.update(fault_headers)
        else:
            status = 200
            try:
                data = self._api(method, params, token, parse_error)
            except SlackError as exc:
                data = exc.body()
        self._finish(call, status, data)
        return status, extra, json.dumps(data, ensure_ascii=False).encode("utf-8")

    def _api(self, method: str, params: JSON, token: str | None, parse_error: str | None) -> JSON:
        handler = self._methods.get(method)
        if handler is None:
            raise SlackError("unknown_method")
        if not token:
            raise SlackError("not_authed")
        if self.valid_tokens is not None and token not in self.valid_tokens:
            raise SlackError("invalid_auth")
        if parse_error:
            raise SlackError(parse_error)
        with self._cond:
            result = handler(params)
        return {"ok": True, **result}

    def _handle_response_url(
        self, name: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        call = Call(
            method=RESPONSE_URL,
            params={"name": name},
            headers=headers,
            timestamp=time.time(),
            path=raw_path,
            body=body,
        )
        fault, _ = self._begin(RESPONSE_URL, call)
        if fault is not None and fault.fails:
            status, extra, data = fault.answer()
            self._finish(call, status, data)
            return status, {"Content-Type": _JSON_TYPE, **extra}, json.dumps(data).encode()
        payload: Any
        try:
            text = body.decode("utf-8")
            if "application/json" in headers.get("content-type", "").lower():
                payload = json.loads(text or "{}")
            else:
                form = dict(parse_qsl(text, keep_blank_values=True))
                payload = json.loads(form["payload"]) if "payload" in form else form
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            # Slack refuses a body it cannot read the same way.
            self._finish(call, 400, {"ok": False, "error": "invalid_payload"})
            return 400, {"Content-Type": "text/html"}, b"invalid_payload"
        with self._cond:
            self._response_posts.append(
                ResponsePost(name=name, body=payload, headers=headers, timestamp=call.timestamp)
            )
        self._finish(call, 200, {"ok": True})
        # Slack answers a response_url with a bare "ok".
        return 200, {"Content-Type": "text/html"}, b"ok"

    def _handle_upload(
        self, file_id: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        call = Call(
            method=UPLOAD,
            params={"file_id": file_id},
            headers=headers,
            timestamp=time.time(),
            path=raw_path,
            body=body,
        )
        fault, _ = self._begin(UPLOAD, call)
        if fault is not None and fault.fails:
            status, extra, data = fault.answer()
            self._finish(call, status, data)
            return status, {"Content-Type": _JSON_TYPE, **extra}, json.dumps(data).encode()
        with self._cond:
            upload = self._uploads.get(file_id)
            if upload is not None:
                upload.content = body
        if upload is None:
            self._finish(call, 404, {"ok": False, "error": "file_not_found"})
            return 404, {"Content-Type": "text/plain"}, b"file not found"
        self._finish(call, 200, {"ok": True})
        return 200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode()

    # ------------------------------------------------------------------ helpers (lock held)

    def _next_ts(self) -> str:
        micros = next(self._seq) * 100
        return f"{self._ts_base + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _store_message(self, message: Message) -> None:
        self._messages.append(message)
        self._message_index[(message.channel, message.ts)] = message

    def _user(self, user_id: str | None) -> User:
        user = self._users.get(user_id or "")
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _dm(self, user_id: str) -> Channel:
        self._user(user_id)
        channel_id = f"D{user_id}"
        channel = self._channels.get(channel_id)
        if channel is None:
            channel = Channel(
                id=channel_id,
                name=user_id,
                private=True,
                members=[user_id],
                is_im=True,
                im_user=user_id,
            )
            self._channels[channel_id] = channel
        return channel

    def _find_channel(self, ref: str | None, *, users_open_dm: bool = False) -> Channel:
        """Resolve an id, `#name` or (where Slack allows it) a user id to a channel."""
        if not ref:
            raise SlackError("channel_not_found")
        channel = self._channels.get(ref)
        if channel is not None:
            return channel
        if users_open_dm and ref[0] in "UW" and ref in self._users:
            return self._dm(ref)
        # A DM exists from the person's side before the bot opens it (app_home_opened
        # hands its id to the app), so a well-formed DM id of a known person resolves.
        if ref.startswith("D") and ref[1:] in self._users:
            return self._dm(ref[1:])
        name = ref.lstrip("#")
        for candidate in self._channels.values():
            if candidate.name == name and not candidate.is_im:
                return candidate
        raise SlackError("channel_not_found")

    def _visible_channel(self, ref: str | None) -> Channel:
        """A channel the bot can see: private channels it is not in look absent."""
        channel = self._find_channel(ref)
        if channel.private and not channel.bot_is_member:
            raise SlackError("channel_not_found")
        return channel

    def _postable_channel(self, ref: str | None) -> Channel:
        channel = self._find_channel(ref, users_open_dm=True)
        if channel.private and not channel.bot_is_member:
            raise SlackError("channel_not_found")
        if channel.archived:
            raise SlackError("is_archived")
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def _message_content(self, params: JSON, *, require: bool) -> JSON:
        text = _str(params, "text")
        blocks = _json_param(params, "blocks", "invalid_blocks_format")
        attachments = _json_param(params, "attachments", "invalid_attachments")
        metadata = _json_param(params, "metadata", "invalid_metadata_format")
        if require and not text and not blocks and not attachments:
            raise SlackError("no_text")
        if text and len(text) > MAX_MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        if blocks is not None:
            if not isinstance(blocks, list):
                raise SlackError("invalid_blocks_format")
            problems = _block_problems(blocks, MAX_MESSAGE_BLOCKS, "/blocks")
            if problems:
                raise SlackError("invalid_blocks", *problems)
        if attachments is not None and not isinstance(attachments, list):
            raise SlackError("invalid_attachments")
        return {"text": text, "blocks": blocks, "attachments": attachments, "metadata": metadata}

    # ------------------------------------------------------------------ methods (lock held)

    def _api_test(self, params: JSON) -> JSON:
        return {"args": dict(params)}

    def _auth_test(self, params: JSON) -> JSON:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _team_info(self, params: JSON) -> JSON:
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "example.com",
                "icon": {"image_default": True},
            }
        }

    def _chat_post_message(self, params: JSON) -> JSON:
        channel = self._postable_channel(_str(params, "channel"))
        content = self._message_content(params, require=True)
        thread_ts = _str(params, "thread_ts")
        message = Message(
            channel=channel.id,
            ts=self._next_ts(),
            text=content["text"] or "",
            user=self.bot_user_id,
            blocks=content["blocks"],
            thread_ts=thread_ts,
            bot_id=self.bot_id,
            attachments=content["attachments"],
            metadata=content["metadata"],
            reply_broadcast=_truthy(params.get("reply_broadcast")),
            params=dict(params),
        )
        self._store_message(message)
        return {
            "channel": channel.id,
            "ts": message.ts,
            "message": message.to_api(self.team_id, self.app_id),
        }

    def _own_message(self, params: JSON, ts_key: str) -> Message:
        channel = self._find_channel(_str(params, "channel"), users_open_dm=True)
        message = self._message_index.get((channel.id, _str(params, ts_key) or ""))
        if message is None or message.deleted:
            raise SlackError("message_not_found")
        return message

    def _chat_update(self, params: JSON) -> JSON:
        message = self._own_message(params, "ts")
        if message.bot_id != self.bot_id:
            raise SlackError("cant_update_message")
        if self._channels[message.channel].archived:
            raise SlackError("is_archived")
        content = self._message_content(params, require=False)
        message.edits.append(
            {
                "text": message.text,
                "blocks": message.blocks,
                "attachments": message.attachments,
                "edited_ts": self._next_ts(),
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
            "message": message.to_api(self.team_id, self.app_id),
        }

    def _chat_post_ephemeral(self, params: JSON) -> JSON:
        channel = self._postable_channel(_str(params, "channel"))
        user = self._user(_str(params, "user"))
        if channel.members is not None and user.id not in channel.members:
            raise SlackError("user_not_in_channel")
        content = self._message_content(params, require=True)
        ephemeral = Ephemeral(
            channel=channel.id,
            user=user.id,
            text=content["text"] or "",
            message_ts=self._next_ts(),
            blocks=content["blocks"],
            thread_ts=_str(params, "thread_ts"),
            attachments=content["attachments"],
            params=dict(params),
        )
        self._ephemerals.append(ephemeral)
        return {"message_ts": ephemeral.message_ts}

    def _chat_get_permalink(self, params: JSON) -> JSON:
        channel = self._visible_channel(_str(params, "channel"))
        ts = _str(params, "message_ts")
        if not ts:
            raise SlackError("invalid_arguments", "[ERROR] missing required field: message_ts")
        stored = self._message_index.get((channel.id, ts))
        thread_ts = stored.thread_ts if stored is not None else None
        return {"channel": channel.id, "permalink": self.permalink(channel.id, ts, thread_ts)}

    def _chat_delete(self, params: JSON) -> JSON:
        message = self._own_message(params, "ts")
        if message.bot_id != self.bot_id:
            raise SlackError("cant_delete_message")
        message.deleted = True
        return {"channel": message.channel, "ts": message.ts}

    def _conversations_join(self, params: JSON) -> JSON:
        channel = self._find_channel(_str(params, "channel"))
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

    def _conversations_open(self, params: JSON) -> JSON:
        existing = _str(params, "channel")
        if existing:
            channel = self._visible_channel(existing)
            return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        users = _list(params, "users")
        if not users:
            raise SlackError("users_list_not_supplied")
        for user_id in users:
            self._user(user_id)
        if len(users) == 1:
            already = f"D{users[0]}" in self._channels
            channel = self._dm(users[0])
        else:
            channel_id = "G" + "".join(sorted(u.lstrip("UW") for u in users))[:20]
            already = channel_id in self._channels
            channel = self._channels.setdefault(
                channel_id,
                Channel(
                    id=channel_id,
                    name="mpdm-" + "--".join(sorted(users)),
                    private=True,
                    members=list(users),
                    is_mpim=True,
                ),
            )
        info = channel.to_api() if _truthy(params.get("return_im")) else {"id": channel.id}
        result: JSON = {"channel": info}
        if already:
            result.update({"no_op": True, "already_open": True})
        return result

    def _conversations_info(self, params: JSON) -> JSON:
        return {"channel": self._visible_channel(_str(params, "channel")).to_api()}

    def _conversations_members(self, params: JSON) -> JSON:
        channel = self._visible_channel(_str(params, "channel"))
        members = list(channel.members or [])
        if channel.bot_is_member and self.bot_user_id not in members and not channel.is_im:
            members.append(self.bot_user_id)
        return self._page(params, "members", members)

    @staticmethod
    def _page(params: JSON, key: str, items: list[Any]) -> JSON:
        """Cursor pagination the way Slack shapes it (the cursor is an offset here)."""
        limit = int(params.get("limit") or 100) or 100
        start = int(params.get("cursor") or 0)
        end = start + limit
        next_cursor = str(end) if end < len(items) else ""
        return {key: items[start:end], "response_metadata": {"next_cursor": next_cursor}}

    def _readable_channel(self, params: JSON) -> Channel:
        channel = self._visible_channel(_str(params, "channel"))
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def _conversations_history(self, params: JSON) -> JSON:
        channel = self._readable_channel(params)
        found = [
            m.to_api(self.team_id, self.app_id)
            for m in reversed(self._messages)
            if m.channel == channel.id and not m.deleted and (not m.is_reply or m.reply_broadcast)
        ]
        page = self._page(params, "messages", found)
        page["has_more"] = bool(page["response_metadata"]["next_cursor"])
        return page

    def _conversations_replies(self, params: JSON) -> JSON:
        channel = self._readable_channel(params)
        ts = _str(params, "ts") or ""
        if (channel.id, ts) not in self._message_index:
            raise SlackError("thread_not_found")
        found = [
            m.to_api(self.team_id, self.app_id)
            for m in self._messages
            if m.channel == channel.id and not m.deleted and ts in (m.ts, m.thread_ts)
        ]
        page = self._page(params, "messages", found)
        page["has_more"] = bool(page["response_metadata"]["next_cursor"])
        return page

    def _users_info(self, params: JSON) -> JSON:
        user = self._user(_str(params, "user"))
        include_locale = _truthy(params.get("include_locale"))
        return {"user": user.to_api(self.team_id, include_locale=include_locale)}

    def _users_list(self, params: JSON) -> JSON:
        include_locale = _truthy(params.get("include_locale"))
        members = [
            u.to_api(self.team_id, include_locale=include_locale) for u in self._users.values()
        ]
        return self._page(params, "members", members)

    def _users_lookup_by_email(self, params: JSON) -> JSON:
        email = (_str(params, "email") or "").lower()
        for user in self._users.values():
            if user.email.lower() == email and not user.deleted:
                return {"user": user.to_api(self.team_id)}
        raise SlackError("users_not_found")

    def _usergroups_list(self, params: JSON) -> JSON:
        include_users = _truthy(params.get("include_users"))
        return {
            "usergroups": [
                g.to_api(self.team_id, include_users=include_users)
                for g in self._usergroups.values()
            ]
        }

    def _usergroups_users_list(self, params: JSON) -> JSON:
        group = self._usergroups.get(_str(params, "usergroup") or "")
        if group is None:
            raise SlackError("no_such_subteam")
        return {"users": list(group.users)}

    def _check_view(self, view: Any, kinds: tuple[str, ...]) -> JSON:
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", "[ERROR] missing required field: view")
        problems: list[str] = []
        kind = view.get("type")
        if kind not in kinds:
            problems.append(f"[ERROR] type must be one of {list(kinds)} [json-pointer:/view/type]")
        if kind == "modal":
            _check_text_object(view.get("title"), "/view/title", MAX_VIEW_TITLE, problems)
            for key in ("submit", "close"):
                if key in view:
                    _check_text_object(view[key], f"/view/{key}", MAX_VIEW_TITLE, problems)
            blocks = view.get("blocks") or []
            has_inputs = isinstance(blocks, list) and any(
                isinstance(b, dict) and b.get("type") == "input" for b in blocks
            )
            if has_inputs and "submit" not in view:
                problems.append(
                    "[ERROR] submit is required when an input block is present "
                    "[json-pointer:/view/submit]"
                )
        problems.extend(_block_problems(view.get("blocks", []), MAX_VIEW_BLOCKS, "/view/blocks"))
        metadata = view.get("private_metadata")
        if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
            problems.append(
                "[ERROR] private_metadata too long [json-pointer:/view/private_metadata]"
            )
        callback_id = view.get("callback_id")
        if isinstance(callback_id, str) and len(callback_id) > MAX_ID_LENGTH:
            problems.append("[ERROR] callback_id too long [json-pointer:/view/callback_id]")
        if problems:
            raise SlackError("invalid_arguments", *problems)
        external_id = view.get("external_id")
        if external_id:
            for current in self._views.values():
                if current.get("external_id") == external_id:
                    raise SlackError("duplicate_external_id")
        return view

    def _view_json(
        self,
        view: JSON,
        view_id: str,
        *,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> JSON:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids):08x}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _record_view(
        self, method: str, view: JSON, *, trigger_id: str | None = None, user_id: str | None = None
    ) -> JSON:
        self._views[view["id"]] = view
        self._view_calls.append(
            ViewCall(
                method=method,
                view_id=view["id"],
                view=view,
                trigger_id=trigger_id,
                user_id=user_id,
                timestamp=time.time(),
            )
        )
        return {"view": view}

    def _views_open(self, params: JSON, method: str = "views.open") -> JSON:
        trigger_id = _str(params, "trigger_id")
        if not trigger_id and not _str(params, "interactivity_pointer"):
            raise SlackError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        view = self._check_view(_json_param(params, "view", "invalid_arguments"), ("modal",))
        stored = self._view_json(view, self._next_id("V"))
        return self._record_view(method, stored, trigger_id=trigger_id)

    def _views_push(self, params: JSON) -> JSON:
        return self._views_open(params, "views.push")

    def _views_update(self, params: JSON) -> JSON:
        view_id = _str(params, "view_id")
        external_id = _str(params, "external_id")
        current: JSON | None = None
        if view_id:
            current = self._views.get(view_id)
        elif external_id:
            current = next(
                (v for v in self._views.values() if v.get("external_id") == external_id), None
            )
        else:
            raise SlackError("invalid_arguments", "[ERROR] view_id or external_id is required")
        if current is None:
            raise SlackError("not_found")
        expected_hash = _str(params, "hash")
        if expected_hash and expected_hash != current["hash"]:
            raise SlackError("hash_conflict")
        view = _json_param(params, "view", "invalid_arguments")
        if isinstance(view, dict) and current.get("external_id") and not view.get("external_id"):
            view = {**view, "external_id": current["external_id"]}
        self._views.pop(current["id"])  # so its own external_id is not a duplicate
        try:
            view = self._check_view(view, (str(current.get("type")),))
        except SlackError:
            self._views[current["id"]] = current
            raise
        stored = self._view_json(
            view,
            current["id"],
            root_view_id=current.get("root_view_id"),
            previous_view_id=current.get("previous_view_id"),
        )
        return self._record_view("views.update", stored)

    def _views_publish(self, params: JSON) -> JSON:
        user = self._user(_str(params, "user_id"))
        view = _json_param(params, "view", "invalid_arguments")
        view_id = self._home_views.get(user.id) or self._next_id("V")
        current = self._views.pop(view_id, None)
        try:
            view = self._check_view(view, ("home",))
        except SlackError:
            if current is not None:
                self._views[view_id] = current
            raise
        expected_hash = _str(params, "hash")
        if current is not None and expected_hash and expected_hash != current["hash"]:
            self._views[view_id] = current
            raise SlackError("hash_conflict")
        self._home_views[user.id] = view_id
        return self._record_view("views.publish", self._view_json(view, view_id), user_id=user.id)

    def _reaction_target(self, params: JSON) -> Message:
        channel = self._visible_channel(_str(params, "channel"))
        ts = _str(params, "timestamp") or ""
        message = self._message_index.get((channel.id, ts))
        if message is None or message.deleted:
            raise SlackError("message_not_found")
        return message

    def _apps_connections_open(self, params: JSON) -> JSON:
        # Slack answers this for an app-level token (xapp-) of an app with Socket Mode on.
        if self.socket_mode_url is None:
            raise SlackError("not_allowed_token_type")
        return {"url": f"{self.socket_mode_url}?ticket={self._next_id('T')}"}

    def _reactions_add(self, params: JSON) -> JSON:
        message = self._reaction_target(params)
        name = (_str(params, "name") or "").strip(":")
        if not name:
            raise SlackError("invalid_name")
        users = message.reactions.setdefault(name, [])
        if self.bot_user_id in users:
            raise SlackError("already_reacted")
        users.append(self.bot_user_id)
        return {}

    def _reactions_remove(self, params: JSON) -> JSON:
        message = self._reaction_target(params)
        name = (_str(params, "name") or "").strip(":")
        users = message.reactions.get(name, [])
        if self.bot_user_id not in users:
            raise SlackError("no_reaction")
        users.remove(self.bot_user_id)
        if not users:
            del message.reactions[name]
        return {}

    def _reactions_get(self, params: JSON) -> JSON:
        message = self._reaction_target(params)
        return {
            "type": "message",
            "channel": message.channel,
            "message": message.to_api(self.team_id, self.app_id),
        }

    def _files_get_upload_url(self, params: JSON) -> JSON:
        filename = _str(params, "filename")
        length = _str(params, "length")
        if not filename or length is None or not length.isdigit():
            raise SlackError("invalid_arguments", "[ERROR] filename and length are required")
        file_id = self._next_id("F")
        self._uploads[file_id] = Upload(
            file_id=file_id,
            filename=filename,
            length=int(length),
            alt_txt=_str(params, "alt_txt"),
            snippet_type=_str(params, "snippet_type"),
        )
        return {"upload_url": self.upload_url(file_id), "file_id": file_id}

    def _files_complete_upload(self, params: JSON) -> JSON:
        files = _json_param(params, "files", "invalid_arguments")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments", "[ERROR] missing required field: files")
        channel_id = _str(params, "channel_id")
        channels = _list(params, "channels")
        targets = [channel_id] if channel_id else channels
        for target in targets:
            # Unlike chat.postMessage, a user id is not a destination here.
            self._postable_channel(self._find_channel(target).id)
        done: list[JSON] = []
        uploads: list[Upload] = []
        for entry in files:
            upload = self._uploads.get(str(entry.get("id")) if isinstance(entry, dict) else "")
            if upload is None or upload.content is None:
                raise SlackError("file_not_found")
            uploads.append(upload)
        for entry, upload in zip(files, uploads, strict=True):
            upload.title = entry.get("title") or upload.filename
            upload.completed = True
            upload.channel_id = channel_id
            upload.channels = channels
            upload.initial_comment = _str(params, "initial_comment")
            upload.thread_ts = _str(params, "thread_ts")
            done.append(
                {
                    "id": upload.file_id,
                    "created": int(time.time()),
                    "timestamp": int(time.time()),
                    "name": upload.filename,
                    "title": upload.title,
                    "mimetype": "",
                    "filetype": upload.filename.rsplit(".", 1)[-1]
                    if "." in upload.filename
                    else "text",
                    "user": self.bot_user_id,
                    "size": len(upload.content or b""),
                    "url_private": f"https://files.slack.com/files-pri/{self.team_id}-"
                    f"{upload.file_id}/{upload.filename}",
                    "permalink": f"https://{self.team_domain}.slack.com/files/"
                    f"{self.bot_user_id}/{upload.file_id}/{upload.filename}",
                    "shares": {},
                }
            )
        return {"files": done}

    def _files_upload_retired(self, params: JSON) -> JSON:
        # Slack retired files.upload; clients must use files_upload_v2.
        raise SlackError("method_deprecated")
