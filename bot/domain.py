"""Items, statuses and the rules of each transition and permission; pure, no I/O."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.context import CommandStyle


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
    EDITED = "edited"  # text corrected; data keeps the old text
    MOVED = "moved"  # sent to another department
    PROGRESS = "progress"  # a quick progress note (`update`)
    STATUS = "status"  # a four-part status (`status`)


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

    def render(self, locale: str, style: CommandStyle = CommandStyle.SLASH) -> str:
        """The human message in 'en' or 'zh', commands shown the way `style` types them."""
        from bot.i18n import has, t

        params = {"cmd": style.prefix, **self.params}
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


class Reaction(StrEnum):
    """What a reaction on a tracking message means; adapters map their emoji to it."""

    ACKNOWLEDGE = "acknowledge"
    DONE = "done"


@dataclass(frozen=True)
class ItemFacts:
    """What the permission rules need to know about an item."""

    code: str
    kind: ItemKind
    status: Status
    requester_id: str
    owner_id: str | None
    leads: Collection[str]
    department: str | None = None  # its key, for messages
    # Only leads are known members (no member:, no user group): anyone may take it.
    department_open: bool = False


@dataclass(frozen=True)
class Party:
    """The person acting, as the rules see them: who, and whether they belong to the department."""

    user_id: str
    member: bool = False  # of the item's target department (leads included)
    is_bot: bool = False


def _is_party(facts: ItemFacts, actor: Party) -> bool:
    who = actor.user_id
    return who in (facts.requester_id, facts.owner_id) or who in facts.leads


def responds_for(facts: ItemFacts, actor: Party) -> bool:
    """Whether the actor answers for the item: its owner, or a member of its department.

    Commitments and action items are answered by their owner alone. In an open
    department (its leads are its only known members) anyone but the requester is.
    """
    if actor.is_bot:
        return False
    if actor.user_id == facts.owner_id:
        return True
    if facts.kind is not ItemKind.REQUEST:
        return False
    if actor.member or actor.user_id in facts.leads:
        return True
    return facts.department_open and actor.user_id != facts.requester_id


def counts_as_first_response(facts: ItemFacts, actor: Party) -> bool:
    """A reply or acknowledgement by this actor stops a request's first-response clock."""
    return facts.kind is ItemKind.REQUEST and responds_for(facts, actor)


def check_ack(facts: ItemFacts, actor: Party) -> None:
    """The owner or a member of the target department; commitments and actions: the owner."""
    if not responds_for(facts, actor):
        if facts.kind is not ItemKind.REQUEST:
            raise PermissionDenied("err.ack_owner_only", code=facts.code)
        if actor.user_id == facts.requester_id:
            raise PermissionDenied("err.ack_own", code=facts.code)
        raise PermissionDenied("err.ack_who", code=facts.code, dept=facts.department or "-")
    _require_active(facts, "ack")


def check_done(facts: ItemFacts, actor: Party) -> None:
    """A lead of the target department, the owner or the requester may mark done."""
    if not _is_party(facts, actor):
        raise PermissionDenied("err.done_who", code=facts.code)
    _require_active(facts, "done")


def check_decline(facts: ItemFacts, actor: Party) -> None:
    """A lead or the owner may decline."""
    if actor.user_id != facts.owner_id and actor.user_id not in facts.leads:
        raise PermissionDenied("err.decline_who", code=facts.code)
    _require_active(facts, "decline")


def check_cancel(facts: ItemFacts, actor: Party) -> None:
    """Only the requester may cancel."""
    if actor.user_id != facts.requester_id:
        raise PermissionDenied("err.cancel_who", code=facts.code)
    _require_active(facts, "cancel")


def check_reopen(facts: ItemFacts, actor: Party) -> None:
    """The requester, the owner or a lead may reopen a closed item."""
    if not _is_party(facts, actor):
        raise PermissionDenied("err.reopen_who", code=facts.code)
    if not facts.status.is_closed:
        raise InvalidTransition("err.reopen_open", code=facts.code, status=facts.status.value)


def check_change(facts: ItemFacts, actor: Party, action: str) -> None:
    """Change due, reassign: the requester, the owner or a lead, on an active item."""
    if not _is_party(facts, actor):
        raise PermissionDenied("err.change_who", code=facts.code, action=action)
    _require_active(facts, action)


def check_snooze(facts: ItemFacts, actor: Party) -> None:
    """Snooze: as for a change, and members too: they are the ones being nudged."""
    if not (_is_party(facts, actor) or actor.member):
        raise PermissionDenied("err.change_who", code=facts.code, action="snooze")
    _require_active(facts, "snooze")


def check_escalate(facts: ItemFacts, actor: Party, *, already: bool) -> None:
    """The requester may escalate an active request, once."""
    if actor.user_id != facts.requester_id:
        raise PermissionDenied("err.escalate_who", code=facts.code)
    if already:
        raise Conflict("err.escalate_twice", code=facts.code)
    _require_active(facts, "escalate")


def check_status_update(facts: ItemFacts, actor: Party, action: str) -> None:
    """`status` and `update`: the requester, the owner or a member of the target department."""
    if actor.user_id not in (facts.requester_id, facts.owner_id) and not actor.member:
        raise PermissionDenied("err.status_who", code=facts.code, action=action)


def check_edit(facts: ItemFacts, actor: Party) -> None:
    """`edit`: the requester alone corrects the text (the old one stays in the history)."""
    if actor.user_id != facts.requester_id:
        raise PermissionDenied("err.edit_who", code=facts.code)
    _require_active(facts, "edit")


def check_move(facts: ItemFacts, actor: Party, *, new_leads: Collection[str]) -> None:
    """`move`: a request, by its requester or a lead of the department it leaves or joins."""
    if actor.user_id != facts.requester_id and not (
        actor.user_id in facts.leads or actor.user_id in new_leads
    ):
        raise PermissionDenied("err.move_who", code=facts.code)
    if facts.kind is not ItemKind.REQUEST:
        raise InvalidInput("err.move_not_request", code=facts.code)
    _require_active(facts, "move")


def may_show(facts: ItemFacts, actor: Party, *, public: bool) -> bool:
    """`show`, `history`: items a person asked, owns, or waits on their department, or public."""
    who = actor.user_id
    return who in (facts.requester_id, facts.owner_id) or actor.member or public


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
