"""SlackMessenger: the Messenger port over the Slack Web API, and the WebClient it uses.

Slack's answers become DeliveryErrors the outbox understands: permanent ones
(the channel is gone, archived, or private without the bot; the token is
dead; the message is malformed) are not retried; rate limits and server or
network trouble are, after Slack's `Retry-After`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.config import Settings
from bot.messages import Message
from bot.ports import DeliveryCode, DeliveryError, MessageRef
from handlers.slack.blocks import render

log = logging.getLogger(__name__)

# Longer waits are handed back to the outbox instead of holding a thread.
MAX_RETRY_WAIT = 30.0
API_TIMEOUT = 10
# Slack allows about one message a second per channel.
CHAT_INTERVAL = 1.0
# The metadata event type of the bot's own messages, naming their outbox row.
METADATA_EVENT = "xdept_outbox"
# Looking a message up after a crash: pages of history read before giving up (and sending).
HISTORY_PAGE = 200
HISTORY_PAGES = 10

# Slack's `error` codes by the neutral code the outbox acts on; any other is REJECTED.
_CODES: dict[str, DeliveryCode] = {
    **dict.fromkeys(("ratelimited", "rate_limited"), DeliveryCode.RATE_LIMITED),
    **dict.fromkeys(
        ("not_in_channel", "user_not_in_channel", "restricted_action_read_only_channel"),
        DeliveryCode.NOT_IN_CHAT,
    ),
    **dict.fromkeys(
        (
            "channel_not_found",
            "is_archived",
            "channel_is_archived",
            "account_inactive",
            "message_not_found",
            "user_not_found",
            "users_not_found",
            "file_not_found",
        ),
        DeliveryCode.GONE,
    ),
    **dict.fromkeys(("msg_too_long", "too_many_attachments"), DeliveryCode.TOO_LONG),
    **dict.fromkeys(
        (
            "invalid_auth",
            "not_authed",
            "token_revoked",
            "token_expired",
            "no_permission",
            "missing_scope",
            "team_access_not_granted",
            "ekm_access_denied",
        ),
        DeliveryCode.AUTH,
    ),
    **dict.fromkeys(
        ("internal_error", "fatal_error", "service_unavailable", "request_timeout"),
        DeliveryCode.TRANSIENT,
    ),
}
# What a lead can do about each permanent failure, in Slack's terms (handlers.slack.texts).
_HINTS = {
    DeliveryCode.NOT_IN_CHAT: "slack.hint.not_in_chat",
    DeliveryCode.GONE: "slack.hint.gone",
    DeliveryCode.AUTH: "slack.hint.auth",
}


def _failure(code: DeliveryCode, detail: str, *, retry_after: float | None = None) -> DeliveryError:
    return DeliveryError(code, detail, retry_after=retry_after, hint=_HINTS.get(code))


def retry_after_of(headers: Any) -> float | None:
    """The Retry-After header as seconds (header values may come as lists)."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class CappedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a 429's Retry-After up to `max_wait`; a longer wait is left to the caller."""

    def __init__(
        self,
        max_retry_count: int = 2,
        *,
        max_wait: float = MAX_RETRY_WAIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self._sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after_of(response.headers)
        return wait is None or wait <= self.max_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = retry_after_of(response.headers if response is not None else None)
        # A little jitter so replicas that were limited together do not return together.
        self._sleep((1.0 if wait is None else wait) + random.uniform(0, 0.2))
        state.next_attempt_requested = True
        state.increment_current_attempt()


def make_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A WebClient for SLACK_API_URL with retries for rate limits, 5xx and dropped connections."""
    client = base_client(settings)
    client.token = token or settings.secret("slack_bot_token")
    return client


def base_client(settings: Settings) -> WebClient:
    """A WebClient for SLACK_API_URL with xdept's retries and no token (Bolt's template)."""
    base = (
        settings.slack_api_url
        if settings.slack_api_url.endswith("/")
        else settings.slack_api_url + "/"
    )
    return WebClient(base_url=base, timeout=API_TIMEOUT, retry_handlers=retry_handlers())


def retry_handlers() -> list[RetryHandler]:
    """Retries for dropped connections, Slack's 500/503, and 429 within MAX_RETRY_WAIT."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
        CappedRateLimitRetryHandler(),
    ]


def api_error(exc: SlackApiError) -> str:
    """The `error` code of a failed call ('http_<status>' when the body had none)."""
    response = exc.response
    code = response.get("error") if hasattr(response, "get") else None
    if code:
        return str(code)
    return f"http_{getattr(response, 'status_code', 'error')}"


def delivery_error(exc: Exception, *, where: str) -> DeliveryError:
    """A Slack or network failure as the outbox's DeliveryError."""
    if isinstance(exc, SlackApiError):
        code = api_error(exc)
        status = getattr(exc.response, "status_code", 200)
        if status == 429 or code == "ratelimited":
            wait = retry_after_of(getattr(exc.response, "headers", None))
            return _failure(
                DeliveryCode.RATE_LIMITED, where, retry_after=wait if wait is not None else 1.0
            )
        if status >= 500:
            return _failure(DeliveryCode.TRANSIENT, f"Slack answered {status} for {where}")
        return _failure(_CODES.get(code, DeliveryCode.REJECTED), f"{code} {where}")
    if isinstance(exc, URLError | OSError | TimeoutError | SlackClientError):
        return _failure(DeliveryCode.UNREACHABLE, f"{where}: {exc}")
    raise exc


def without_rate_limit_waits(client: WebClient) -> WebClient:
    """The same client minus its waits on 429s: delivery holds a rate-limited chat back by
    itself (scheduler.pacing) instead of holding the sender, and every other chat, too."""
    handlers = [h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)]
    if len(handlers) == len(client.retry_handlers):
        return client
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=handlers,
    )


def outbox_metadata(key: str) -> dict[str, Any]:
    """Message metadata naming the outbox row a message was sent for."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def outbox_key(message: dict[str, Any]) -> str | None:
    """The outbox key in a message's metadata, if the bot put one there."""
    metadata = message.get("metadata") or {}
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key is not None else None


class SlackMessenger:
    """Posts, edits, DMs, ephemerals and files through the Slack Web API.

    Posts and direct messages carry their outbox key as message metadata, so
    `find_sent` can tell after a crash whether a message went out.
    """

    def __init__(self, client: WebClient, *, chat_interval: float = CHAT_INTERVAL) -> None:
        self.client = without_rate_limit_waits(client)
        # Seconds between two messages to one channel (smaller in benchmarks and tests).
        self.chat_interval = chat_interval
        self._dm_channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def post(
        self,
        *,
        chat: str,
        message: Message,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MessageRef:
        """Post to a channel; joins a public channel it was not in, once."""
        channel = chat
        rendered = render(message)
        kwargs: dict[str, Any] = {"channel": channel, **rendered.kwargs()}
        if thread_id:
            kwargs["thread_ts"] = thread_id
        if idempotency_key:
            kwargs["metadata"] = outbox_metadata(idempotency_key)
        try:
            response = self.client.chat_postMessage(**kwargs)
        except SlackApiError as exc:
            code = api_error(exc)
            if code == "not_in_channel":
                self._join(channel)
                response = self._call(lambda: self.client.chat_postMessage(**kwargs), channel)
            elif code == "channel_not_found" and channel[:1] in ("C", "G"):
                # A private channel the bot was never invited to looks exactly like a missing one.
                raise _failure(
                    DeliveryCode.NOT_IN_CHAT,
                    f"{channel} is private and I was not invited, or it was deleted",
                ) from exc
            else:
                raise delivery_error(exc, where=f"posting to {channel}") from exc
        except (URLError, OSError, SlackClientError) as exc:
            raise delivery_error(exc, where=f"posting to {channel}") from exc
        return MessageRef(chat=str(response["channel"]), message_id=str(response["ts"]))

    def _join(self, channel: str) -> None:
        """Join a public channel; a private one needs a person to invite the bot."""
        try:
            self.client.conversations_join(channel=channel)
        except SlackApiError as exc:
            code = api_error(exc)
            if code in ("method_not_supported_for_channel_type", "channel_not_found"):
                raise _failure(DeliveryCode.NOT_IN_CHAT, f"{channel} is private") from exc
            raise delivery_error(exc, where=f"joining {channel}") from exc
        except (URLError, OSError, SlackClientError) as exc:
            raise delivery_error(exc, where=f"joining {channel}") from exc
        log.info("joined public channel %s to post there", channel)

    def _call(self, call: Callable[[], Any], where: str) -> Any:
        try:
            return call()
        except (SlackApiError, URLError, OSError, SlackClientError) as exc:
            raise delivery_error(exc, where=where) from exc

    def update(self, *, ref: MessageRef, message: Message) -> None:
        """Edit a message in place."""
        rendered = render(message)
        self._call(
            lambda: self.client.chat_update(
                channel=ref.chat, ts=ref.message_id, **rendered.kwargs()
            ),
            f"editing {ref.chat}/{ref.message_id}",
        )

    def dm_channel(self, user: str) -> str:
        """The bot's direct-message channel with a person (opened once, then remembered)."""
        with self._lock:
            known = self._dm_channels.get(user)
        if known:
            return known
        response = self._call(
            lambda: self.client.conversations_open(users=user), f"opening a DM with {user}"
        )
        channel = str(response["channel"]["id"])
        with self._lock:
            self._dm_channels[user] = channel
        return channel

    def dm(self, *, user: str, message: Message, idempotency_key: str | None = None) -> MessageRef:
        """Send a direct message to a person."""
        channel = self.dm_channel(user)
        kwargs: dict[str, Any] = {"channel": channel, **render(message).kwargs()}
        if idempotency_key:
            kwargs["metadata"] = outbox_metadata(idempotency_key)
        response = self._call(lambda: self.client.chat_postMessage(**kwargs), f"messaging {user}")
        return MessageRef(chat=str(response["channel"]), message_id=str(response["ts"]))

    def find_sent(
        self,
        *,
        key: str,
        since: datetime,
        chat: str | None = None,
        user: str | None = None,
        thread_id: str | None = None,
    ) -> MessageRef | None:
        """The bot's message with that outbox key from `since` on: conversations.history for
        a top-level message, conversations.replies inside a thread.

        A lookup Slack refuses for good (a scope the install lacks, a channel gone) finds
        nothing, so the message is sent again: a possible repeat rather than a loss.
        """
        channel = chat if chat is not None else self.dm_channel(user or "")
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{since.timestamp():.6f}",
            "include_all_metadata": True,
            "limit": HISTORY_PAGE,
        }
        if thread_id:
            args["ts"] = thread_id
        where = f"looking for {key} in {channel}"
        for _ in range(HISTORY_PAGES):
            try:
                if thread_id:
                    page = self._call(lambda: self.client.conversations_replies(**args), where)
                else:
                    page = self._call(lambda: self.client.conversations_history(**args), where)
            except DeliveryError as exc:
                if not exc.permanent:
                    raise
                log.warning("cannot look for %s in %s (%s): sending it again", key, channel, exc)
                return None
            for found in page.get("messages") or []:
                if outbox_key(found) == key:
                    return MessageRef(chat=channel, message_id=str(found["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
            args["cursor"] = cursor
        log.warning(
            "%s: more than %d messages since %s; sending it again",
            where,
            HISTORY_PAGES * HISTORY_PAGE,
            since,
        )
        return None

    def ephemeral(self, *, chat: str, user: str, message: Message) -> None:
        """Show a message only to one person in a channel."""
        channel = chat
        rendered = render(message)
        self._call(
            lambda: self.client.chat_postEphemeral(channel=channel, user=user, **rendered.kwargs()),
            f"showing {user} a message in {channel}",
        )

    def answer(self, *, handle: str, message: Message) -> None:
        """Answer a command or a click through its response_url (handlers.slack.responses)."""
        from handlers.slack.responses import send_response

        send_response(handle, message)

    def upload(
        self,
        *,
        chat: str,
        filename: str,
        content: bytes,
        title: str,
        comment: str | None = None,
        thread_id: str | None = None,
    ) -> None:
        """Share a file in a channel (files.getUploadURLExternal, upload, complete)."""
        channel = chat
        kwargs: dict[str, Any] = {
            "channel": channel,
            "filename": filename,
            "content": content,
            "title": title,
        }
        if comment:
            kwargs["initial_comment"] = comment
        if thread_id:
            kwargs["thread_ts"] = thread_id
        self._call(
            lambda: self.client.files_upload_v2(**kwargs), f"uploading {filename} to {channel}"
        )

    def permalink(self, *, ref: MessageRef) -> str | None:
        """The message's link, or None if Slack won't give one (the message still went out)."""
        try:
            response = self.client.chat_getPermalink(channel=ref.chat, message_ts=ref.message_id)
        except (SlackApiError, URLError, OSError, SlackClientError) as exc:
            log.warning("no permalink for %s/%s: %s", ref.chat, ref.message_id, exc)
            return None
        link = response.get("permalink")
        return str(link) if link else None
