"""Items, statuses and the rules of each transition and permission; pure, no I/O."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ItemKind(StrEnum):
    """What an item is."""

    REQUEST = "request"
    COMMITMENT = "commitment"
    ACTION = "action"


class Status(StrEnum):
    """Where an item stands."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        """Done, declined and cancelled are closed; only reopen leaves them."""
        return self in CLOSED


CLOSED = frozenset({Status.DONE, Status.DECLINED, Status.CANCELLED})
ACTIVE = frozenset({Status.OPEN, Status.ACKNOWLEDGED})


class UpdateKind(StrEnum):
    """Every kind of entry in an item's append-only audit trail."""

    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    REPLY = "reply"
    DUE_CHANGED = "due_changed"
    REASSIGNED = "reassigned"
    SNOOZED = "snoozed"
    NUDGED = "nudged"
    ESCALATION_SUGGESTED = "escalation_suggested"
    ESCALATED = "escalated"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class Role(StrEnum):
    """A person's tie to a department."""

    LEAD = "lead"
    MEMBER = "member"


class ErrorKind(StrEnum):
    """Why a use case refused; each has an en/zh text in bot.i18n."""

    NOT_FOUND = "not_found"
    PERMISSION = "permission"
    TRANSITION = "transition"
    INVALID = "invalid"
    CONFLICT = "conflict"


class XdeptError(Exception):
    """A refusal with a message a person can act on, rendered in their language."""

    kind: ErrorKind = ErrorKind.INVALID

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def render(self, locale: str) -> str:
        """The human message in 'en' or 'zh'."""
        from bot.i18n import has, t

        params = dict(self.params)
        # Statuses and actions are stored as enum values; show them in the reader's words.
        for name in ("status", "action"):
            value = params.get(name)
            if isinstance(value, str) and has(f"{name}.{value}"):
                params[name] = t(locale, f"{name}.{value}")
        return t(locale, self.key, **params)

    def __str__(self) -> str:
        return self.render("en")


class NotFound(XdeptError):
    """The item, department or person does not exist in this workspace."""

    kind = ErrorKind.NOT_FOUND


class PermissionDenied(XdeptError):
    """The actor may not do this."""

    kind = ErrorKind.PERMISSION


class InvalidTransition(XdeptError):
    """The item's status does not allow this."""

    kind = ErrorKind.TRANSITION


class InvalidInput(XdeptError):
    """The input could not be read or is not acceptable (e.g. a past due date)."""

    kind = ErrorKind.INVALID


class Conflict(XdeptError):
    """It already happened (a second escalation) or would clash with existing data."""

    kind = ErrorKind.CONFLICT


@dataclass(frozen=True)
class ItemFacts:
    """What the permission rules need to know about an item."""

    code: str
    kind: ItemKind
    status: Status
    requester_id: str
    owner_id: str | None
    leads: Collection[str]


def _is_party(facts: ItemFacts, actor: str) -> bool:
    return actor in (facts.requester_id, facts.owner_id) or actor in facts.leads


def check_ack(facts: ItemFacts, actor: str) -> None:
    """Anyone but the requester may acknowledge an open item."""
    if actor == facts.requester_id and facts.kind is ItemKind.REQUEST:
        raise PermissionDenied("err.ack_own", code=facts.code)
    _require_active(facts, "ack")


def check_done(facts: ItemFacts, actor: str) -> None:
    """A lead of the target department, the owner or the requester may mark done."""
    if not _is_party(facts, actor):
        raise PermissionDenied("err.done_who", code=facts.code)
    _require_active(facts, "done")


def check_decline(facts: ItemFacts, actor: str) -> None:
    """A lead or the owner may decline."""
    if actor != facts.owner_id and actor not in facts.leads:
        raise PermissionDenied("err.decline_who", code=facts.code)
    _require_active(facts, "decline")


def check_cancel(facts: ItemFacts, actor: str) -> None:
    """Only the requester may cancel."""
    if actor != facts.requester_id:
        raise PermissionDenied("err.cancel_who", code=facts.code)
    _require_active(facts, "cancel")


def check_reopen(facts: ItemFacts, actor: str) -> None:
    """The requester, the owner or a lead may reopen a closed item."""
    if not _is_party(facts, actor):
        raise PermissionDenied("err.reopen_who", code=facts.code)
    if not facts.status.is_closed:
        raise InvalidTransition("err.reopen_open", code=facts.code, status=facts.status.value)


def check_change(facts: ItemFacts, actor: str, action: str) -> None:
    """Change due, reassign, snooze: the requester, the owner or a lead, on an active item."""
    if not _is_party(facts, actor):
        raise PermissionDenied("err.change_who", code=facts.code, action=action)
    _require_active(facts, action)


def check_escalate(facts: ItemFacts, actor: str, *, already: bool) -> None:
    """The requester may escalate an active request, once."""
    if actor != facts.requester_id:
        raise PermissionDenied("err.escalate_who", code=facts.code)
    if already:
        raise Conflict("err.escalate_twice", code=facts.code)
    _require_active(facts, "escalate")


def _require_active(facts: ItemFacts, action: str) -> None:
    if facts.status.is_closed:
        raise InvalidTransition(
            "err.closed", code=facts.code, status=facts.status.value, action=action
        )


def format_code(number: int) -> str:
    """The human code of an item: XD-<n>."""
    return f"XD-{number}"


def parse_code_number(code: str) -> int:
    """The number inside a normalised code 'XD-12'."""
    return int(code.split("-", 1)[1])
