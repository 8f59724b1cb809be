"""The one outbound port: everything the bot says goes through a Messenger."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.messages import Message


class MessageRef(BaseModel):
    """Where a posted message lives: a channel and the platform's message id."""

    model_config = ConfigDict(frozen=True)

    channel: str
    ts: str


class DeliveryError(Exception):
    """Sending failed; `permanent` errors are not retried, others wait `retry_after`."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Messenger(Protocol):
    """Posting, editing and direct messages on one chat platform."""

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> MessageRef:
        """Post to a channel, or into a thread when thread_ts is given."""
        ...

    def update(self, *, ref: MessageRef, message: Message) -> None:
        """Edit a message in place."""
        ...

    def dm(self, *, user: str, message: Message) -> MessageRef:
        """Send a direct message to a person."""
        ...

    def ephemeral(self, *, channel: str, user: str, message: Message) -> None:
        """Show a message only to one person in a channel."""
        ...

    def upload(
        self,
        *,
        channel: str,
        filename: str,
        content: bytes,
        title: str,
        comment: str | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Share a file in a channel (a chart, a CSV export)."""
        ...

    def permalink(self, *, ref: MessageRef) -> str | None:
        """A link to a posted message, if the platform has one."""
        ...
