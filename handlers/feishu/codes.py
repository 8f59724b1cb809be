"""Feishu's answers as the outbox's DeliveryErrors, decided by the body's code.

Feishu answers JSON ``{"code": N, "msg": ...}``; code 0 is success. The HTTP
status only decides where there is no code (a gateway's HTML page). Rate
limits (99991400, with HTTP 429 or, on older methods, 400; 230020 per chat)
are retried after ``x-ogw-ratelimit-reset``; permanent codes are not.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.ports import DeliveryCode, DeliveryError

# A tenant token Feishu no longer accepts: drop it, fetch a new one, retry once.
TOKEN_INVALID = frozenset({99991663, 99991664, 99991665, 99991666, 99991668, 99991677})
# Past the 14 days in which a sent card can be edited.
EDIT_WINDOW_PASSED = 230031
RATE_LIMIT_RESET = "x-ogw-ratelimit-reset"

_CODES: dict[int, DeliveryCode] = {
    **dict.fromkeys((99991400, 230020), DeliveryCode.RATE_LIMITED),
    # The bot is not (or no longer) in the chat; it cannot join by itself.
    **dict.fromkeys((230002, 230017, 232011), DeliveryCode.NOT_IN_CHAT),
    # The chat was disbanded, the message withdrawn, the topic or chat is gone.
    **dict.fromkeys((230005, 230011, 230019, 232004), DeliveryCode.GONE),
    230025: DeliveryCode.TOO_LONG,
    # Content refused: malformed, sensitive, failed the audit, or a card Feishu can't build.
    **dict.fromkeys(
        (230001, 230022, 230028, 230099, 99992402, EDIT_WINDOW_PASSED), DeliveryCode.REJECTED
    ),
    # Credentials and permissions: a person must fix the app's settings.
    **dict.fromkeys(
        (
            99991661,
            99991401,
            99991672,
            99991679,
            10003,
            10014,
            230006,
            230013,
            230027,
            230035,
            # Outside the app's contact scope (people, departments).
            41050,
            40004,
            *TOKEN_INVALID,
        ),
        DeliveryCode.AUTH,
    ),
}
# What a lead can do about each permanent failure, in Feishu's terms (handlers.feishu.texts).
_HINTS = {
    DeliveryCode.NOT_IN_CHAT: "feishu.hint.not_in_chat",
    DeliveryCode.GONE: "feishu.hint.gone",
    DeliveryCode.AUTH: "feishu.hint.auth",
}


class FeishuError(DeliveryError):
    """A DeliveryError that keeps Feishu's own code, for the adapter's decisions."""

    def __init__(
        self,
        code: DeliveryCode,
        detail: str = "",
        *,
        feishu_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, detail, retry_after=retry_after, hint=_HINTS.get(code))
        self.feishu_code = feishu_code


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A header's value, whatever the case of its name."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def reset_after(headers: Mapping[str, str] | None) -> float:
    """Seconds until Feishu's rate limit resets (1 when it does not say)."""
    raw = header(headers, RATE_LIMIT_RESET)
    try:
        return max(0.0, float(raw)) if raw is not None else 1.0
    except ValueError:
        return 1.0


def classify(
    *,
    status: int | None,
    code: int | None,
    msg: str,
    headers: Mapping[str, str] | None,
    where: str,
) -> FeishuError:
    """The DeliveryError for a refused call."""
    detail = f"{where}: Feishu answered {code}: {msg}" if code else f"{where}: HTTP {status}"
    if code in (99991400, 230020) or (status == 429 and code not in _CODES):
        return FeishuError(
            DeliveryCode.RATE_LIMITED, detail, feishu_code=code, retry_after=reset_after(headers)
        )
    if code is not None and code in _CODES:
        return FeishuError(_CODES[code], detail, feishu_code=code)
    if status is not None and status >= 500:
        return FeishuError(DeliveryCode.TRANSIENT, detail, feishu_code=code)
    if code is None and status in (401, 403):
        return FeishuError(DeliveryCode.AUTH, detail)
    return FeishuError(DeliveryCode.REJECTED, detail, feishu_code=code)


def unreachable(where: str, exc: BaseException) -> FeishuError:
    """No answer at all (connection refused, reset, timed out)."""
    return FeishuError(DeliveryCode.UNREACHABLE, f"{where}: {type(exc).__name__}: {exc}")
