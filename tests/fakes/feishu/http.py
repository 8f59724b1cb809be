"""The fake's HTTP vocabulary: requests as received, replies, Feishu-style errors."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class Part:
    """One part of a multipart body."""

    filename: str | None
    data: bytes

    @property
    def text(self) -> str:
        """The part as text (form fields)."""
        return self.data.decode("utf-8", errors="replace")


@dataclass
class Request:
    """One request the fake received, parsed."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # from the path, e.g. message_id

    def json(self) -> Any:
        """The JSON body, or None when it is not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def form(self) -> dict[str, Part]:
        """The parts of a multipart/form-data body by field name (empty for other bodies).

        The SDK sends files without a filename, as Feishu accepts them.
        """
        content_type = self.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return {}
        raw = f"Content-Type: {content_type}\r\n\r\n".encode() + self.body
        message = BytesParser(policy=HTTP).parsebytes(raw)
        parts: dict[str, Part] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str):
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                parts[name] = Part(filename=part.get_filename(), data=data)
        return parts

    @property
    def bearer(self) -> str | None:
        """The token of an `Authorization: Bearer` header."""
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else None


@dataclass
class Reply:
    """What the fake answers: a JSON body (or raw bytes), a status and headers."""

    body: JSON | bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        """The body bytes and their content type."""
        if isinstance(self.body, bytes):
            return self.body, "text/html; charset=utf-8"
        return json.dumps(self.body, ensure_ascii=False).encode(), "application/json; charset=utf-8"


class ApiError(Exception):
    """A refusal as Feishu answers it: ``{"code": N, "msg": ..., "error": {...}}``."""

    def __init__(
        self, code: int, msg: str, *, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.headers = headers or {}

    def reply(self) -> Reply:
        """The HTTP answer."""
        body = {
            "code": self.code,
            "msg": self.msg,
            "error": {
                "log_id": secrets.token_hex(12).upper(),
                "troubleshooter": "https://open.feishu.cn/search?code=" + str(self.code),
            },
        }
        return Reply(body=body, status=self.status, headers=dict(self.headers))


def ok(data: JSON | None = None, **extra: Any) -> Reply:
    """A success: code 0, and `data` when the method returns some."""
    body: JSON = {"code": 0, "msg": "success"}
    if data is not None:
        body["data"] = data
    body.update(extra)
    return Reply(body=body)


def invalid(detail: str) -> ApiError:
    """Feishu's field validation failure (99992402)."""
    return ApiError(99992402, f"field validation failed: {detail}")
