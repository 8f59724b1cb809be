"""Slack's request signing, and a signed POST to an app the way Slack makes it.

`sign` adds the `X-Slack-Signature` headers Slack computes, so a Bolt app
verifies them with its real signing secret; `signed_post` sends a body built
by the `payloads*` modules and returns whatever the app answers.

Example::

    body = slash_command_body("ask @logistics 3 pallets by Friday", user_id="U1",
                              response_url=slack.response_url("ask"))
    status, headers, text = signed_post(app_url, SECRET, body)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, NamedTuple
from urllib.error import HTTPError
from urllib.request import ProxyHandler, Request, build_opener

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


def sign(secret: str, body: bytes | str, timestamp: int) -> dict[str, str]:
    """The headers Slack adds to a request: timestamp and ``v0=`` HMAC-SHA256 signature."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


class SignedResponse(NamedTuple):
    """What the app answered: status, headers (lower-cased names) and body text."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


# Bypass any HTTP(S)_PROXY from the environment: requests go to a local app.
_opener = build_opener(ProxyHandler({}))


def signed_post(
    url: str,
    secret: str,
    body: bytes | str,
    content_type: str | None = None,
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> SignedResponse:
    """POST a body signed like Slack does; returns (status, headers, body) for any status.

    `content_type` defaults to JSON for a body starting with ``{`` and to a form
    otherwise. `retry_num` / `retry_reason` add Slack's retry headers.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if content_type is None:
        content_type = JSON_TYPE if raw.lstrip().startswith(b"{") else FORM
    ts = int(time.time()) if timestamp is None else timestamp
    all_headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        **sign(secret, raw, ts),
    }
    if retry_num is not None:
        all_headers["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        all_headers["X-Slack-Retry-Reason"] = retry_reason
    all_headers.update(headers or {})
    request = Request(url, data=raw, headers=all_headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return SignedResponse(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read().decode("utf-8"),
            )
    except HTTPError as error:  # 4xx/5xx are answers too: the test asserts on them
        with error:
            return SignedResponse(
                error.code,
                {k.lower(): v for k, v in error.headers.items()},
                error.read().decode("utf-8"),
            )
