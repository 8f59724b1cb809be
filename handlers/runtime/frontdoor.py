"""The front door: the WSGI application `xdept serve` runs, before any platform code.

It answers health checks, routes each platform's path to its endpoint, and
guards the body: one over 1 MiB gets 413 without being read (by its
Content-Length, or by a capped read of a chunked body); a body that ends
short of its Content-Length gets 400. An endpoint gets the raw bytes and
checks the platform's signature on them before anything parses them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
HEALTH_PATH = "/healthz"
_READ_CHUNK = 64 * 1024

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Request:
    """A request whose body was read within the limit."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True)
class Response:
    """What an endpoint answers."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, data: object) -> Response:
        """A JSON answer."""
        return cls(status, json.dumps(data).encode(), [("Content-Type", "application/json")])


class Endpoint(Protocol):
    """A platform's POST path: verifies, reads and handles one request."""

    def __call__(self, request: Request) -> Response:
        """Answer the request (never raises for anything a client sends)."""
        ...


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class FrontDoor:
    """Routes requests to platform endpoints and pages, and answers /healthz.

    `endpoints` take POSTs (a platform's signed requests); `pages` take GETs
    (/readyz, /metrics, an install page), with no body.
    """

    def __init__(
        self,
        endpoints: Mapping[str, Endpoint],
        *,
        healthy: Callable[[], bool],
        pages: Mapping[str, Endpoint] | None = None,
        max_body: int = MAX_BODY,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.endpoints = dict(endpoints)
        self.pages = dict(pages or {})
        self.healthy = healthy
        self.max_body = max_body
        self._on_close = on_close

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return self._send(start_response, self._answer(environ))

    def _answer(self, environ: dict[str, Any]) -> Response:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if self.healthy():
                return Response.json(200, {"ok": True, "database": "up"})
            log.warning("health check: the database does not answer")
            return Response.json(503, {"ok": False, "database": "down"})
        page = self.pages.get(path)
        if page is not None and method in ("GET", "HEAD"):
            return self._call(page, _request(environ, method, path, b""))
        endpoint = self.endpoints.get(path)
        if endpoint is None:
            if page is not None:
                refused = Response.json(405, {"error": "use GET"})
                return Response(405, refused.body, [*refused.headers, ("Allow", "GET")])
            return Response.json(404, {"error": "not found"})
        if method != "POST":
            refused = Response.json(405, {"error": "use POST"})
            return Response(405, refused.body, [*refused.headers, ("Allow", "POST")])
        body = self._read(environ)
        if isinstance(body, Response):
            return body
        return self._call(endpoint, _request(environ, method, path, body))

    def _call(self, endpoint: Endpoint, request: Request) -> Response:
        try:
            return endpoint(request)
        except Exception:  # an endpoint's bug: logged with its traceback, never hidden
            log.exception("the endpoint for %s failed", request.path)
            return Response.json(500, {"error": "internal error"})

    def _read(self, environ: dict[str, Any]) -> bytes | Response:
        """The body within the limit, or the answer to a request whose body is not."""
        stream = environ.get("wsgi.input")
        raw_length = str(environ.get("CONTENT_LENGTH") or "").strip()
        if raw_length:
            if not raw_length.isdigit():
                return Response.json(400, {"error": "bad Content-Length"})
            length = int(raw_length)
            if length > self.max_body:
                log.info("refused a %d-byte request body unread (limit %d)", length, self.max_body)
                return _too_large(self.max_body)
            body = _read_exactly(stream, length) if length else b""
            if body is None:
                return Response.json(400, {"error": "the body ended early"})
            return body
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
        if not chunked and not environ.get("wsgi.input_terminated"):
            return b""  # no length and not chunked: HTTP says there is no body
        # A chunked body: read up to one byte past the limit and no further.
        body = _read_capped(stream, self.max_body + 1)
        if len(body) > self.max_body:
            log.info("refused a chunked request body over %d bytes", self.max_body)
            return _too_large(self.max_body)
        return body

    def _send(self, start_response: StartResponse, response: Response) -> list[bytes]:
        reason = _REASONS.get(response.status, "Unknown")
        headers = [h for h in response.headers if h[0].lower() != "content-length"]
        headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status} {reason}", headers)
        return [response.body]

    def close(self) -> None:
        """Release what the endpoints hold (database connections)."""
        if self._on_close is not None:
            self._on_close()


def _request(environ: Mapping[str, Any], method: str, path: str, body: bytes) -> Request:
    return Request(
        method=method,
        path=path,
        query=str(environ.get("QUERY_STRING") or ""),
        headers=_headers(environ),
        body=body,
    )


def _too_large(limit: int) -> Response:
    return Response.json(413, {"error": f"request bodies are limited to {limit} bytes"})


def _read_exactly(stream: Any, length: int) -> bytes | None:
    if stream is None:
        return None
    parts: list[bytes] = []
    left = length
    while left > 0:
        chunk = stream.read(min(left, _READ_CHUNK))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _read_capped(stream: Any, cap: int) -> bytes:
    if stream is None:
        return b""
    parts: list[bytes] = []
    total = 0
    while total < cap:
        chunk = stream.read(min(cap - total, _READ_CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _headers(environ: Mapping[str, Any]) -> dict[str, str]:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = str(value)
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers[key.replace("_", "-").lower()] = str(value)
    return headers
