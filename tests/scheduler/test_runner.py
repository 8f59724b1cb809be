"""`xdept scheduler run-once` and the background tick inside a server."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from bot.bootstrap import App, bootstrap
from bot.cli import main
from bot.messages import MessageKind
from handlers.console.messenger import RecordingMessenger
from scheduler.runner import INTERVAL_SECONDS, run_once, start_in_background
from storage.db import Store
from tests.conftest import at, make_settings
from tests.scheduler.conftest import World

MON = at(2026, 11, 23, 8, 0)


def seeded(database_url: str, messenger: RecordingMessenger) -> App:
    """An app over that database with departments and one unanswered request."""
    settings = make_settings(database_url=database_url)
    app = bootstrap(settings, messenger=messenger, store=Store.from_url(database_url))
    world = World(app, messenger)
    world.setup(MON)
    world.ask("请停止线下拒单 by Friday", at(2026, 11, 23, 9, 0))
    return app


def test_run_once_ticks_delivers_and_says_what_it_did(
    database_url: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    messenger = RecordingMessenger()
    seeded(database_url, messenger).store.dispose()
    settings = make_settings(database_url=database_url)
    assert run_once(settings, at=at(2026, 11, 23, 17, 5), messenger=messenger) == 0
    out = capsys.readouterr().out
    assert "queued unanswered 1" in out and "delivery: sent 1" in out
    # The same instant again: nothing new.
    assert run_once(settings, at=at(2026, 11, 23, 17, 5), messenger=messenger) == 0
    assert "queued nothing" in capsys.readouterr().out
    assert (
        len([s for s in messenger.sent if s.message and s.message.kind is MessageKind.UNANSWERED])
        == 1
    )


def test_the_command_line_runs_once_against_a_fake_slack(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("handlers.slack.messenger")
    from tests.fakes.slack import FakeSlack

    seeded(sqlite_url, RecordingMessenger()).store.dispose()
    with FakeSlack() as slack:
        slack.add_channel("C0LOG", "logistics")
        monkeypatch.setenv("DATABASE_URL", sqlite_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("XDEPT_TIMEZONE", "Asia/Shanghai")
        # No offset: read in XDEPT_TIMEZONE, so this is 09:30 in Shanghai.
        assert main(["scheduler", "run-once", "--at", "2026-11-23T09:30"]) == 0
        assert main(["scheduler", "run-once", "--at", "2026-11-23T09:30"]) == 0
        texts = [m.all_text for m in slack.messages("C0LOG")]
    assert sum("Stand-up" in t for t in texts) == 1
    assert "queued standup 1" in capsys.readouterr().out


def test_the_background_tick_runs_every_minute_one_at_a_time(
    database_url: str, store: Store
) -> None:
    messenger = RecordingMessenger()
    app = seeded(database_url, messenger)
    nudged = threading.Event()
    messenger.on_send = lambda sent: (
        nudged.set() if sent.message and sent.message.kind is MessageKind.UNANSWERED else None
    )
    running = start_in_background(
        app, clock=lambda: datetime.fromisoformat("2026-11-23T17:05+08:00")
    )
    try:
        job = running.scheduler.get_jobs()[0]
        assert job.trigger.interval.total_seconds() == INTERVAL_SECONDS
        assert job.coalesce and job.max_instances == 1
        assert nudged.wait(30)  # the first run starts at once
    finally:
        running.shutdown()  # waits for a run under way
        app.store.dispose()
    assert not running.scheduler.running
    assert (
        len([s for s in messenger.sent if s.message and s.message.kind is MessageKind.UNANSWERED])
        == 1
    )
