"""The long connection's wire format: protobuf ``pbbp2.Frame``, encoded by hand.

Feishu's long connection carries binary websocket messages, each one Frame::

    message Header { required string key = 1; required string value = 2; }
    message Frame {
      required uint64 SeqID = 1;  required uint64 LogID = 2;
      required int32 service = 3; required int32 method = 4;
      repeated Header headers = 5;
      optional string payload_encoding = 6; optional string payload_type = 7;
      optional bytes payload = 8;  optional string LogIDNew = 9;
    }

method 0 is a control frame (headers ``type`` = ping or pong), 1 a data frame
(``type`` = event or card, with ``message_id``, ``trace_id``, ``sum`` and
``seq`` for payloads split over several frames). The client answers a data
frame with the same frame whose payload is ``{"code": 200, "data": base64}``.
The codec is written here, apart from the SDK's generated one, so the fake
checks the SDK rather than itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTROL = 0
DATA = 1

_VARINT = 0
_LENGTH = 2


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64  # protobuf sends negative int32 as ten-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = 0
    result = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _bytes_field(number: int, value: bytes) -> bytes:
    return _key(number, _LENGTH) + _varint(len(value)) + value


def _fields(data: bytes) -> list[tuple[int, int | bytes]]:
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, pos = _read_varint(data, pos)
            out.append((number, value))
        elif wire == _LENGTH:
            size, pos = _read_varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated field")
            out.append((number, data[pos : pos + size]))
            pos += size
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return out


@dataclass
class Frame:
    """One pbbp2.Frame."""

    seq_id: int = 0
    log_id: int = 0
    service: int = 0
    method: int = DATA
    headers: list[tuple[str, str]] = field(default_factory=list)
    payload_encoding: str | None = None
    payload_type: str | None = None
    payload: bytes | None = None
    log_id_new: str | None = None

    def header(self, key: str) -> str | None:
        """The first header with this key, if any."""
        return next((v for k, v in self.headers if k == key), None)

    def encode(self) -> bytes:
        """Wire bytes (every required field present, as the SDK's parser demands)."""
        out = bytearray()
        out += _key(1, _VARINT) + _varint(self.seq_id)
        out += _key(2, _VARINT) + _varint(self.log_id)
        out += _key(3, _VARINT) + _varint(self.service)
        out += _key(4, _VARINT) + _varint(self.method)
        for k, v in self.headers:
            header = _bytes_field(1, k.encode()) + _bytes_field(2, v.encode())
            out += _bytes_field(5, header)
        if self.payload_encoding is not None:
            out += _bytes_field(6, self.payload_encoding.encode())
        if self.payload_type is not None:
            out += _bytes_field(7, self.payload_type.encode())
        if self.payload is not None:
            out += _bytes_field(8, self.payload)
        if self.log_id_new is not None:
            out += _bytes_field(9, self.log_id_new.encode())
        return bytes(out)

    @classmethod
    def decode(cls, data: bytes) -> Frame:
        """Parse wire bytes (ValueError when they are not a Frame)."""
        frame = cls()
        seen: set[int] = set()
        for number, value in _fields(data):
            seen.add(number)
            if number in (1, 2, 3, 4):
                if not isinstance(value, int):
                    raise ValueError(f"field {number} must be a varint")
                if number in (3, 4) and value >= 1 << 63:
                    value -= 1 << 64
                setattr(frame, ("seq_id", "log_id", "service", "method")[number - 1], value)
            elif number == 5 and isinstance(value, bytes):
                parts = dict(_fields(value))
                key, val = parts.get(1), parts.get(2)
                if not isinstance(key, bytes) or not isinstance(val, bytes):
                    raise ValueError("a header needs a key and a value")
                frame.headers.append((key.decode(), val.decode()))
            elif number == 8 and isinstance(value, bytes):
                frame.payload = value
            elif number in (6, 7, 9) and isinstance(value, bytes):
                name = {6: "payload_encoding", 7: "payload_type", 9: "log_id_new"}[number]
                setattr(frame, name, value.decode())
        missing = {1, 2, 3, 4} - seen
        if missing:
            raise ValueError(f"required fields missing: {sorted(missing)}")
        return frame
