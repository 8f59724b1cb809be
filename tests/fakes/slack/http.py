"""The fake's HTTP side: the threaded server, and how a request becomes an answer.

Three kinds of path: ``/api/<method>`` (the Web API, dispatched to the route
modules), ``/response/<name>`` (what a ``response_url`` receives) and
``/upload/<file_id>`` (the bytes of ``files.getUploadURLExternal``). Every
request is recorded as a `Call` before it is answered; faults and latency
queued on the fake apply to all three.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes.slack.faults import Fault
from tests.fakes.slack.installs import oauth_v2_access
from tests.fakes.slack.params import JSON, RateLimited, SlackError
from tests.fakes.slack.records import RESPONSE_URL, UPLOAD, Call, ResponsePost

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack


class FakeSlackServer(ThreadingHTTPServer):
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
    server: FakeSlackServer

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
            status, extra, payload = handle_http(fake, self.command, self.path, headers, body)
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


def handle_http(
    fake: FakeSlack, verb: str, raw_path: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(raw_path)
    path = unquote(parts.path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if path.startswith("/api/"):
        return handle_api(fake, path[len("/api/") :], verb, raw_path, query, headers, body)
    if path.startswith("/response/") and verb == "POST":
        return handle_response_url(fake, path[len("/response/") :], raw_path, headers, body)
    if path.startswith("/upload/") and verb == "POST":
        return handle_upload(fake, path[len("/upload/") :], raw_path, headers, body)
    return 404, {"Content-Type": "text/plain"}, b"not found"


def begin(fake: FakeSlack, method: str, call: Call) -> tuple[Fault | None, float]:
    with fake._cond:
        fake._calls.append(call)
        fault = fake._take_fault(method)
        delay = fault.delay if fault is not None and fault.delay else fake._latency_for(method)
    if delay:
        time.sleep(delay)
    return fault, delay


def finish(fake: FakeSlack, call: Call, status: int, data: JSON) -> None:
    with fake._cond:
        call.status = status
        call.response = data
        fake._cond.notify_all()


def handle_api(
    fake: FakeSlack,
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
    fault, _ = begin(fake, method, call)
    extra: dict[str, str] = {"Content-Type": _JSON_TYPE}
    if fault is not None and fault.fails:
        status, fault_headers, data = fault.answer()
        extra.update(fault_headers)
    else:
        status = 200
        try:
            if method == "oauth.v2.access":  # the app's own credentials, not a token
                data = {"ok": True, **oauth_v2_access(fake, authorization, params)}
            else:
                data = call_method(fake, method, params, token, parse_error)
        except RateLimited as exc:
            status = 429
            extra["Retry-After"] = str(exc.retry_after)
            data = exc.body()
        except SlackError as exc:
            data = exc.body()
    finish(fake, call, status, data)
    return status, extra, json.dumps(data, ensure_ascii=False).encode("utf-8")


def call_method(
    fake: FakeSlack, method: str, params: JSON, token: str | None, parse_error: str | None
) -> JSON:
    handler = fake._methods.get(method)
    if handler is None:
        raise SlackError("unknown_method")
    if not token:
        raise SlackError("not_authed")
    if fake.valid_tokens is not None and token not in fake.valid_tokens:
        raise SlackError("invalid_auth")
    refused = fake.token_refused(token)
    if refused:
        raise SlackError(refused)
    if parse_error:
        raise SlackError(parse_error)
    with fake._cond:
        fake.current_token = token
        result = handler(fake, params)
    return {"ok": True, **result}


def handle_response_url(
    fake: FakeSlack, name: str, raw_path: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    call = Call(
        method=RESPONSE_URL,
        params={"name": name},
        headers=headers,
        timestamp=time.time(),
        path=raw_path,
        body=body,
    )
    fault, _ = begin(fake, RESPONSE_URL, call)
    if fault is not None and fault.fails:
        status, extra, data = fault.answer()
        finish(fake, call, status, data)
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
        finish(fake, call, 400, {"ok": False, "error": "invalid_payload"})
        return 400, {"Content-Type": "text/html"}, b"invalid_payload"
    with fake._cond:
        fake._response_posts.append(
            ResponsePost(name=name, body=payload, headers=headers, timestamp=call.timestamp)
        )
    finish(fake, call, 200, {"ok": True})
    # Slack answers a response_url with a bare "ok".
    return 200, {"Content-Type": "text/html"}, b"ok"


def handle_upload(
    fake: FakeSlack, file_id: str, raw_path: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    call = Call(
        method=UPLOAD,
        params={"file_id": file_id},
        headers=headers,
        timestamp=time.time(),
        path=raw_path,
        body=body,
    )
    fault, _ = begin(fake, UPLOAD, call)
    if fault is not None and fault.fails:
        status, extra, data = fault.answer()
        finish(fake, call, status, data)
        return status, {"Content-Type": _JSON_TYPE, **extra}, json.dumps(data).encode()
    with fake._cond:
        upload = fake._uploads.get(file_id)
        if upload is not None:
            upload.content = body
    if upload is None:
        finish(fake, call, 404, {"ok": False, "error": "file_not_found"})
        return 404, {"Content-Type": "text/plain"}, b"file not found"
    finish(fake, call, 200, {"ok": True})
    return 200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode()
