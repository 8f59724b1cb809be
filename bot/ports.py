"""The one outbound port: everything the bot says goes through a Messenger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.messages import Message


class MessageRef(BaseModel):
    """Where a posted message lives: its chat, its id, and the thread it opened or joined.

    `thread_id` is for platforms whose threads have ids of their own; where a thread
    is named by its first message (as on most platforms), it is None.
    """

    model_config = ConfigDict(frozen=True)

    chat: str
    message_id: str
    thread_id: str | None = None


class DeliveryCode(StrEnum):
    """Why sending failed, in words every adapter maps its platform's errors onto."""

    RATE_LIMITED = "rate_limited"  # slow down; wait `retry_after`
    NOT_IN_CHAT = "not_in_chat"  # the bot is not a member and cannot join by itself
    GONE = "gone"  # the chat, message or person no longer exists (or was archived)
    TOO_LONG = "too_long"  # the platform refused the message's size
    REJECTED = "rejected"  # the platform refused the content or the call
    UNREACHABLE = "unreachable"  # no answer from the platform (network, timeout)
    AUTH = "auth"  # the bot's credentials are missing, revoked or lack a permission
    TRANSIENT = "transient"  # the platform failed on its side; try again later

    @property
    def permanent(self) -> bool:
        """Retrying cannot help: the row is given up and a person is told."""
        return self not in _RETRIED


_RETRIED = frozenset({DeliveryCode.RATE_LIMITED, DeliveryCode.UNREACHABLE, DeliveryCode.TRANSIENT})


class DeliveryError(Exception):
    """Sending failed: a neutral code, what happened, and what a person can do about it.

    `hint` is a text key the adapter registered (bot.i18n), so the advice speaks the
    platform's language ("invite me with /invite") without the core knowing it.
    """

    def __init__(
        self,
        code: DeliveryCode,
        detail: str = "",
        *,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail
        self.retry_after = retry_after
        self.hint = hint

    @property
    def permanent(self) -> bool:
        """Whether retrying is pointless."""
        return self.code.permanent

    @property
    def reason(self) -> str:
        """`code: detail`, as logged and stored on the outbox row."""
        return str(self)


class Messenger(Protocol):
    """Posting, editing and direct messages on one chat platform."""

    # Seconds between two messages to one chat that the platform tolerates.
    chat_interval: float

    def post(
        self,
        *,
        chat: str,
        message: Message,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> MessageRef:
        """Post to a chat, or into a thread when thread_id (its first message's id) is given.

        `idempotency_key` (the outbox row's key) goes with the message where the platform
        keeps one, so `find_sent` can tell later whether it went out.
        """
        ...

    def update(self, *, ref: MessageRef, message: Message) -> None:
        """Edit a message in place."""
        ...

    def dm(self, *, user: str, message: Message, idempotency_key: str | None = None) -> MessageRef:
        """Send a direct message to a person (`idempotency_key` as for `post`)."""
        ...

    def find_sent(
        self,
        *,
        key: str,
        since: datetime,
        chat: str | None = None,
        user: str | None = None,
        thread_id: str | None = None,
    ) -> MessageRef | None:
        """The message this bot sent with idempotency key `key` at or after `since`, in `chat`
        (or its direct chat with `user`), inside the thread `thread_id` if given; None if
        there is none, or if the platform cannot tell (then it must dedupe by the key)."""
        ...

    def ephemeral(self, *, chat: str, user: str, message: Message) -> None:
        """Show a message only to one person in a chat."""
        ...

    def answer(self, *, handle: str, message: Message) -> None:
        """Answer a request privately through the reply handle it came with (a platform's
        address for answering that request, such as a response URL); GONE once it expired."""
        ...

    def upload(
        self,
        *,
        chat: str,
        filename: str,
        content: bytes,
        title: str,
        comment: str | None = None,
        thread_id: str | None = None,
    ) -> None:
        """Share a file in a chat (a chart, a CSV export)."""
        ...

    def permalink(self, *, ref: MessageRef) -> str | None:
        """A link to a posted message, if the platform has one."""
        ...


class WorkspaceAddress(BaseModel):
    """A workspace as its platform names it: which platform, and its team or tenant id."""

    model_config = ConfigDict(frozen=True)

    platform: str
    external_id: str


class Messengers(Protocol):
    """Finds the Messenger that speaks for one workspace: its platform, its credentials."""

    def for_workspace(self, workspace: WorkspaceAddress) -> Messenger:
        """The messenger for this workspace; DeliveryError(AUTH) if the bot may not speak there."""
        ...


class OneMessenger:
    """Every workspace through the same Messenger: one workspace, the demo, the tests."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    def for_workspace(self, workspace: WorkspaceAddress) -> Messenger:
        """The one messenger, whatever the workspace."""
        return self.messenger


class ByPlatform:
    """Each platform's workspaces through that platform's directory of messengers."""

    def __init__(self, directories: dict[str, Messengers]) -> None:
        self._directories = dict(directories)

    def for_workspace(self, workspace: WorkspaceAddress) -> Messenger:
        """The messenger of the workspace's platform; AUTH if this server does not serve it."""
        directory = self._directories.get(workspace.platform)
        if directory is None:
            raise DeliveryError(
                DeliveryCode.AUTH, f"this server is not set up for {workspace.platform}"
            )
        return directory.for_workspace(workspace)
