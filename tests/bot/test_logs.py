"""Logs: XDEPT_LOG_LEVEL and XDEPT_LOG_FORMAT, the SDKs kept at INFO, and no secret anywhere."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.cli import configure_logging
from bot.config import Settings
from storage.crypto import generate_key
from tests.conftest import make_settings
from tests.web_api import json_api

KEY_1, KEY_2 = generate_key(), generate_key()
CONFIGURED = {
    "slack_bot_token": "xoxb-1234-5678-configuredbot",
    "slack_signing_secret": "f00dfeedsigningsecret",
    "slack_app_token": "xapp-1-A1-configuredapp",
    "slack_client_secret": "clientsecretvalue42",
    "xdept_secret_key": f"{KEY_1},{KEY_2}",
    "feishu_app_secret": "feishuappsecretvalue",
    "feishu_encrypt_key": "feishuencryptkey77",
    "database_url": "postgresql://xdept:db-pa55word@db.internal:5432/xdept",
}
# Secrets nobody configured, recognised by their shape or their key.
UNCONFIGURED = {
    "user token": "xoxp-9999-8888-someusertoken",
    "refresh token": "xoxe-1-somerefreshtoken",
    "rotated token": "xoxe.xoxb-1-rotatedbottoken",
    "fernet key": generate_key(),
    "bearer": "Bearer ya29-opaque-bearer-value",
    "url password": "https://admin:url-pa55word@internal.example/",
    "client secret pair": "client_secret=pairsecretvalue",
    "json pair": '{"access_token": "jsonaccesstokenvalue"}',
    "webhook": "https://hooks.slack.com/services/T1/B1/webhooksecretpath",
}
SECRET_WORDS = [
    "configuredbot",
    "f00dfeedsigningsecret",
    "configuredapp",
    "clientsecretvalue42",
    KEY_1,
    KEY_2,
    "feishuappsecretvalue",
    "feishuencryptkey77",
    "db-pa55word",
    "someusertoken",
    "somerefreshtoken",
    "rotatedbottoken",
    UNCONFIGURED["fernet key"],
    "ya29-opaque-bearer-value",
    "url-pa55word",
    "pairsecretvalue",
    "jsonaccesstokenvalue",
    "webhooksecretpath",
]
LOGGERS = [
    "bot.core",
    "handlers.slack.listeners",
    "storage.db",
    "scheduler.tick",
    "slack_sdk.web.base_client",
    "slack_bolt.App",
    "lark_oapi",
    "urllib3.connectionpool",
    "gunicorn.error",
    "apscheduler.scheduler",
    "",
]
LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {**CONFIGURED, **overrides}
    return make_settings(**values)


@pytest.fixture
def log_state() -> Iterator[None]:
    """Leave logging as the test found it."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    factory = logging.getLogRecordFactory()
    names = [*LOGGERS, "bot", "handlers", "storage", "scheduler", "slack_sdk", "slack_bolt"]
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:] = handlers
    logging.setLogRecordFactory(factory)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def capture(s: Settings) -> io.StringIO:
    """Configure logging as `xdept` does, into a buffer."""
    stream = io.StringIO()
    configure_logging(s, stream=stream)
    return stream


def log_everything() -> None:
    secrets = [*CONFIGURED.values(), *UNCONFIGURED.values()]
    for name in LOGGERS:
        log = logging.getLogger(name)
        for level in LEVELS:
            log.log(level, "calling with %s and %r", secrets[0], {"headers": secrets[1:]})
            log.log(level, "all in the message: " + " | ".join(secrets))
        try:
            raise RuntimeError("failed with " + ", ".join(secrets))
        except RuntimeError:
            log.exception("request failed for token %s", CONFIGURED["slack_bot_token"])
        extra = {"token_seen": secrets[0], "request": {"headers": secrets}, "attempt": 2}
        log.warning("with a stack", stack_info=True, extra=extra)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_secret_in_any_line_at_any_level_through_any_logger(log_state: None, fmt: str) -> None:
    stream = capture(settings(xdept_log_level="DEBUG", xdept_log_format=fmt))
    # A handler a library adds later, as gunicorn does for its error log.
    late = io.StringIO()
    late_handler = logging.StreamHandler(late)
    logging.getLogger("gunicorn.error").addHandler(late_handler)
    try:
        log_everything()
    finally:
        logging.getLogger("gunicorn.error").removeHandler(late_handler)
    out = stream.getvalue() + late.getvalue()
    assert out.count("request failed for token") == len(LOGGERS) + 1  # the late handler's too
    assert "[redacted]" in out and "Traceback" in out
    for word in SECRET_WORDS:
        assert word not in out, word
    if fmt == "json":
        lines = stream.getvalue().splitlines()
        parsed = [json.loads(line) for line in lines]
        assert all({"time", "level", "logger", "message"} <= set(p) for p in parsed)
        assert any("exception" in p for p in parsed)
        assert any(p.get("attempt") == 2 and "request" in p for p in parsed)


def test_the_level_is_for_xdept_and_the_sdks_stay_at_info(log_state: None) -> None:
    stream = capture(settings(xdept_log_level="DEBUG"))
    logging.getLogger("bot.core").debug("own debug line")
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG)  # as if a library asked for it
    logging.getLogger("slack_sdk.web.base_client").debug("sdk debug line")
    logging.getLogger("slack_bolt.App").debug("bolt debug line")
    logging.getLogger("urllib3.connectionpool").debug("urllib3 debug line")
    logging.getLogger("slack_sdk.web.base_client").info("sdk info line")
    out = stream.getvalue()
    assert "own debug line" in out and "sdk info line" in out
    assert "sdk debug line" not in out and "bolt debug line" not in out
    assert "urllib3 debug line" not in out

    stream = capture(settings(xdept_log_level="WARNING"))
    logging.getLogger("bot.core").info("own info line")
    logging.getLogger("scheduler.tick").warning("own warning line")
    assert "own info line" not in stream.getvalue()
    assert "own warning line" in stream.getvalue()


def test_a_real_web_api_call_at_debug_leaves_no_token_in_the_log(log_state: None) -> None:
    """slack-sdk logs request headers and bodies at DEBUG; none of it reaches the log."""

    answer = {"ok": False, "error": "invalid_auth", "token": CONFIGURED["slack_bot_token"]}
    stream = capture(settings(xdept_log_level="DEBUG", xdept_log_format="json"))
    with json_api(lambda *_: answer) as url:
        client = WebClient(token=CONFIGURED["slack_bot_token"], base_url=url)
        try:
            client.chat_postMessage(channel="C1", text="hello")
        except Exception:
            logging.getLogger("handlers.slack.messenger").exception("post failed")
    out = stream.getvalue()
    assert "post failed" in out
    assert "configuredbot" not in out


def test_lines_go_to_stderr_as_it_is_when_written(
    log_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging(settings())
    first, later = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    logging.getLogger("bot.core").warning("first line")
    first.close()  # as a test runner or a daemon closes what it had
    monkeypatch.setattr("sys.stderr", later)
    logging.getLogger("bot.core").warning("later line with %s", CONFIGURED["slack_bot_token"])
    assert "later line with [redacted]" in later.getvalue()


def test_bad_level_or_format_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="XDEPT_LOG_LEVEL='LOUD' must be one of"):
        make_settings(xdept_log_level="loud")
    with pytest.raises(ValueError, match="XDEPT_LOG_FORMAT='xml' must be 'text' or 'json'"):
        make_settings(xdept_log_format="XML")
