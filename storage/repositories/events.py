"""Inbound event ids already seen, so a redelivery changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from storage.models import (
    ProcessedEvent,
)
from storage.repositories.base import Repository, insert_ignoring_duplicates


class EventRepository(Repository):
    """Inbound event ids already seen."""

    def forget_before(self, cutoff: datetime) -> int:
        """Drop ids seen before `cutoff` (platforms retry within minutes); returns how many."""
        result = self.session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def first_time(self, platform: str, event_id: str, now: datetime) -> bool:
        """Record the event; False if it was seen before (a retry or a duplicate)."""
        new = insert_ignoring_duplicates(
            self.session,
            ProcessedEvent.__table__,
            {"platform": platform, "event_id": event_id, "received_at": now},
        )
        return new is not None
