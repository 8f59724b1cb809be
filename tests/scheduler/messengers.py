"""A recording messenger whose posts fail, die or are timed on demand (delivery tests)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from bot.messages import Message
from bot.ports import DeliveryError, MessageRef
from handlers.console.messenger import RecordingMessenger
from scheduler.pacing import LogicalClock


class Died(BaseException):
    """The sender was killed (nothing catches it, as nothing survives a kill -9)."""


@dataclass
class ScriptedMessenger(RecordingMessenger):
    """Records like the recording messenger, and around each post:

    - `failures`: the next posts (to any chat) fail with these, in order;
    - `failures_in`: the next posts to one chat fail with these;
    - `die`: "before" or "after" a post went out, the sender is killed;
    - `clock`: the time of each post is kept per chat in `times`.
    """

    failures: list[DeliveryError] = field(default_factory=list)
    failures_in: dict[str, list[DeliveryError]] = field(default_factory=dict)
    die: str | None = None
    clock: LogicalClock | None = None
    times: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))

    def post(
        self,
        *,
        chat: str,
        message: Message,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MessageRef:
        """Fail, die or record (with the time), as scripted."""
        queued = self.failures or self.failures_in.get(chat)
        if queued:
            raise queued.pop(0)
        if self.die == "before":
            raise Died()
        if self.clock is not None:
            with self._lock:
                self.times[chat].append(self.clock.now())
        ref = super().post(
            chat=chat, message=message, thread_id=thread_id, idempotency_key=idempotency_key
        )
        if self.die == "after":
            raise Died()
        return ref
