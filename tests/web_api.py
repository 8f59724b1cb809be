"""A local stand-in for a JSON Web API over real HTTP: a function answers each POST."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (method name, request headers, form or JSON fields) -> the JSON body to answer with.
Answer = Callable[[str, Mapping[str, str], dict[str, str]], dict[str, Any]]


@contextmanager
def json_api(answer: Answer) -> Iterator[str]:
    """Serve `answer` on a free port; yields the base URL (http://127.0.0.1:N/api/)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                form = {k: str(v) for k, v in json.loads(raw or "{}").items()}
            else:
                form = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
            method = self.path.rsplit("/", 1)[-1]
            body = json.dumps(answer(method, dict(self.headers), form)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/"
    finally:
        server.shutdown()
        server.server_close()
