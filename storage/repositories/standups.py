"""Stand-up prompts and the replies in their threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.models import (
    Standup,
    StandupReply,
)
from storage.repositories.base import Repository


class StandupRepository(Repository):
    """Stand-up prompts and their replies."""

    def by_thread(self, channel_id: str, message_id: str) -> Standup | None:
        """The stand-up whose prompt is this message."""
        return self.session.scalar(
            select(Standup).where(
                Standup.channel_id == channel_id, Standup.message_id == message_id
            )
        )

    def add_reply(
        self, standup: Standup, *, user_id: str, text: str, at: datetime, source_ref: str | None
    ) -> bool:
        """Store a reply once; False if that message was stored already."""
        try:
            with self.session.begin_nested():
                self.session.add(
                    StandupReply(
                        standup_id=standup.id,
                        user_id=user_id,
                        text=text,
                        at=at,
                        source_ref=source_ref,
                    )
                )
        except IntegrityError:
            return False
        return True
