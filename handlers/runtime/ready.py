"""`GET /readyz`: ready to take traffic, i.e. the database answers and its schema is current.

`/healthz` says the process is alive; this says whether it can do its work. A
replica whose database is down, or that runs before (or after) a migration of
the shared schema, answers 503 with the reason, so a load balancer or
compose's healthcheck holds traffic back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from handlers.runtime.frontdoor import Request, Response
from storage.db import Store
from storage.migrate import database_revision, head_revision

log = logging.getLogger(__name__)


class ReadyPage:
    """Answers /readyz from the database and the migrations this code carries."""

    def __init__(self, store: Store, *, head: Callable[[], str | None] = head_revision) -> None:
        self.store = store
        self.head = head

    def __call__(self, request: Request) -> Response:
        try:
            revision = database_revision(self.store.engine)
        except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
            log.warning("not ready: the database does not answer (%s)", type(exc).__name__)
            return Response.json(503, {"ready": False, "database": "down"})
        head = self.head()
        if revision != head:
            log.warning("not ready: the database is at %s, this code at %s", revision, head)
            return Response.json(
                503,
                {"ready": False, "database": "up", "migrations": revision, "head": head},
            )
        return Response.json(200, {"ready": True, "database": "up", "migrations": revision})
