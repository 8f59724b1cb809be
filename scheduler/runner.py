"""Running the tick: once (`xdept scheduler run-once`) or every minute inside a server.

This is the edge of the scheduler: the only place that reads the wall clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.bootstrap import App, bootstrap
from bot.config import Settings
from bot.metrics import TICK_SECONDS, observe_delivery
from bot.ports import Messenger
from scheduler.delivery import DeliveryReport
from scheduler.tick import TickReport, tick

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60
JOB_ID = "xdept-tick"


@dataclass(frozen=True)
class RunReport:
    """One tick and the delivery after it."""

    tick: TickReport
    delivery: DeliveryReport

    def lines(self) -> list[str]:
        """What happened, for a person reading the terminal or the log."""
        d = self.delivery
        out = list(self.tick.lines())
        out.append(
            f"delivery: sent {d.sent}, retrying {d.retried}, failed {d.failed}, "
            f"skipped {d.skipped}, waiting {d.deferred}"
        )
        out.extend(f"  error: {e}" for e in dict.fromkeys(d.errors))
        return out


def tick_and_deliver(app: App, *, now: datetime) -> RunReport:
    """Queue what is due at `now`, then send every pending row that is due."""
    with TICK_SECONDS.time():
        report = tick(app.store, app.settings, now=now)
        delivered = app.deliverer.deliver_pending(now=now)
    observe_delivery(delivered)
    return RunReport(report, delivered)


def run_once(settings: Settings, *, at: datetime, messenger: Messenger | None = None) -> int:
    """`xdept scheduler run-once`: one tick as of `at`, its delivery, a short account; 0."""
    app = bootstrap(settings, messenger=messenger)
    try:
        result = tick_and_deliver(app, now=at)
    finally:
        app.store.dispose()
    for line in result.lines():
        print(line)
    return 0


class BackgroundTick:
    """The tick running every minute in a thread of this process."""

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self._scheduler = scheduler

    @property
    def scheduler(self) -> BackgroundScheduler:
        """The APScheduler instance (one interval job)."""
        return self._scheduler

    def shutdown(self) -> None:
        """Stop ticking; a tick under way finishes first."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)


def tick_job(app: App, clock: Callable[[], datetime]) -> None:
    """One scheduled run: a failure is logged and the next minute tries again."""
    now = clock()
    try:
        result = tick_and_deliver(app, now=now)
    except Exception:
        # The outbox and next_check_at keep everything for the next run; nothing is lost.
        log.exception("scheduler tick at %s failed", now.isoformat())
        return
    if result.tick.messages or result.delivery.sent or result.delivery.failed:
        for line in result.lines():
            log.info(line)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def start_in_background(
    app: App,
    *,
    interval: int = INTERVAL_SECONDS,
    clock: Callable[[], datetime] = _wall_clock,
) -> BackgroundTick:
    """Tick every `interval` seconds in a background thread; call .shutdown() to stop."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick_job,
        "interval",
        seconds=interval,
        args=(app, clock),
        id=JOB_ID,
        # Missed runs (a long tick, a suspended host) collapse into one; never two at once.
        coalesce=True,
        max_instances=1,
        misfire_grace_time=interval,
        next_run_time=_wall_clock(),  # APScheduler fires on the wall clock anyway
    )
    scheduler.start()
    return BackgroundTick(scheduler)
