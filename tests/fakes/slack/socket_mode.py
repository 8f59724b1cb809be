"""Slack's Socket Mode side, over a real websocket on 127.0.0.1, for tests.

`FakeSocketMode` listens on a free port and speaks plain RFC 6455 (no TLS, no
extensions): it answers the HTTP upgrade, greets each connection with the
``hello`` Slack sends, hands the app envelopes (``send``), records what the
app sends back (its acknowledgements, by ``envelope_id``), answers pings and
pings the app itself every `ping_every` seconds, as Slack does.

It attaches to a `FakeSlack`, whose ``apps.connections.open`` then hands out
this server's ``ws://`` URL, so a Socket Mode client finds it as it finds Slack::

    with FakeSlack() as slack, FakeSocketMode(slack) as ws:
        ...  # start the app with SLACK_API_URL=slack.api_url
        ws.wait_connected()
        envelope_id = ws.send("events_api", event_payload(...))
        assert ws.wait_for_ack(envelope_id)["envelope_id"] == envelope_id
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import struct
import threading
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack

JSON = dict[str, Any]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA

# Which envelope types let the app answer with a payload (Slack's values).
_ACCEPTS_RESPONSE = {"slash_commands": True, "interactive": True, "events_api": False}


def accept_key(key: str) -> str:
    """The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key."""
    return base64.b64encode(hashlib.sha1(key.strip().encode("ascii") + _GUID).digest()).decode()


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked frame (servers never mask)."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def decode_frame(buffer: bytes) -> tuple[int, bool, bytes, int] | None:
    """(opcode, fin, unmasked payload, bytes used) of the first frame, or None if incomplete."""
    if len(buffer) < 2:
        return None
    opcode, fin = buffer[0] & 0x0F, bool(buffer[0] & 0x80)
    masked, size = bool(buffer[1] & 0x80), buffer[1] & 0x7F
    at = 2
    if size == 126:
        if len(buffer) < 4:
            return None
        (size,) = struct.unpack("!H", buffer[2:4])
        at = 4
    elif size == 127:
        if len(buffer) < 10:
            return None
        (size,) = struct.unpack("!Q", buffer[2:10])
        at = 10
    mask = b""
    if masked:
        if len(buffer) < at + 4:
            return None
        mask, at = buffer[at : at + 4], at + 4
    if len(buffer) < at + size:
        return None
    payload = buffer[at : at + size]
    if masked:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return opcode, fin, payload, at + size


class ProtocolError(Exception):
    """The client broke RFC 6455 or Slack's Socket Mode protocol."""


class _Connection:
    """One accepted websocket: its socket, a send lock, and the thread reading it."""

    def __init__(self, number: int, sock: socket.socket) -> None:
        self.number = number
        self.sock = sock
        self.send_lock = threading.Lock()
        self.open = False
        self.thread: threading.Thread | None = None

    def send(self, opcode: int, payload: bytes) -> None:
        with self.send_lock:
            self.sock.sendall(encode_frame(opcode, payload))


class FakeSocketMode:
    """A local Socket Mode websocket endpoint with a record of what the app sent."""

    def __init__(
        self, slack: FakeSlack | None = None, *, host: str = "127.0.0.1", ping_every: float = 0.1
    ) -> None:
        self._slack = slack
        self._host = host
        self._ping_every = ping_every
        self._cond = threading.Condition()
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._stopping = threading.Event()
        self._numbers = itertools.count(1)
        self._connections: list[_Connection] = []
        self.received: list[JSON] = []  # every text message from the app, parsed
        self.acks: dict[str, JSON] = {}  # by envelope_id
        self.sent: list[JSON] = []  # every envelope handed to the app
        self.pongs = 0
        self.errors: list[BaseException] = []

    # ------------------------------------------------------------------ life cycle

    def start(self) -> FakeSocketMode:
        """Listen on a free port; attach to the FakeSlack, if any; returns self."""
        if self._listener is not None:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self._host, 0))
        listener.listen(16)
        listener.settimeout(0.05)  # so the accept loop sees `stop`
        self._listener = listener
        self._stopping.clear()
        self._accepting = threading.Thread(
            target=self._accept_loop, name=f"fake-socket-mode-{self.port}", daemon=True
        )
        self._accepting.start()
        if self._slack is not None:
            self._slack.socket_mode_url = self.url
        return self

    def stop(self) -> None:
        """Close every connection and stop listening; the threads are joined."""
        listener, accepting = self._listener, self._accepting
        if listener is None:
            return
        self._stopping.set()
        if accepting is not None:
            accepting.join(timeout=5)
        listener.close()
        self._listener = self._accepting = None
        if self._slack is not None:
            self._slack.socket_mode_url = None
        with self._cond:
            connections = list(self._connections)
        for connection in connections:
            if connection.thread is not None:
                connection.thread.join(timeout=5)
                if connection.thread.is_alive():
                    self._record_error(ProtocolError(f"connection {connection.number} hung"))

    def __enter__(self) -> FakeSocketMode:
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
        """The TCP port the endpoint listens on."""
        if self._listener is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        """The ``ws://`` URL ``apps.connections.open`` hands out."""
        return f"ws://{self._host}:{self.port}/link/"

    # ------------------------------------------------------------------ talking to the app

    @property
    def connections(self) -> int:
        """How many websocket connections were accepted (handshake done)."""
        with self._cond:
            return sum(1 for c in self._connections if c.thread is not None)

    @property
    def open_connections(self) -> int:
        """How many connections are open now."""
        with self._cond:
            return sum(1 for c in self._connections if c.open)

    def send(
        self,
        type: str,
        payload: JSON,
        *,
        envelope_id: str | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """Hand the app an envelope on the newest open connection; returns its envelope_id."""
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope: JSON = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": _ACCEPTS_RESPONSE.get(type, False),
        }
        if type == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        with self._cond:
            opened = [c for c in self._connections if c.open]
            if not opened:
                raise AssertionError("FakeSocketMode: no open connection to send on")
            self.sent.append(envelope)
        opened[-1].send(OP_TEXT, json.dumps(envelope, ensure_ascii=False).encode("utf-8"))
        return envelope_id

    def wait_connected(self, count: int = 1, *, timeout: float = 5.0) -> None:
        """Wait until `count` connections were opened (and greeted with hello)."""
        self._wait(lambda: self.connections >= count, timeout, f"{count} connection(s)")

    def wait_disconnected(self, *, timeout: float = 5.0) -> None:
        """Wait until the app has closed every connection."""
        self._wait(lambda: self.open_connections == 0, timeout, "every connection to close")

    def wait_for_ack(self, envelope_id: str, *, timeout: float = 5.0) -> JSON:
        """Wait for the app's acknowledgement of an envelope; returns it."""
        self._wait(lambda: envelope_id in self.acks, timeout, f"the ack of {envelope_id}")
        with self._cond:
            return self.acks[envelope_id]

    def _wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, timeout=timeout):
                raise AssertionError(
                    f"FakeSocketMode: timed out after {timeout}s waiting for {what}"
                )

    # ------------------------------------------------------------------ the server

    def _record_error(self, exc: BaseException) -> None:
        with self._cond:
            self.errors.append(exc)
            self._cond.notify_all()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        listener = self._listener
        while not self._stopping.is_set():
            try:
                sock, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError as exc:
                if not self._stopping.is_set():
                    self._record_error(exc)
                return
            connection = _Connection(next(self._numbers), sock)
            thread = threading.Thread(
                target=self._serve,
                args=(connection,),
                name=f"fake-socket-mode-conn-{connection.number}",
                daemon=True,
            )
            with self._cond:
                self._connections.append(connection)
            thread.start()

    def _serve(self, connection: _Connection) -> None:
        sock = connection.sock
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(5)
            rest = self._handshake(connection)
            if rest is None:
                return
            self._read_frames(connection, rest)
        except (ConnectionError, TimeoutError):
            pass  # the app hung up (or went quiet during the handshake)
        except Exception as exc:
            self._record_error(exc)
        finally:
            with self._cond:
                connection.open = False
                self._cond.notify_all()
            sock.close()

    def _handshake(self, connection: _Connection) -> bytes | None:
        """Answer the upgrade and say hello; returns bytes read past the request."""
        sock = connection.sock
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(4096)
            if not chunk:
                return None
            buffer += chunk
        head, rest = buffer.split(b"\r\n\r\n", 1)
        request_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if not request_line.startswith("GET ") or headers.get("upgrade", "").lower() != (
            "websocket"
        ):
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            raise ProtocolError(f"not a websocket upgrade: {request_line!r}")
        key = headers.get("sec-websocket-key")
        if not key or headers.get("sec-websocket-version") != "13":
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            raise ProtocolError(f"bad websocket handshake headers: {headers}")
        answer = (
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n"
        )
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
            "connection_info": {"app_id": self._slack.app_id if self._slack else "A1"},
        }
        with connection.send_lock:
            sock.sendall(answer.encode("ascii"))
            sock.sendall(encode_frame(OP_TEXT, json.dumps(hello).encode("utf-8")))
        with self._cond:
            connection.open = True
            connection.thread = threading.current_thread()
            self._cond.notify_all()
        return rest

    def _read_frames(self, connection: _Connection, buffer: bytes) -> None:
        sock = connection.sock
        sock.settimeout(self._ping_every)
        while True:
            while (frame := decode_frame(buffer)) is not None:
                opcode, fin, payload, used = frame
                buffer = buffer[used:]
                if not fin or opcode in (OP_CONTINUATION, OP_BINARY):
                    raise ProtocolError(f"unexpected frame (opcode {opcode}, fin {fin})")
                if opcode == OP_CLOSE:
                    connection.send(OP_CLOSE, payload[:2])
                    return
                if opcode == OP_PING:
                    connection.send(OP_PONG, payload)
                elif opcode == OP_PONG:
                    with self._cond:
                        self.pongs += 1
                elif opcode == OP_TEXT:
                    self._on_text(payload.decode("utf-8"))
                else:
                    raise ProtocolError(f"unknown opcode {opcode}")
            if self._stopping.is_set():
                connection.send(OP_CLOSE, struct.pack("!H", 1001) + b"going away")
                return
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                # Slack pings too; here it also keeps the client's blocking reads short.
                connection.send(OP_PING, str(next(self._numbers)).encode())
                continue
            if not chunk:
                return
            buffer += chunk

    def _on_text(self, text: str) -> None:
        message = json.loads(text)
        if not isinstance(message, dict):
            raise ProtocolError(f"not a JSON object: {text!r}")
        with self._cond:
            self.received.append(message)
            envelope_id = message.get("envelope_id")
            if isinstance(envelope_id, str):
                if envelope_id in self.acks:
                    self.errors.append(ProtocolError(f"{envelope_id} acknowledged twice"))
                elif not any(e["envelope_id"] == envelope_id for e in self.sent):
                    self.errors.append(ProtocolError(f"ack of an unknown envelope {envelope_id}"))
                self.acks[envelope_id] = message
            self._cond.notify_all()
