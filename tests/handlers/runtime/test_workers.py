"""Inbox workers give way to the front door while requests arrive, but never for long.

These run real threads against a recording inbox: the hold-back is about the
wall clock of one host, which is what it shares with the HTTP workers.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from handlers.runtime import workers as workers_module
from handlers.runtime.workers import Doorbell, InboxWorkers


class RecordingInbox:
    """Records when each claim was asked for; has nothing to give."""

    def __init__(self) -> None:
        self.claims: list[float] = []
        self.first = threading.Event()

    def claim(self, *, now: Any) -> None:
        self.claims.append(time.monotonic())
        self.first.set()


def _start(busy: Any, threads: int = 1) -> tuple[InboxWorkers, RecordingInbox, float]:
    inbox = RecordingInbox()
    pool = InboxWorkers(inbox, runner=None, threads=threads, poll=5.0, front_door_busy=busy)  # type: ignore[arg-type]
    started = time.monotonic()
    pool.start()
    return pool, inbox, started


def test_a_doorbell_remembers_when_it_last_rang() -> None:
    bell = Doorbell()
    assert not bell.rang_within(60.0)
    bell.ring()
    assert bell.rang_within(60.0)
    assert not bell.rang_within(0.0)


def test_workers_claim_at_once_when_the_front_door_is_quiet() -> None:
    pool, inbox, started = _start(busy=lambda _quiet: False)
    try:
        assert inbox.first.wait(2.0)
        assert inbox.claims[0] - started < 0.2
    finally:
        assert pool.stop(timeout=2.0)


def test_workers_hold_back_while_requests_arrive_then_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers_module, "QUIET", 0.01)
    monkeypatch.setattr(workers_module, "MAX_HOLD", 5.0)
    quiet_after = time.monotonic() + 0.3
    pool, inbox, started = _start(busy=lambda _quiet: time.monotonic() < quiet_after)
    try:
        assert inbox.first.wait(3.0)
        assert inbox.claims[0] >= quiet_after  # not one claim while requests were arriving
    finally:
        assert pool.stop(timeout=2.0)


def test_under_a_flood_the_pool_lets_one_claim_through_every_max_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers_module, "QUIET", 0.01)
    monkeypatch.setattr(workers_module, "MAX_HOLD", 0.2)
    pool, inbox, started = _start(busy=lambda _quiet: True, threads=4)
    try:
        assert inbox.first.wait(3.0), "a flood must not stop the inbox"
        time.sleep(0.5)  # the flood goes on: the real clock is what the hold counts
    finally:
        assert pool.stop(timeout=2.0)
    claims = [at - started for at in inbox.claims]
    assert claims[0] >= 0.2
    assert all(b - a >= 0.19 for a, b in zip(claims, claims[1:], strict=False)), claims
    assert 1 <= len(claims) <= 4


def test_stopping_ends_a_hold_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers_module, "QUIET", 0.01)
    monkeypatch.setattr(workers_module, "MAX_HOLD", 30.0)
    pool, inbox, _started = _start(busy=lambda _quiet: True)
    time.sleep(0.05)  # let the worker start holding back
    stopping = time.monotonic()
    assert pool.stop(timeout=5.0)
    assert time.monotonic() - stopping < 1.0
    assert inbox.claims == []
