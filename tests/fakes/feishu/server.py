"""A local Feishu Open API over real HTTP, for tests.

`FakeFeishu` listens on 127.0.0.1 (a free port) and answers the methods xdept
uses with Feishu's shapes and codes: tenant tokens (which expire, and can be
revoked on demand), messages (create, reply, edit, read; `uuid` dedupe for an
hour), images and files, ephemeral cards, delayed card updates, people,
departments, chats, the bot's own info and the tenant. It records every call,
can fail the next calls of a method (`fail_next`), and builds events signed and
encrypted as Feishu sends them. With ``long_connection=True`` it also serves
the long connection (`tests.fakes.feishu.longconn`).

Point the real SDK at it::

    with FakeFeishu() as feishu:
        client = lark.Client.builder().app_id(feishu.app_id)
            .app_secret(feishu.app_secret).domain(feishu.url).build()

The SDK caches tenant tokens per app id for the whole process, so each fake
gets an app id of its own.
"""

from __future__ import annotations

import http.client
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.feishu import crypto, events, routes_directory, routes_im
from tests.fakes.feishu.failures import Failure
from tests.fakes.feishu.http import ApiError, Reply, Request
from tests.fakes.feishu.longconn import FakeLongConnection
from tests.fakes.feishu.world import Chat, Department, Message, User, World, new_id

JSON = dict[str, Any]

_ROUTES = [
    (method, re.compile(pattern + r"\Z"), name, handler)
    for method, pattern, name, handler in routes_im.ROUTES + routes_directory.ROUTES
]


@dataclass
class Call:
    """One request the fake answered."""

    endpoint: str  # e.g. "messages.create"; "unknown" for paths Feishu does not have
    request: Request
    status: int = 0
    response: JSON | None = None

    @property
    def json(self) -> Any:
        """The request's JSON body."""
        return self.request.json()


class FakeFeishu:
    """The fake Open API server and the tenant behind it (see the module docstring)."""

    def __init__(
        self,
        *,
        app_id: str | None = None,
        app_secret: str = "fake-app-secret",
        verification_token: str = "fake-verification-token",
        encrypt_key: str | None = "fake-encrypt-key",
        tenant_key: str = "fake-tenant",
        tenant_name: str = "示例科技",
        bot_name: str = "xdept",
        long_connection: bool = False,
    ) -> None:
        self.app_id = app_id or "cli_" + secrets.token_hex(8)
        self.app_secret = app_secret
        self.verification_token = verification_token
        self.encrypt_key = encrypt_key
        self.tenant_key = tenant_key
        self.tenant_name = tenant_name
        self.bot_name = bot_name
        self.bot_open_id = new_id("ou_")
        self.world = World(app_id=self.app_id, tenant_key=tenant_key, bot_open_id=self.bot_open_id)
        self.calls: list[Call] = []
        self.errors: list[str] = []  # requests to paths Feishu does not have
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.long_connection = FakeLongConnection(self) if long_connection else None

    # -- lifecycle

    @property
    def url(self) -> str:
        """The base URL to give the SDK as its domain (FEISHU_API_URL)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeFeishu:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        if self.long_connection is not None:
            self.long_connection.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.long_connection is not None:
            self.long_connection.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeFeishu:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the tenant

    def add_user(self, open_id: str, name: str, **fields: Any) -> User:
        """A person; fields as `world.User` (time_zone, department_ids, leader_user_id...)."""
        user = User(open_id=open_id, name=name, **fields)
        with self.world.lock:
            self.world.users[open_id] = user
        return user

    def add_department(self, department_id: str, name: str, **fields: Any) -> Department:
        """A department (leader_user_id, chat_id...)."""
        dept = Department(department_id=department_id, name=name, **fields)
        with self.world.lock:
            self.world.departments[department_id] = dept
        return dept

    def add_chat(self, chat_id: str, name: str = "", **fields: Any) -> Chat:
        """A group chat the bot is in (chat_mode "topic" for a topic group)."""
        chat = Chat(chat_id=chat_id, name=name, **fields)
        with self.world.lock:
            self.world.chats[chat_id] = chat
        return chat

    def messages_in(self, chat_id: str) -> list[Message]:
        """Messages of a chat in the order they were made (recalled ones included)."""
        with self.world.lock:
            return [
                self.world.messages[i]
                for i in self.world.order
                if self.world.messages[i].chat_id == chat_id
            ]

    def message(self, message_id: str) -> Message:
        """One message by id."""
        with self.world.lock:
            return self.world.messages[message_id]

    def dm_chat(self, open_id: str) -> str:
        """The chat id of the bot's direct chat with a person."""
        return self.world.p2p_chat(open_id).chat_id

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (tokens expire, the edit window closes)."""
        self.world.advance(seconds)

    def revoke_tokens(self, code: int = 99991663) -> None:
        """Refuse every token issued so far with `code` (99991663, 99991668...)."""
        self.world.revoke_tokens(code)

    # -- recording and failures

    def calls_to(self, endpoint: str) -> list[Call]:
        """The calls of one method, in order."""
        with self._lock:
            return [c for c in self.calls if c.endpoint == endpoint]

    def fail_next(self, endpoint: str, failure: Failure, *, times: int = 1) -> None:
        """Answer the next `times` calls of a method with `failure`."""
        with self._lock:
            self._failures[endpoint].extend([failure] * times)

    def _next_failure(self, endpoint: str) -> Failure | None:
        with self._lock:
            queue = self._failures.get(endpoint)
            return queue.popleft() if queue else None

    def handle(self, request: Request) -> tuple[Call, Reply | None]:
        """Route one request; a None reply means drop the connection."""
        for method, pattern, name, handler in _ROUTES:
            match = pattern.match(request.path)
            if match and method == request.method:
                request.params = match.groupdict()
                call = Call(endpoint=name, request=request)
                with self._lock:
                    self.calls.append(call)
                return call, self._answer(name, handler, request)
        call = Call(endpoint="unknown", request=request)
        with self._lock:
            self.calls.append(call)
            self.errors.append(f"{request.method} {request.path}")
        return call, Reply(body={"code": 404, "msg": "404 page not found"}, status=404)

    def _answer(self, name: str, handler: Any, request: Request) -> Reply | None:
        failure = self._next_failure(name)
        if failure is not None:
            return None if failure.drop else failure.reply()
        try:
            if name not in routes_directory.OPEN:
                code = self.world.token_problem(request.bearer)
                if code is not None:
                    raise ApiError(code, "Invalid access token for authorization.")
            reply: Reply = handler(self, request)
            return reply
        except ApiError as exc:
            return exc.reply()

    # -- events

    def event(self, event_type: str, event: JSON, *, event_id: str | None = None) -> JSON:
        """A schema 2.0 event of this app and tenant, with its verification token."""
        return events.envelope(
            event_type,
            event,
            app_id=self.app_id,
            tenant_key=self.tenant_key,
            token=self.verification_token,
            event_id=event_id,
        )

    def person_message(self, *, event_id: str | None = None, **fields: Any) -> JSON:
        """A person's message event (fields as `events.message_event`), also kept in the chat.

        Keeping it lets the bot reply to it and read it back, as on Feishu.
        """
        event = events.message_event(tenant_key=self.tenant_key, **fields)
        msg = event["message"]
        self.world.add_message(
            Message(
                message_id=msg["message_id"],
                chat_id=msg["chat_id"],
                msg_type=msg["message_type"],
                content=msg["content"],
                create_time=int(msg["create_time"]) / 1000,
                sender_id=fields["sender"],
                sender_type="user",
                root_id=msg.get("root_id"),
                parent_id=msg.get("parent_id"),
                thread_id=msg.get("thread_id"),
            )
        )
        return self.event(events.MESSAGE_RECEIVE, event, event_id=event_id)

    def click(
        self,
        *,
        operator: str,
        message_id: str,
        value: JSON,
        form_value: JSON | None = None,
        name: str | None = None,
    ) -> JSON:
        """A card.action.trigger callback for a click on one of the bot's cards."""
        chat_id = self.message(message_id).chat_id
        token = self.world.new_callback_token(message_id)
        event = events.card_action_event(
            operator=operator,
            value=value,
            message_id=message_id,
            chat_id=chat_id,
            token=token,
            form_value=form_value,
            name=name,
            tenant_key=self.tenant_key,
        )
        return self.event(events.CARD_ACTION, event)

    def signed(self, payload: JSON, *, timestamp: str | None = None) -> crypto.SignedRequest:
        """The payload encrypted and signed with this app's encrypt key."""
        return crypto.build_request(payload, encrypt_key=self.encrypt_key, timestamp=timestamp)

    def deliver(self, url: str, payload: JSON, *, timeout: float = 10) -> tuple[int, bytes]:
        """POST an event to the app's request URL as Feishu does; its status and body."""
        signed = self.signed(payload)
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=timeout
        )
        try:
            conn.request("POST", parts.path or "/", body=signed.body, headers=signed.headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def _handler_for(fake: FakeFeishu) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=split.path,
                query=dict(parse_qsl(split.query)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            call, reply = fake.handle(request)
            if reply is None:
                self.close_connection = True
                self.connection.close()
                return
            data, content_type = reply.encoded()
            call.status = reply.status
            call.response = reply.body if isinstance(reply.body, dict) else None
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Tt-Logid", secrets.token_hex(12))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

    return Handler


def wait_until(predicate: Any, *, timeout: float = 5.0, interval: float = 0.01) -> bool:
    """Poll `predicate` until it is true or `timeout` passes; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return bool(predicate())
        time.sleep(interval)
