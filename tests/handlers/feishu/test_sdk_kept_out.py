"""lark-oapi is imported by `serve` before it forks when Feishu is configured, and never
otherwise: not by a Slack-only server (its HTTP workers and inbox process), not by
`xdept --help`, not by the demo."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

_SLACK_ONLY = textwrap.dedent(
    """
    import contextlib, io, sys
    from bot.cli import main
    from handlers.platforms import build, create_wsgi_app, preload
    from tests.conftest import make_settings

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["--help"])
        except SystemExit:
            pass
        main(["demo", "--db", "sqlite:///{db}"])
    settings = make_settings(
        database_url="sqlite:///{db}",
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    preload(settings)
    create_wsgi_app(settings, ring=lambda: None)
    platforms = build(settings, http=False)
    assert "/slack/events" in platforms.front_door().endpoints
    print(sorted(m for m in sys.modules if m.startswith("lark_oapi")))
    """
)

_FEISHU = textwrap.dedent(
    """
    import sys
    from handlers.platforms import preload
    from tests.conftest import make_settings

    settings = make_settings(
        feishu_app_id="cli_x", feishu_app_secret="s", feishu_verification_token="t"
    )
    preload(settings)
    print("lark_oapi" in sys.modules)
    """
)


def _run(script: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_slack_only_serve_help_and_demo_never_import_the_sdk(tmp_path: object) -> None:
    """The whole Slack-only server, `--help` and the demo, in one fresh interpreter."""
    assert _run(_SLACK_ONLY.replace("{db}", f"{tmp_path}/kept-out.db")) == "[]"


@pytest.mark.slow  # starts a real server
def test_serve_with_feishu_imports_the_sdk_before_forking() -> None:
    """`preload` (what serve runs before the fork) loads lark-oapi when Feishu is set."""
    assert _run(_FEISHU) == "True"
