"""Feishu's long connection, served locally: the handshake's ws URL and a websocket
server speaking the SDK's protobuf frames.

The client first calls ``POST /callback/ws/endpoint`` (answered by the fake's
HTTP side through `handshake`), then opens the returned ``ws://`` URL with a
``device_id`` and ``service_id``. The server answers the client's ping
control frames with pong frames carrying the client configuration, pushes
events as data frames (`push`, optionally split into several frames as
Feishu does for big payloads), and reads the client's acknowledgement of each
one: the same frame back with ``{"code": 200, "data": base64(answer)}`` (a
card callback's answer travels in ``data``).
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse
from websockets.sync.server import Server, ServerConnection, serve

from tests.fakes.feishu.frames import CONTROL, DATA, Frame

if TYPE_CHECKING:
    from tests.fakes.feishu.server import FakeFeishu

JSON = dict[str, Any]


@dataclass
class Ack:
    """A client's acknowledgement of one pushed event."""

    code: int
    answer: Any  # the decoded `data` (a card callback's answer), or None
    frame: Frame


@dataclass
class _Connection:
    device_id: str
    service_id: int
    socket: ServerConnection


class FakeLongConnection:
    """The websocket side of the fake (see the module docstring)."""

    def __init__(self, fake: FakeFeishu, *, ping_interval: int = 120) -> None:
        self.fake = fake
        self.ping_interval = ping_interval
        self.pings = 0
        self.handshakes = 0
        self._devices: dict[str, int] = {}  # device id -> service id, from handshakes
        self._live: list[_Connection] = []
        self._acks: dict[str, Ack] = {}
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._server = serve(self._serve, "127.0.0.1", 0, process_request=self._admit)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close every connection and stop listening."""
        self.drop()
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        """The websocket port."""
        assert self._server is not None, "start() first"
        return int(self._server.socket.getsockname()[1])

    def client_config(self) -> JSON:
        """What the server tells the client about reconnecting and pinging."""
        return {
            "ReconnectCount": -1,
            "ReconnectInterval": 1,
            "ReconnectNonce": 0,
            "PingInterval": self.ping_interval,
        }

    def handshake(self) -> tuple[str, JSON]:
        """A ws URL for a new connection and the client configuration."""
        device_id = secrets.token_hex(8)
        service_id = random.randint(1, 1 << 30)
        with self._changed:
            self._devices[device_id] = service_id
            self.handshakes += 1
        url = f"ws://127.0.0.1:{self.port}/ws?device_id={device_id}&service_id={service_id}"
        return url, self.client_config()

    def _admit(self, connection: ServerConnection, request: WsRequest) -> WsResponse | None:
        query = parse_qs(urlsplit(request.path).query)
        device = (query.get("device_id") or [""])[0]
        with self._changed:
            known = device in self._devices
        if not known:
            return connection.respond(403, "unknown device_id: call /callback/ws/endpoint first\n")
        return None

    def _serve(self, socket: ServerConnection) -> None:
        path = socket.request.path if socket.request else ""
        device = parse_qs(urlsplit(path).query)["device_id"][0]
        conn = _Connection(device, self._devices[device], socket)
        with self._changed:
            self._live.append(conn)
            self._changed.notify_all()
        try:
            for message in socket:
                if isinstance(message, bytes):
                    self._receive(conn, Frame.decode(message))
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if conn in self._live:
                    self._live.remove(conn)
                self._changed.notify_all()

    def _receive(self, conn: _Connection, frame: Frame) -> None:
        if frame.method == CONTROL and frame.header("type") == "ping":
            with self._changed:
                self.pings += 1
            pong = Frame(
                service=conn.service_id,
                method=CONTROL,
                headers=[("type", "pong")],
                payload=json.dumps(self.client_config()).encode(),
            )
            conn.socket.send(pong.encode())
            return
        if frame.method == DATA:
            message_id = frame.header("message_id") or ""
            body = json.loads(frame.payload or b"{}")
            data = body.get("data")
            answer = json.loads(base64.b64decode(data)) if data else None
            with self._changed:
                self._acks[message_id] = Ack(int(body.get("code", 0)), answer, frame)
                self._changed.notify_all()

    def wait_connected(self, count: int = 1, *, timeout: float = 10) -> bool:
        """Wait until `count` clients are connected."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._live) >= count, timeout)

    def wait_disconnected(self, *, timeout: float = 10) -> bool:
        """Wait until no client is connected."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._live, timeout)

    @property
    def connected(self) -> int:
        """How many clients are connected now."""
        with self._changed:
            return len(self._live)

    def push(self, payload: JSON, *, parts: int = 1, message_type: str = "event") -> str:
        """Send an event (plain JSON, as the long connection carries it) to the newest
        client, split over `parts` frames; its message id, for `wait_for_ack`."""
        with self._changed:
            if not self._live:
                raise RuntimeError("no long-connection client is connected")
            conn = self._live[-1]
        data = json.dumps(payload, ensure_ascii=False).encode()
        message_id = f"msg_{next(self._ids)}_{secrets.token_hex(4)}"
        size = -(-len(data) // parts)
        for seq in range(parts):
            frame = Frame(
                seq_id=seq,
                log_id=next(self._ids),
                service=conn.service_id,
                method=DATA,
                headers=[
                    ("type", message_type),
                    ("message_id", message_id),
                    ("trace_id", secrets.token_hex(8)),
                    ("sum", str(parts)),
                    ("seq", str(seq)),
                ],
                payload=data[seq * size : (seq + 1) * size],
            )
            conn.socket.send(frame.encode())
        return message_id

    def wait_for_ack(self, message_id: str, *, timeout: float = 30) -> Ack | None:
        """The client's acknowledgement of a pushed event, once it arrives."""
        with self._changed:
            self._changed.wait_for(lambda: message_id in self._acks, timeout)
            return self._acks.get(message_id)

    def drop(self) -> None:
        """Close every client connection from the server's side (clients reconnect)."""
        with self._changed:
            live = list(self._live)
        for conn in live:
            conn.socket.close()
