"""Logging for every xdept process: levels, text or JSON lines, and no secret in any line.

Secrets are removed twice over: a filter on each handler configured here, and a
log-record factory, which also covers handlers that libraries add later (a
server's error log). Both rewrite the record itself (message, arguments,
exception and stack text), so whatever formats it afterwards sees no secret.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

REDACTED = "[redacted]"

# Secrets whose shape gives them away, whatever their platform.
GENERIC_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Fernet keys (32 bytes, url-safe base64) and Fernet tokens (ciphertext).
    re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])"),
    re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}"),
)

# key=value / "key": "value" pairs whose value is secret (query strings, form bodies, JSON,
# reprs of dicts and headers); the key stays so a reader knows what was there.
_SECRET_NAMES = (
    r"client_secret|signing_secret|app_secret|secret_key|encrypt_key|verification_token"
    r"|access_token|refresh_token|bot_token|user_token|app_token|password|passwd|token"
)
_PAIR = re.compile(
    r"(?i)(?P<key>[\"']?\b(?:" + _SECRET_NAMES + r")[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<value>[^\s\"'&,;}\]]+)"
)
_BEARER = re.compile(r"(?i)\b(?P<key>(?:Bearer|Basic)\s+)(?P<value>[^\s\"',;]+)")
# user:password@ in any URL (database URLs first of all).
_URL_PASSWORD = re.compile(r"(?P<key>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<value>[^@\s]+)(?=@)")
_KEYED = (_PAIR, _BEARER, _URL_PASSWORD)


class Redactor:
    """Removes secrets from text: configured values, shapes of secrets, keyed values."""

    def __init__(
        self, *, secrets: Iterable[str] = (), patterns: Iterable[re.Pattern[str]] = ()
    ) -> None:
        # Longest first, so a secret that contains another is removed whole.
        self._values = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)
        self._patterns = (*GENERIC_PATTERNS, *patterns)

    def __call__(self, text: str) -> str:
        """The text with every secret replaced by [redacted]."""
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        for pattern in self._patterns:
            text = pattern.sub(REDACTED, text)
        for keyed in _KEYED:
            text = keyed.sub(_keep_key, text)
        return text


def _keep_key(match: re.Match[str]) -> str:
    if match.group("value").startswith("["):  # already [redacted] by an earlier pass
        return match.group(0)
    return match.group("key") + REDACTED


_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "_xdept_redacted",
}


def redact_record(record: logging.LogRecord, redact: Callable[[str], str]) -> None:
    """Rewrite a record in place so that no formatter can bring a secret back."""
    # Extra fields arrive after the record is made, so they are checked every time.
    for key, value in list(vars(record).items()):
        if key in _STANDARD_ATTRS or key.startswith("_") or _plain_number(value):
            continue
        setattr(record, key, redact(value if isinstance(value, str) else repr(value)))
    if getattr(record, "_xdept_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not lose the line
        message = f"{record.msg!r} % {record.args!r}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    # The formatter would format exc_info again only when exc_text is empty.
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._xdept_redacted = True


class RedactingFilter(logging.Filter):
    """A handler filter that redacts every record passing through."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self.redact)
        return True


class QuietLibraries(logging.Filter):
    """Drops records below INFO from the named loggers, whatever their own levels say."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        self.prefixes = tuple(names)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        return not any(record.name == p or record.name.startswith(p + ".") for p in self.prefixes)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, exception and extras."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                out[key] = value if _plain_number(value) or isinstance(value, str) else repr(value)
        return json.dumps(out, ensure_ascii=False)


def _plain_number(value: object) -> bool:
    return isinstance(value, int | float | bool) or value is None


class StderrHandler(logging.StreamHandler):
    """Writes to sys.stderr as it is when a line is written, not as it was at set-up."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:
        """The current sys.stderr (servers and test runners replace it)."""
        return sys.stderr


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# xdept's own loggers: the packages of this project.
OWN_LOGGERS = ("bot", "handlers", "storage", "scheduler")
# Libraries that say at INFO what nobody operating xdept needs.
CHATTY = ("alembic.runtime.plugins",)


def configure_logging(
    *,
    level: str = "INFO",
    fmt: str = "text",
    secrets: Iterable[str] = (),
    patterns: Iterable[re.Pattern[str]] = (),
    quiet: Sequence[str] = (),
    stream: TextIO | None = None,
) -> Redactor:
    """Set up the root handler; `level` is for xdept's loggers, `quiet` ones stay >= INFO."""
    redact = Redactor(secrets=secrets, patterns=patterns)
    handler: logging.StreamHandler[TextIO] = (
        logging.StreamHandler(stream) if stream is not None else StderrHandler()
    )
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(QuietLibraries(quiet))
    handler.addFilter(RedactingFilter(redact))
    root = logging.getLogger()
    for old in list(root.handlers):  # set up again: the new settings replace the old
        if any(isinstance(f, RedactingFilter) for f in old.filters):
            root.removeHandler(old)
    root.addHandler(handler)
    own = logging.getLevelNamesMapping()[level.upper()]
    # Everything else (libraries, servers) logs at INFO or above, never below.
    root.setLevel(max(own, logging.INFO))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(own)
    for name in quiet:
        sdk = logging.getLogger(name)
        # Raised, never lowered: an SDK that keeps itself at WARNING stays there.
        sdk.setLevel(max(sdk.level, own, logging.INFO))
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(own, logging.WARNING))
    _redact_at_creation(redact)
    return redact


_base_factory = logging.getLogRecordFactory()


def _redact_at_creation(redact: Redactor) -> None:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = _base_factory(*args, **kwargs)
        redact_record(record, redact)
        return record

    logging.setLogRecordFactory(factory)
