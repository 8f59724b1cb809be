"""Settings read from the environment (pydantic-settings); nothing is read at import time."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(RuntimeError):
    """A setting that a command needs is missing or wrong; the message names the variable."""


# What each secret is for, so the error can tell a person where to find it.
_WHERE = {
    "slack_bot_token": (
        "the Bot User OAuth Token (xoxb-...) from the Slack app's OAuth & Permissions page"
    ),
    "slack_signing_secret": "the Signing Secret from the Slack app's Basic Information page",
    "slack_app_token": "an app-level token (xapp-...) with connections:write, for Socket Mode",
    "feishu_app_id": "the App ID (cli_...) from the Feishu app's Credentials & Basic Info page",
    "feishu_app_secret": "the App Secret from the Feishu app's Credentials & Basic Info page",
    "feishu_verification_token": (
        "the Verification Token from the Feishu app's Events & Callbacks > Encryption page"
    ),
}


class Settings(BaseSettings):
    """Every environment variable SPEC.md names, with its default."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str = "sqlite:///xdept.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
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
    port: int = 3000

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

    def secret(self, name: str) -> str:
        """The value of a required secret (after require())."""
        self.require(name)
        value = getattr(self, name)
        assert isinstance(value, SecretStr)
        return value.get_secret_value()


def _keys(value: str) -> frozenset[str]:
    return frozenset(k.strip() for k in value.split(",") if k.strip())


def normalize_database_url(url: str) -> str:
    """Map postgres:// and postgresql:// to the psycopg 3 driver; leave others alone."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
