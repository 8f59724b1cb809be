"""Work a listener leaves for after the acknowledgement, and where it runs.

A job is a module-level function and plain arguments (Slack payloads, ids),
so it can run in a thread of the same process (`LocalJobs`: tests, Socket
Mode) or cross into the background process of `xdept serve`
(`handlers.slack.channel`), where it does not compete with the HTTP workers
for their interpreter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from handlers.slack.dedupe import first_time

if TYPE_CHECKING:
    from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One piece of work: `fn(deps, *args)`; `what` names it in the logs.

    `key` is the idempotency key of the Slack request it came from: the job
    runs only the first time that key is seen (handlers.slack.dedupe).
    """

    what: str
    fn: Callable[..., None]
    args: tuple[Any, ...] = ()
    key: str | None = None


def run_job(job: Job, deps: Deps) -> None:
    """Run a job once per request key; an exception that escapes it is logged."""
    if job.key is not None:
        try:
            if not first_time(deps.app.store, job.key):
                log.info("dropped a repeated Slack request %s (%s)", job.key, job.what)
                return
        except Exception:
            # Better twice than never: the job reports its own failure if the database is down.
            log.exception("could not record Slack request %s; handling it anyway", job.key)
    try:
        job.fn(deps, *job.args)
    except Exception:  # jobs tell people about their own failures; this is the last net
        log.exception("background job failed: %s", job.what)


class JobSink(Protocol):
    """Where listeners hand their jobs."""

    def submit(self, job: Job, deps: Deps) -> None:
        """Queue a job; never blocks on the job itself."""
        ...


class LocalJobs:
    """Jobs run by a thread pool of this process."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def submit(self, job: Job, deps: Deps) -> None:
        """Run the job in the pool with this process's collaborators."""
        self.executor.submit(run_job, job, deps)
