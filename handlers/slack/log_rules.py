"""What the log must never show of Slack: its token shapes, and its SDKs' debug output."""

from __future__ import annotations

import re

# Bot, user, app-level, configuration and rotating tokens (xoxb-, xoxp-, xapp-, xoxe.xoxp-,
# xoxe-), and the secret path of incoming webhooks.
SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bxox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"(?<=hooks\.slack\.com/)(?:services|workflows|triggers)/[^\s\"'<>]+"),
)

# slack-sdk logs whole request and response bodies, tokens included, at DEBUG.
SDK_LOGGERS = ("slack_sdk", "slack_bolt")
