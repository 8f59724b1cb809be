"""Settings read from the environment (pydantic-settings); nothing is read at import time."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The file `xdept` reads beside the environment, in the working directory; the
# environment wins over it.
ENV_FILE = ".env"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(RuntimeError):
    """A setting that a command needs is missing or wrong; the message names the variable."""


# What each secret is for, so the error can tell a person where to find it.
_WHERE = {
    "slack_bot_token": (
        "the Bot User OAuth Token (xoxb-...) from the Slack app's OAuth & Permissions page"
    ),
    "slack_signing_secret": "the Signing Secret from the Slack app's Basic Information page",
    "slack_app_token": "an app-level token (xapp-...) with connections:write, for Socket Mode",
    "slack_client_id": "the Client ID from the Slack app's Basic Information page",
    "slack_client_secret": "the Client Secret from the Slack app's Basic Information page",
    "xdept_secret_key": "a Fernet key: run `xdept secret-key` and keep what it prints",
    "feishu_app_id": "the App ID (cli_...) from the Feishu app's Credentials & Basic Info page",
    "feishu_app_secret": "the App Secret from the Feishu app's Credentials & Basic Info page",
    "feishu_verification_token": (
        "the Verification Token from the Feishu app's Events & Callbacks > Encryption page"
    ),
}


class SlackMode(StrEnum):
    """How the server holds its Slack credentials."""

    NONE = "none"  # no Slack settings at all
    SINGLE = "single"  # one workspace, SLACK_BOT_TOKEN
    DISTRIBUTED = "distributed"  # installed through OAuth, tokens in the database


class Settings(BaseSettings):
    """Every environment variable SPEC.md names, with its default."""

    # An empty variable counts as unset, as a blank line in .env means.
    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    database_url: str = "sqlite:///xdept.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    feishu_app_id: str | None = None
    feishu_app_secret: SecretStr | None = None
    feishu_verification_token: SecretStr | None = None
    feishu_encrypt_key: SecretStr | None = None
    feishu_api_url: str = "https://open.feishu.cn"
    # Feishu reaction keys (emoji_type) that mark an item done, or acknowledge it.
    feishu_done_reactions: str = "DONE,CheckMark"
    feishu_ack_reactions: str = "OnIt,Get"
    xdept_timezone: str = "UTC"
    xdept_summary_channel: str | None = None
    xdept_admins: str = ""
    xdept_locale: str = "en"
    xdept_secret_key: SecretStr | None = None
    xdept_public_url: str | None = None
    xdept_log_level: str = "INFO"
    xdept_log_format: Literal["text", "json"] = "text"
    port: int = 3000
    gunicorn_cmd_args: str | None = None
    # Where `xdept serve`'s processes keep their metric files (handlers.runtime.multiproc).
    prometheus_multiproc_dir: str | None = None

    @field_validator("xdept_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"XDEPT_TIMEZONE={value!r} is not an IANA time zone (e.g. Asia/Shanghai, UTC)"
            ) from exc
        return value

    @field_validator("xdept_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        value = value.strip().lower()[:2]
        if value not in ("en", "zh"):
            raise ValueError(f"XDEPT_LOCALE={value!r} must be 'en' or 'zh'")
        return value

    @field_validator("xdept_log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in LOG_LEVELS:
            raise ValueError(f"XDEPT_LOG_LEVEL={value!r} must be one of {', '.join(LOG_LEVELS)}")
        return value

    @field_validator("xdept_log_format", mode="before")
    @classmethod
    def _known_format(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in ("text", "json"):
                raise ValueError(f"XDEPT_LOG_FORMAT={value!r} must be 'text' or 'json'")
        return value

    @field_validator("xdept_public_url")
    @classmethod
    def _public_url_without_slash(cls, value: str | None) -> str | None:
        # Paths such as /slack/install are appended to it.
        return value.rstrip("/") if value else value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack-sdk joins method names onto the base URL, so it must end with '/'.
        return value if value.endswith("/") else value + "/"

    @field_validator("feishu_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        # lark-oapi appends paths that start with '/' to its domain.
        return value.rstrip("/")

    @property
    def feishu_reactions(self) -> tuple[frozenset[str], frozenset[str]]:
        """The done and the acknowledge reaction keys (FEISHU_DONE/ACK_REACTIONS)."""
        return _keys(self.feishu_done_reactions), _keys(self.feishu_ack_reactions)

    @property
    def admins(self) -> frozenset[str]:
        """Ids from XDEPT_ADMINS (comma-separated)."""
        return frozenset(a.strip() for a in self.xdept_admins.split(",") if a.strip())

    @property
    def sqlalchemy_url(self) -> str:
        """DATABASE_URL with PostgreSQL URLs pointed at psycopg 3."""
        return normalize_database_url(self.database_url)

    def require(self, *names: str) -> None:
        """Raise ConfigError naming each missing variable that a command needs."""
        missing = [n for n in names if getattr(self, n) is None]
        if missing:
            lines = [f"  {n.upper()}: {_WHERE.get(n, 'required')}" for n in missing]
            raise ConfigError("Missing environment variables:\n" + "\n".join(lines))

    @property
    def slack_mode(self) -> SlackMode:
        """Single workspace, distributed app or no Slack; ConfigError when the two are mixed."""
        if self.slack_client_id and self.slack_bot_token is not None:
            raise ConfigError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep SLACK_BOT_TOKEN for one "
                "workspace, or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and XDEPT_SECRET_KEY for "
                "installs through OAuth, not both"
            )
        if self.slack_client_id:
            if self.xdept_secret_key is None:
                raise ConfigError(
                    "SLACK_CLIENT_ID is set without XDEPT_SECRET_KEY: installed workspaces' "
                    "tokens are stored encrypted; run `xdept secret-key` and set "
                    "XDEPT_SECRET_KEY to what it prints"
                )
            self.require("slack_client_secret")
            return SlackMode.DISTRIBUTED
        if self.slack_bot_token is not None:
            return SlackMode.SINGLE
        return SlackMode.NONE

    def require_slack(self) -> SlackMode:
        """The Slack mode, or ConfigError naming what to set when Slack is not set up."""
        mode = self.slack_mode
        if mode is SlackMode.NONE:
            raise ConfigError(
                "Slack is not set up: set SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID, "
                "SLACK_CLIENT_SECRET and XDEPT_SECRET_KEY (installs through OAuth)"
            )
        return mode

    @property
    def secret_keys(self) -> list[str]:
        """XDEPT_SECRET_KEY's keys in order (the first encrypts); empty when unset."""
        if self.xdept_secret_key is None:
            return []
        raw = self.xdept_secret_key.get_secret_value()
        return [k.strip() for k in raw.split(",") if k.strip()]

    def secret_values(self) -> list[str]:
        """Every configured secret as written, for the log's redacting filter."""
        values = [
            v.get_secret_value()
            for v in (getattr(self, name) for name in type(self).model_fields)
            if isinstance(v, SecretStr)
        ]
        values.extend(self.secret_keys)
        password = urlsplit(self.database_url).password
        if password:
            values.extend((password, unquote(password)))
        return [v for v in values if v]

    def secret(self, name: str) -> str:
        """The value of a required secret (after require())."""
        self.require(name)
        value = getattr(self, name)
        assert isinstance(value, SecretStr)
        return value.get_secret_value()


def load_settings() -> Settings:
    """Settings from the environment and the `.env` file in the working directory."""
    return Settings(_env_file=ENV_FILE)  # type: ignore[call-arg]


def _keys(value: str) -> frozenset[str]:
    return frozenset(k.strip() for k in value.split(",") if k.strip())


def normalize_database_url(url: str) -> str:
    """Map postgres:// and postgresql:// to the psycopg 3 driver; leave others alone."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
