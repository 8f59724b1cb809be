"""Faults a test queues on the fake: rate limits, server errors, API errors, latency."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from tests.fakes.slack.params import JSON


@dataclass
class Fault:
    """One queued answer: a failure (HTTP status or API error), or a late success."""

    status: int
    error: str | None
    retry_after: int | None
    delay: float
    remaining: int

    @property
    def fails(self) -> bool:
        return self.status != 200 or self.error is not None

    def answer(self) -> tuple[int, dict[str, str], JSON]:
        error = self.error
        if error is None:
            error = "ratelimited" if self.status == 429 else "internal_error"
        headers: dict[str, str] = {}
        if self.status == 429 and self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return self.status, headers, {"ok": False, "error": error}


class FaultInjection:
    """`FakeSlack`'s fault controls; the HTTP side takes a fault per request (`_take_fault`)."""

    _cond: threading.Condition
    _faults: dict[str, deque[Fault]]
    _latency: dict[str, float]

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = 1,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` calls to `method` fail; faults queue up in order.

        - default, or ``status=429``: HTTP 429 ``ratelimited`` with ``Retry-After``;
        - ``status=500`` (any 5xx): that status with ``internal_error``;
        - ``error="not_in_channel"``: HTTP 200 ``{"ok": false, "error": ...}``.

        `method` may also be ``"response_url"``, ``"upload"`` or ``"*"`` (any
        method without a fault of its own). `delay` answers that much later.
        """
        if status is None:
            status = 200 if error is not None else 429
        self._queue_fault(method, Fault(status, error, retry_after, delay, times))

    def slow_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` calls to `method` normally, `seconds` late."""
        self._queue_fault(method, Fault(200, None, None, seconds, times))

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every answer (to `method`, or to all when None) until changed."""
        with self._cond:
            self._latency[method or "*"] = seconds

    def clear_faults(self) -> None:
        """Drop queued faults and latencies."""
        with self._cond:
            self._faults.clear()
            self._latency.clear()

    def _queue_fault(self, method: str, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._faults.setdefault(method, deque()).append(fault)

    def _take_fault(self, method: str) -> Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining == 0:
                    queue.popleft()
                return fault
        return None

    def _latency_for(self, method: str) -> float:
        return self._latency.get(method, self._latency.get("*", 0.0))
