"""Settings from the environment, the CLI's errors, `xdept db upgrade` and `xdept demo`."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main, parse_instant
from bot.config import ConfigError, Settings, normalize_database_url


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("XDEPT_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("XDEPT_ADMINS", "U1, U2,,")
    monkeypatch.setenv("XDEPT_LOCALE", "zh-CN")
    s = Settings()
    assert s.sqlalchemy_url == "postgresql+psycopg://u@h/db"
    assert s.slack_api_url == "http://127.0.0.1:9/api/"
    assert s.admins == frozenset({"U1", "U2"})
    assert s.xdept_locale == "zh"
    assert "xoxb-secret" not in repr(s)  # secrets never show in logs
    assert s.secret("slack_bot_token") == "xoxb-secret"


def test_missing_secret_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    s = Settings()
    with pytest.raises(ConfigError) as info:
        s.require("slack_bot_token", "slack_signing_secret")
    message = str(info.value)
    assert "SLACK_BOT_TOKEN" in message and "SLACK_SIGNING_SECRET" in message
    assert "Signing Secret" in message


def test_bad_timezone_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDEPT_TIMEZONE", "Mars/Olympus")
    assert main(["db", "upgrade"]) == 2
    assert "XDEPT_TIMEZONE='Mars/Olympus' is not an IANA time zone" in capsys.readouterr().err


def test_database_urls() -> None:
    assert normalize_database_url("postgresql://x/y") == "postgresql+psycopg://x/y"
    assert normalize_database_url("sqlite:///a.db") == "sqlite:///a.db"


def test_run_once_instants_without_offset_use_the_workspace_zone() -> None:
    assert parse_instant("2026-11-23T09:30", "Asia/Shanghai") == datetime(
        2026, 11, 23, 1, 30, tzinfo=UTC
    )
    assert parse_instant("2026-11-23T09:30+00:00", "Asia/Shanghai").hour == 9
    with pytest.raises(SystemExit, match="not an ISO-8601 instant"):
        parse_instant("next tuesday", "UTC")


def test_db_upgrade_applies_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0  # idempotent


def test_demo_runs_as_a_new_user_would() -> None:
    """`xdept demo` in a subprocess: no network, no credentials, exit 0, a readable story."""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    assert "XD-1" in out and "物流部" in out and "已完成" in out
    assert "请不要再线下直接拒绝销售订单而不报备" in out
