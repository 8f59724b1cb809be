"""FakeSlack's injected faults and latency, response_url posts, and waiting across threads."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from tests.fakes.slack import FakeSlack
from tests.fakes.slack.conftest import TOKEN, api_error

# ---------------------------------------------------------------- faults


def test_rate_limit_is_retried_once_and_delivers_once(slack: FakeSlack) -> None:
    """A 429 with Retry-After, and RateLimitErrorRetryHandler: two attempts, one message."""
    client = WebClient(
        token=TOKEN,
        base_url=slack.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    client.chat_postMessage(channel="C2", text="once")
    assert time.monotonic() - started >= 1.0
    attempts = slack.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].response == {"ok": False, "error": "ratelimited"}
    assert [m.text for m in slack.messages()] == ["once"]


def test_rate_limit_without_handler_raises_with_retry_after(
    client: WebClient, slack: FakeSlack
) -> None:
    """Without a retry handler the 429 surfaces as SlackApiError with Retry-After."""
    slack.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C2", text="x")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "7"
    assert api_error(excinfo) == "ratelimited"


def test_server_error_then_success(slack: FakeSlack) -> None:
    """A 500 then success, with ServerErrorRetryHandler: two attempts, one message."""
    client = WebClient(
        token=TOKEN,
        base_url=slack.api_url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", status=500)
    client.chat_postMessage(channel="C2", text="once")
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 200]
    assert len(slack.messages()) == 1


def test_injected_api_error(client: WebClient, slack: FakeSlack) -> None:
    """fail_next(error=...) answers HTTP 200 ok:false, then the method works again."""
    slack.fail_next("chat.postMessage", error="not_in_channel")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C2", text="x")
    assert api_error(excinfo) == "not_in_channel"
    assert excinfo.value.response.status_code == 200
    client.chat_postMessage(channel="C2", text="y")
    assert [m.text for m in slack.messages()] == ["y"]


def test_faults_are_consumed_in_order(client: WebClient, slack: FakeSlack) -> None:
    """Queued faults apply one call each, in the order given; `times` repeats one."""
    slack.fail_next("users.info", error="ratelimited_custom", times=2)
    slack.fail_next("users.info", status=503)
    outcomes = []
    for _ in range(4):
        try:
            client.users_info(user="U1")
            outcomes.append("ok")
        except SlackApiError as exc:
            outcomes.append(f"{exc.response.status_code}:{exc.response['error']}")
    assert outcomes == [
        "200:ratelimited_custom",
        "200:ratelimited_custom",
        "503:internal_error",
        "ok",
    ]


def test_slow_next_and_latency(client: WebClient, slack: FakeSlack) -> None:
    """slow_next delays one answer; set_latency delays all until cleared."""
    slack.slow_next("auth.test", 0.3)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.3
    slack.set_latency(0.2)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    slack.clear_faults()


def test_concurrent_posts_get_unique_ts(slack: FakeSlack) -> None:
    """50 clients at once: every post is answered and gets its own ts."""
    client = WebClient(token=TOKEN, base_url=slack.api_url)

    def post(n: int) -> str:
        return str(client.chat_postMessage(channel="C2", text=f"m{n}")["ts"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        stamps = list(pool.map(post, range(500)))
    assert len(set(stamps)) == 500
    assert len(slack.messages("C2")) == 500
    assert all(c.status == 200 for c in slack.calls)


def test_response_url_records_posts(slack: FakeSlack) -> None:
    """WebhookClient posts to response_url(name) are recorded with their fields."""
    url = slack.response_url("cmd")
    response = WebhookClient(url).send(text="仅你可见", response_type="ephemeral")
    assert (response.status_code, response.body) == (200, "ok")
    (post,) = slack.response_posts("cmd")
    assert (post.text, post.response_type, post.replace_original) == (
        "仅你可见",
        "ephemeral",
        False,
    )
    assert slack.response_posts("other") == []


def test_wait_for_messages_sees_posts_from_another_thread(
    client: WebClient, slack: FakeSlack
) -> None:
    """wait_for_messages returns once a background thread has posted."""
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C2", text="later"))
    timer.start()
    try:
        assert [m.text for m in slack.wait_for_messages("C2", timeout=5)] == ["later"]
        with pytest.raises(AssertionError):
            slack.wait_for_messages("C1", timeout=0.1)
    finally:
        timer.join()
