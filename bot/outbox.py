"""Queueing outbound messages in the same transaction as the change that causes them.

Nothing is sent from inside a use case: rows land with the change or not at all,
and delivery (scheduler.delivery) sends each row once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.messages import Message
from bot.ports import DeliveryCode, DeliveryError
from storage.db import UnitOfWork
from storage.models import Item
from storage.repositories import FileRepository


class RowState(StrEnum):
    """Where an outbox row stands."""

    PENDING = "pending"  # waiting to go (or to go again after a failure)
    SENDING = "sending"  # a sender holds it (claim, claimed_at)
    SENT = "sent"
    SKIPPED = "skipped"  # nothing to say any more (a reminder of a closed item)
    FAILED = "failed"  # given up: permanent error, or too many attempts


class OutboxAction(StrEnum):
    """How a row is delivered."""

    POST_TRACKING = "post_tracking"  # the item's tracking message, rendered at send time
    UPDATE_TRACKING = "update_tracking"  # edit it in place, rendered at send time
    THREAD = "thread"  # a message in the item's thread (or a stand-up's)
    POST = "post"  # a message in a channel
    DM = "dm"  # a direct message
    UPLOAD = "upload"  # a file in a channel or a direct message
    ANSWER = "answer"  # a private answer to the person behind a request (scheduler.answers)
    EDIT = "edit"  # replace a given message (payload message_id) with a fixed message


def tracking_key(item: Item) -> str:
    """Dedupe key of the item's tracking post; a move posts a new one in the new channel."""
    return f"item:{item.id}:tracking" + (f":m{item.moves}" if item.moves else "")


def tracking_post(uow: UnitOfWork, item: Item, *, now: datetime) -> None:
    """Queue the first post of an item's tracking message."""
    uow.outbox.enqueue(
        workspace_id=item.workspace_id,
        dedupe_key=tracking_key(item),
        kind="tracking",
        action=OutboxAction.POST_TRACKING.value,
        item_id=item.id,
        channel_id=item.channel_id,
        created_at=now,
    )


def tracking_update(uow: UnitOfWork, item: Item, *, now: datetime) -> None:
    """Queue an in-place edit of the tracking message for the item's current version."""
    uow.outbox.enqueue(
        workspace_id=item.workspace_id,
        dedupe_key=f"item:{item.id}:v{item.version}",
        kind="tracking",
        action=OutboxAction.UPDATE_TRACKING.value,
        item_id=item.id,
        channel_id=item.channel_id,
        created_at=now,
    )


def edit_message(
    uow: UnitOfWork,
    item: Item,
    message: Message,
    *,
    channel_id: str,
    message_id: str,
    key: str,
    now: datetime,
) -> None:
    """Queue an edit of one posted message (a tracking message left behind by a move)."""
    uow.outbox.enqueue(
        workspace_id=item.workspace_id,
        dedupe_key=key,
        kind=message.kind.value,
        action=OutboxAction.EDIT.value,
        item_id=item.id,
        channel_id=channel_id,
        payload={"message": message.model_dump(mode="json"), "message_id": message_id},
        created_at=now,
    )


def thread_message(
    uow: UnitOfWork,
    item: Item,
    message: Message,
    *,
    key: str,
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message in the item's thread; False if that key was queued before."""
    return uow.outbox.enqueue(
        workspace_id=item.workspace_id,
        dedupe_key=key,
        kind=message.kind.value,
        action=OutboxAction.THREAD.value,
        item_id=item.id,
        channel_id=item.channel_id,
        payload={"message": message.model_dump(mode="json")},
        created_at=now,
        next_attempt_at=not_before or now,
    )


def direct_message(
    uow: UnitOfWork,
    *,
    workspace_id: int,
    user_id: str,
    message: Message,
    key: str,
    now: datetime,
    item_id: int | None = None,
    department_id: int | None = None,
) -> bool:
    """Queue a direct message to a person."""
    return uow.outbox.enqueue(
        workspace_id=workspace_id,
        dedupe_key=key,
        kind=message.kind.value,
        action=OutboxAction.DM.value,
        item_id=item_id,
        department_id=department_id,
        user_id=user_id,
        payload={"message": message.model_dump(mode="json")},
        created_at=now,
    )


def channel_message(
    uow: UnitOfWork,
    *,
    workspace_id: int,
    channel_id: str,
    message: Message,
    key: str,
    now: datetime,
    department_id: int | None = None,
    attachment: tuple[str, bytes, str] | StoredFile | None = None,
) -> bool:
    """Queue a message in a channel, optionally with a file: (name, bytes, title) carried
    in the row, or a StoredFile that many rows share."""
    payload: dict[str, object] = {"message": message.model_dump(mode="json")}
    if isinstance(attachment, StoredFile):
        payload["file"] = attachment.payload()
    elif attachment is not None:
        payload["file"] = _file_payload(*attachment)
    return uow.outbox.enqueue(
        workspace_id=workspace_id,
        dedupe_key=key,
        kind=message.kind.value,
        action=OutboxAction.POST.value,
        department_id=department_id,
        channel_id=channel_id,
        payload=payload,
        created_at=now,
    )


def file_to_person(
    uow: UnitOfWork,
    *,
    workspace_id: int,
    user_id: str,
    filename: str,
    content: bytes,
    title: str,
    key: str,
    now: datetime,
) -> bool:
    """Queue a file sent to a person by direct message (exports)."""
    return uow.outbox.enqueue(
        workspace_id=workspace_id,
        dedupe_key=key,
        kind="export",
        action=OutboxAction.UPLOAD.value,
        user_id=user_id,
        payload={"file": _file_payload(filename, content, title)},
        created_at=now,
    )


def _file_payload(filename: str, content: bytes, title: str) -> dict[str, str]:
    return {
        "filename": filename,
        "title": title,
        "content_b64": base64.b64encode(content).decode("ascii"),
    }


@dataclass(frozen=True)
class StoredFile:
    """A file stored once (FileRepository) and sent by several rows, each naming it by id."""

    file_id: int
    filename: str
    title: str

    def payload(self) -> dict[str, object]:
        """What a row carries instead of the bytes."""
        return {"filename": self.filename, "title": self.title, "file_id": self.file_id}


def file_from_payload(payload: dict[str, Any], uow: UnitOfWork) -> tuple[str, bytes, str]:
    """(filename, content, title) back out of a queued row, reading a stored file by id."""
    if "file_id" not in payload:
        return payload["filename"], base64.b64decode(payload["content_b64"]), payload["title"]
    content = FileRepository(uow.session).content(int(payload["file_id"]))
    if content is None:
        raise DeliveryError(
            DeliveryCode.GONE,
            f"the file {payload['filename']} this message sends was deleted before it was "
            "sent (stored files are kept for two weeks); the message is not sent",
        )
    return payload["filename"], content, payload["title"]


def private_answer(
    uow: UnitOfWork,
    *,
    workspace_id: int,
    user_id: str,
    message: Message,
    key: str,
    now: datetime,
    handle: str | None = None,
    handle_expires_at: datetime | None = None,
    chat: str | None = None,
    filed: dict[str, object] | None = None,
) -> bool:
    """Queue a private answer to the person behind a request, in the use case's transaction.

    It goes through the request's reply `handle` while that lives, else to the person
    alone in `chat`, else by direct message. `filed` ({item_id, locale, tz, style}) makes the
    confirmation of a filing link its tracking message once that is posted.
    """
    reply: dict[str, object] = {"handle": handle, "chat": chat}
    if handle_expires_at is not None:
        reply["expires_at"] = handle_expires_at.isoformat()
    payload: dict[str, object] = {"message": message.model_dump(mode="json"), "reply": reply}
    if filed is not None:
        payload["filed"] = filed
    return uow.outbox.enqueue(
        workspace_id=workspace_id,
        dedupe_key=key,
        kind=message.kind.value,
        action=OutboxAction.ANSWER.value,
        # A confirmation of a filing waits for its item's tracking message (it links it).
        item_id=int(str(filed["item_id"])) if filed is not None else None,
        user_id=user_id,
        payload=payload,
        created_at=now,
    )
