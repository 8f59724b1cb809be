"""One replica ticks at a time.

On PostgreSQL the tick's transaction takes a transaction-scoped advisory lock
with `pg_try_advisory_xact_lock`: a second replica does not wait, it skips
this tick. The lock goes with the transaction, so a replica that crashes
mid-tick holds nothing, and no clock is involved: `run-once --at` may step
through any instants, forwards or back, without a stale expiry getting in
the way (a row with an expiry would compare a logical `now` with another
replica's).

On SQLite the tick's transaction begins with `BEGIN IMMEDIATE` (see
storage.db), which takes the database's single write lock: a second
replica waits for the first to commit and then finds every dedupe key
written. Either way the unique dedupe keys make a second tick harmless.
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session

TICK_LOCK = "xdept:tick"
# A stable 31-bit number for the lock name; pg advisory locks are keyed by integers.
TICK_LOCK_ID = zlib.crc32(TICK_LOCK.encode()) & 0x7FFFFFFF


def acquire(session: Session, *, lock_id: int = TICK_LOCK_ID) -> bool:
    """Take the tick lock for the rest of the session's transaction; False if another has it."""
    if session.get_bind().dialect.name != "postgresql":
        # The transaction already holds SQLite's write lock (BEGIN IMMEDIATE) once it runs a
        # statement; run one now so the lock is taken before anything is read.
        session.execute(text("SELECT 1"))
        return True
    # Keyed by the schema as well: deployments (and test workers) sharing one database in
    # separate schemas must not wait for each other.
    return bool(
        session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:id, hashtext(current_schema()))"),
            {"id": lock_id},
        )
    )
