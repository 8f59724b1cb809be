"""The pacer keeps an app within Feishu's limits; time is a fake clock moved by its sleep."""

from __future__ import annotations

import threading

from handlers.feishu.pacing import Pacer


class Clock:
    """A clock that only moves when someone sleeps (each thread's sleep moves it for all)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(round(seconds, 6))


def pacer(clock: Clock, **limits: float) -> Pacer:
    return Pacer(clock=clock, sleep=clock.sleep, **limits)  # type: ignore[arg-type]


def test_one_chat_gets_one_message_per_interval() -> None:
    """Three messages to one group at once go 0.5 s apart; another group is not held up."""
    clock = Clock()
    p = pacer(clock)
    waits = [p.wait("chat:oc_a") for _ in range(3)]
    assert waits == [0.0, 0.5, 1.0]
    assert p.wait("chat:oc_b") == 0.0
    assert p.wait("user:ou_x") == 0.0 and p.wait("user:ou_x") == 0.2  # people: 5 a second


def test_the_app_sends_at_most_50_a_second() -> None:
    """The 51st message within a second waits for the first one's second to pass."""
    clock = Clock()
    p = pacer(clock)
    waits = [p.wait(f"chat:oc_{i}") for i in range(51)]
    assert waits[:50] == [0.0] * 50
    assert waits[50] == 1.0


def test_the_app_sends_at_most_1000_a_minute() -> None:
    """The per-minute limit holds too (scaled down: 5 a minute)."""
    clock = Clock()
    p = pacer(clock, per_second=100, per_minute=5)
    waits = [p.wait(f"chat:oc_{i}") for i in range(6)]
    assert waits == [0.0] * 5 + [60.0]


def test_edits_count_per_message_not_for_the_app() -> None:
    """Edits are paced per message (5 a second) and leave the app's budget alone."""
    clock = Clock()
    p = pacer(clock, per_second=2)
    assert [p.wait("message:om_1", counted=False) for _ in range(3)] == [0.0, 0.2, 0.4]
    assert [p.wait(f"chat:oc_{i}") for i in range(2)] == [0.0, 0.0]


def test_a_429_holds_the_app_or_one_chat_until_the_reset() -> None:
    """hold() without a key quiets every chat; with one, only that chat."""
    clock = Clock()
    p = pacer(clock)
    p.hold(3.0, "chat:oc_a")
    assert p.wait("chat:oc_b") == 0.0
    assert p.wait("chat:oc_a") == 3.0
    p.hold(2.0)
    assert p.wait("chat:oc_c") == 2.0
    clock.now = 10.0
    assert p.wait("chat:oc_c") == 0.0


def test_threads_never_share_a_slot() -> None:
    """Ten threads posting to one chat at once each get their own moment."""
    clock = Clock()
    p = pacer(clock)
    threads = [threading.Thread(target=p.wait, args=("chat:oc_a",)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(clock.slept) == [round(0.5 * i, 6) for i in range(1, 10)]
