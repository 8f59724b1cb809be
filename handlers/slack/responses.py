"""Answering a request through its `response_url`: the Messenger's `answer` on Slack.

Slack lets an app answer a command or a click through the request's
response_url for 30 minutes (the core sends by direct message after 25).
The answer is shown only to that person and leaves the original message as
it was.
"""

from __future__ import annotations

from urllib.error import URLError

from slack_sdk.errors import SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.messages import Message
from bot.ports import DeliveryCode, DeliveryError
from handlers.slack.blocks import render
from handlers.slack.messenger import API_TIMEOUT, retry_after_of, retry_handlers

# An expired or used-up response_url: the person is reached another way.
_GONE = frozenset({404, 410})


def send_response(url: str, message: Message) -> None:
    """POST the message to a response_url, visible to that person only."""
    rendered = render(message)
    payload = {
        "text": rendered.text,
        "blocks": rendered.blocks,
        "response_type": "ephemeral",
        "replace_original": False,
    }
    webhook = WebhookClient(url=url, timeout=API_TIMEOUT, retry_handlers=retry_handlers())
    try:
        response = webhook.send_dict(payload)
    except (URLError, OSError, SlackClientError) as exc:
        raise DeliveryError(DeliveryCode.UNREACHABLE, f"response_url: {exc}") from exc
    status = response.status_code
    if status == 200:
        return
    detail = f"response_url answered {status}: {str(response.body)[:200]}"
    if status in _GONE:
        raise DeliveryError(DeliveryCode.GONE, detail)
    if status == 429:
        wait = retry_after_of(response.headers)
        raise DeliveryError(DeliveryCode.RATE_LIMITED, detail, retry_after=wait or 1.0)
    if status >= 500:
        raise DeliveryError(DeliveryCode.TRANSIENT, detail)
    raise DeliveryError(DeliveryCode.REJECTED, detail)
