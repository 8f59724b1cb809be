"""Storing the requests of many threads at once, as the acknowledgements wait on it.

Under load, the threads of a process each wait on their own commit of one
inbox row: one round trip and one log flush per request, and the database's
CPU taken from the acknowledgements. Here the threads that arrive while a
commit is under way queue their rows, and the next commit takes them all in
one statement. Nobody waits for company: a thread that finds no commit under
way commits its own row at once (as a group commit does, with no delay).

One thread at a time leads: it commits what is queued until its own row is
in, then hands the lead to a waiting thread whose row is not in yet.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine

from storage.inbox import store_request_now, store_requests_on_postgres

# At most this many rows in one statement (the rest wait for the next one).
MAX_BATCH = 64


class _Waiting:
    """One thread's row, and what became of it."""

    __slots__ = ("done", "error", "key", "lead", "row_id", "values")

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.key = (values["platform"], values["key"])
        self.done = threading.Event()  # set when stored, failed, or handed the lead
        self.lead = False
        self.row_id: int | None = None
        self.error: BaseException | None = None


class RequestWriter:
    """Stores inbox rows for the acknowledgement; on PostgreSQL, concurrent ones together."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._together = engine.dialect.name == "postgresql"
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._leading = False

    def put(self, values: dict[str, Any]) -> int | None:
        """Store one request; its new row's id, or None if its key was stored before.

        Raises what storing raised (SQLAlchemy's errors), for this row only.
        """
        if not self._together:
            return store_request_now(self.engine, values)
        mine = _Waiting(values)
        with self._lock:
            self._queue.append(mine)
            mine.lead = not self._leading
            self._leading = True
        if not mine.lead:
            mine.done.wait()  # stored by the thread leading, or handed the lead
        if mine.lead:
            self._lead(mine)
        if mine.error is not None:
            raise mine.error
        return mine.row_id

    def _lead(self, mine: _Waiting) -> None:
        """Commit what is queued until `mine` is in; then pass the lead on (or drop it)."""
        while True:
            with self._lock:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            self._commit(batch)
            if any(w is mine for w in batch):
                break
        with self._lock:
            if self._queue:
                heir = self._queue[0]
                heir.lead = True
                heir.done.set()
            else:
                self._leading = False

    def _commit(self, batch: list[_Waiting]) -> None:
        try:
            ids = store_requests_on_postgres(self.engine, [w.values for w in batch])
        except BaseException as exc:  # every thread of the batch gets the same error
            for waiting in batch:
                waiting.error = exc
        else:
            seen: set[tuple[str, str]] = set()
            for waiting in batch:
                # The same key twice in one batch (a retry racing its original): one row.
                if waiting.key not in seen:
                    waiting.row_id = ids.get(waiting.key)
                    seen.add(waiting.key)
        for waiting in batch:
            if not waiting.lead:
                waiting.done.set()
