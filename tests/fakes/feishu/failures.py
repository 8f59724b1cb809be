"""Failures the fake can answer with on demand, shaped as Feishu's."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes.feishu.http import ApiError, Reply


@dataclass(frozen=True)
class Failure:
    """One refused call: a Feishu error body, a raw (non-JSON) body, or a dropped connection."""

    code: int | None = None
    msg: str = ""
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    drop: bool = False

    def reply(self) -> Reply:
        """The HTTP answer (not used for a dropped connection)."""
        if self.code is None:
            return Reply(body=self.raw or b"", status=self.status, headers=dict(self.headers))
        return ApiError(self.code, self.msg, status=self.status, headers=self.headers).reply()


def rate_limited(reset: float = 1, *, status: int = 429) -> Failure:
    """The app's rate limit: 99991400 with HTTP 429 (older methods answer HTTP 400)."""
    return Failure(
        99991400,
        "request trigger frequency limit",
        status=status,
        headers={"x-ogw-ratelimit-reset": str(reset)},
    )


def chat_rate_limited(reset: float = 1) -> Failure:
    """The per-chat limit (5 QPS shared by every bot in a group): 230020."""
    return Failure(
        230020,
        "This operation triggers the frequency limit.",
        headers={"x-ogw-ratelimit-reset": str(reset)},
    )


def bot_not_in_chat(code: int = 230002) -> Failure:
    """The bot was removed from the chat (230002, or 230017)."""
    return Failure(code, "Bot/User can NOT be out of the chat.")


def too_long() -> Failure:
    """Content over Feishu's size limit: 230025."""
    return Failure(230025, "The length of the message content reaches its limit.")


def token_invalid(code: int = 99991663) -> Failure:
    """A tenant token Feishu no longer accepts (99991663, 99991668, ...)."""
    return Failure(code, "Invalid access token for authorization.")


def server_error(status: int = 502) -> Failure:
    """A gateway failure with an HTML body, as a load balancer answers."""
    return Failure(status=status, raw=b"<html><body>502 Bad Gateway</body></html>")


def dropped() -> Failure:
    """The connection closes without an answer."""
    return Failure(drop=True)
