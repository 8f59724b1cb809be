"""Slack's error answer, and reading a method's parameters from a form or JSON body."""

from __future__ import annotations

import json
from typing import Any

JSON = dict[str, Any]


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


class RateLimited(SlackError):
    """Slack's rate limit: HTTP 429 ``{"ok": false, "error": "ratelimited"}`` with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("ratelimited")
        self.retry_after = retry_after


def truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def param_str(params: JSON, key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def param_list(params: JSON, key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def param_json(params: JSON, key: str, error: str) -> Any:
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
