"""Settings from `.env`, `.env.example` against the settings, Slack modes, --version."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.cli import main
from bot.config import ConfigError, Settings, SlackMode, load_settings
from handlers.gunicorn_args import BadGunicornArgs, gunicorn_cmd_options
from storage.crypto import generate_key
from storage.db import make_engine
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def _clear_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_env_example_lists_every_setting_each_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    listed: dict[str, int] = {}
    for number, line in enumerate(lines):
        match = VARIABLE.match(line)
        if match:
            listed[match.group(1)] = number
    assert set(listed) == {name.upper() for name in Settings.model_fields}
    for name, number in listed.items():
        # The comment above it, or above the group of variables it belongs to.
        above = number - 1
        while above >= 0 and VARIABLE.match(lines[above]):
            above -= 1
        assert above >= 0 and lines[above].startswith("# "), f"{name} has no comment"


def test_env_example_copied_to_env_is_a_working_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_env(monkeypatch)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url == "sqlite:///xdept.db"
    assert settings.slack_mode is SlackMode.NONE
    assert settings.xdept_log_format == "text"


def test_env_file_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_env(monkeypatch)
    (tmp_path / ".env").write_text(
        "DATABASE_URL=sqlite:///from-dotenv.db\nXDEPT_TIMEZONE=Asia/Shanghai\n"
        "XDEPT_LOG_FORMAT=json\nXDEPT_SUMMARY_CHANNEL=\nSLACK_BOT_TOKEN=xoxb-from-dotenv\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDEPT_TIMEZONE", "Europe/Berlin")
    settings = load_settings()
    assert settings.database_url == "sqlite:///from-dotenv.db"
    assert settings.xdept_timezone == "Europe/Berlin"
    assert settings.xdept_log_format == "json"
    assert settings.xdept_summary_channel is None  # blank means unset
    assert settings.slack_mode is SlackMode.SINGLE


def test_xdept_reads_env_in_its_working_directory(tmp_path: Path) -> None:
    db = tmp_path / "dotenv.db"
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{db}\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(f"sqlite:///{db}")
    assert "installations" in inspect(engine).get_table_names()
    engine.dispose()


def test_slack_modes_and_their_refusals() -> None:
    key = generate_key()
    assert make_settings(slack_bot_token="xoxb-1").slack_mode is SlackMode.SINGLE
    distributed = make_settings(
        slack_client_id="1.2", slack_client_secret="s", xdept_secret_key=key
    )
    assert distributed.slack_mode is SlackMode.DISTRIBUTED
    assert distributed.secret_keys == [key]
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set"):
        _ = make_settings(
            slack_bot_token="xoxb-1", slack_client_id="1.2", xdept_secret_key=key
        ).slack_mode
    with pytest.raises(ConfigError, match="SLACK_CLIENT_ID is set without XDEPT_SECRET_KEY"):
        _ = make_settings(slack_client_id="1.2", slack_client_secret="s").slack_mode
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET"):
        _ = make_settings(slack_client_id="1.2", xdept_secret_key=key).slack_mode


@pytest.mark.parametrize("command", ["serve", "socket"])
def test_serving_with_both_slack_modes_is_refused_in_one_line(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_CLIENT_ID", "1.2")
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "both set" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert re.fullmatch(r"xdept \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_gunicorn_cmd_args_read_with_gunicorns_parser() -> None:
    assert gunicorn_cmd_options(None) == {}
    assert gunicorn_cmd_options("--workers 4 --timeout=60 --log-level debug") == {
        "workers": 4,
        "timeout": 60,
        "loglevel": "debug",
    }
    with pytest.raises(BadGunicornArgs, match="invalid int value"):
        gunicorn_cmd_options("--workers many")
    with pytest.raises(BadGunicornArgs, match="unrecognized arguments: --turbo"):
        gunicorn_cmd_options("--turbo")
