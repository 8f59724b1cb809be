"""Item use cases: one transaction each, `now` passed in through the Context."""

from __future__ import annotations

from bot.items.base import person_id
from bot.items.changes import StateChanges
from bot.items.conversation import Conversation
from bot.items.filing import Filing
from bot.items.followup import FollowUp
from bot.items.minutes import Minutes
from bot.items.moving import Moving
from bot.items.reading import PAGE_SIZE, Reading

__all__ = ["PAGE_SIZE", "ItemService", "person_id"]


class ItemService(Minutes, Filing, StateChanges, Conversation, FollowUp, Moving, Reading):
    """Filing items (one by one or from minutes), their states, threads, follow-ups, reading."""
