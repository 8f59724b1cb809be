"""`GET /metrics`: Prometheus figures for the whole server, whichever process answers.

`xdept serve` is several processes (gunicorn's HTTP workers and the inbox
process), and a scrape reaches one of them at random. Two kinds of figures:

- Counts and timings (requests, acknowledgement latency, ticks, deliveries) are
  kept in prometheus-client's multiprocess mode: each process writes its own
  small file under PROMETHEUS_MULTIPROC_DIR (serve makes a fresh directory at
  start), and the answering worker adds them all up, so no figure depends on
  which worker was scraped and a worker's counts survive its restart.
- Queue depths and ages are read from the database at scrape time: the
  inbox and the outbox are shared by every process and replica, so the
  database is the one place they are true (a per-process gauge would be
  neither).

Without PROMETHEUS_MULTIPROC_DIR (tests, `xdept socket`) the figures are this
process's own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from handlers.runtime.frontdoor import Request, Response
from storage.db import Store
from storage.models import InboxTask, OutboxMessage

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_INBOX_OPEN = ("pending", "working")
_OUTBOX_OPEN = ("pending", "sending")

Clock = Callable[[], datetime]


class QueueCollector(Collector):
    """Depth and oldest age of the inbox and the outbox, read from the database."""

    def __init__(self, store: Store, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.clock = clock

    def collect(self) -> Iterator[Any]:
        """One query per table; a database that does not answer yields nothing."""
        now = self.clock()
        try:
            with self.store.engine.connect() as conn:
                inbox = conn.execute(
                    select(func.count(), func.min(InboxTask.received_at)).where(
                        InboxTask.state.in_(_INBOX_OPEN)
                    )
                ).one()
                outbox = conn.execute(
                    select(func.count(), func.min(OutboxMessage.created_at)).where(
                        OutboxMessage.state.in_(_OUTBOX_OPEN),
                        OutboxMessage.next_attempt_at <= now,
                    )
                ).one()
        except Exception:  # noqa: BLE001 - a scrape reports what it can; /readyz says why
            return
        for name, (count, oldest) in (("inbox", inbox), ("outbox", outbox)):
            depth = GaugeMetricFamily(
                f"xdept_{name}_depth", f"Rows waiting in the {name} (due now or being worked)"
            )
            depth.add_metric([], float(count or 0))
            yield depth
            age = GaugeMetricFamily(
                f"xdept_{name}_oldest_age_seconds",
                f"Age of the oldest row waiting in the {name} (0 when empty)",
            )
            age.add_metric([], _age(now, oldest))
            yield age


def _age(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite gives naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


class MetricsPage:
    """The endpoint: every process's counts, and the queues as the database has them."""

    def __init__(self, store: Store, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.queues = CollectorRegistry(auto_describe=False)
        self.queues.register(QueueCollector(store, clock))

    def __call__(self, request: Request) -> Response:
        return Response(200, render(self.queues), [("Content-Type", CONTENT_TYPE_LATEST)])


def render(extra: CollectorRegistry) -> bytes:
    """The exposition text: the counts (all processes' in multiprocess mode) and `extra`."""
    if os.environ.get(MULTIPROC_ENV):
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
        counts = generate_latest(combined)
    else:
        counts = generate_latest(REGISTRY)
    return counts + generate_latest(extra)
