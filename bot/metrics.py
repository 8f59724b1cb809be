"""The server's Prometheus counts and timings (exposed by handlers.runtime.metrics).

Defined once, at import; under `xdept serve` prometheus-client runs in its
multiprocess mode, so every process's figures add up in one scrape.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "xdept_requests",
    "Requests from chat platforms, by platform, kind and outcome",
    ["platform", "kind", "outcome"],
)
ACK_SECONDS = Histogram(
    "xdept_ack_seconds",
    "Time from a request's arrival to its acknowledgement",
    ["platform"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
TICK_SECONDS = Histogram(
    "xdept_tick_seconds",
    "Duration of one scheduler tick and the delivery after it",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
DELIVERIES = Counter(
    "xdept_deliveries",
    "Outbox rows handled, by outcome (sent, retried, failed, skipped, deferred)",
    ["outcome"],
)
OUTCOMES = ("sent", "retried", "failed", "skipped", "deferred")


def observe_delivery(report: Any) -> None:
    """Count what one delivery run did (a scheduler.delivery.DeliveryReport)."""
    for outcome in OUTCOMES:
        n = getattr(report, outcome, 0)
        if n:
            DELIVERIES.labels(outcome).inc(n)


class RowDelivery(Protocol):
    """Sends given outbox rows now."""

    def deliver_rows(self, ids: Sequence[int], *, now: datetime) -> object:
        """Send exactly these rows."""
        ...


class CountedDelivery:
    """A use case's immediate delivery, counted like the tick's."""

    def __init__(self, inner: RowDelivery) -> None:
        self.inner = inner

    def deliver_rows(self, ids: Sequence[int], *, now: datetime) -> object:
        """Send the rows and count the outcome."""
        report = self.inner.deliver_rows(ids, now=now)
        observe_delivery(report)
        return report
