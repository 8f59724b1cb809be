"""Read models that use cases return; renderers and adapters never see ORM rows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.domain import ItemKind, Status, UpdateKind

HINT_DUE = "due"
HINT_IMPACT = "impact"


class UpdateView(BaseModel):
    """One audit-trail entry."""

    model_config = ConfigDict(frozen=True)
    kind: UpdateKind
    actor_id: str | None
    at: datetime
    text: str | None = None


class DepartmentView(BaseModel):
    """A department as shown to people."""

    model_config = ConfigDict(frozen=True)
    key: str
    name: str
    channel_id: str
    channel_name: str | None = None
    aliases: list[str] = []
    leads: list[str] = []
    members: list[str] = []
    usergroup_id: str | None = None
    escalation_contact_id: str | None = None
    timezone: str
    locale: str | None = None
    workdays: str
    hours: str
    holidays: list[str] = []
    standup: str
    first_response: str
    escalate_after: str
    open_items: int = 0
    # Its people who have left the workspace (treated as away for good).
    gone: list[str] = []
    # Only leads are known members, so anyone may acknowledge its requests.
    open_to_all: bool = False


class ItemView(BaseModel):
    """An item with what every message about it needs."""

    model_config = ConfigDict(frozen=True)
    id: int
    code: str
    kind: ItemKind
    status: Status
    text: str
    requester_id: str
    owner_id: str | None = None
    department_key: str | None = None
    department_name: str | None = None
    department_tz: str | None = None
    department_locale: str | None = None
    leads: list[str] = []
    due_at: datetime | None = None
    created_at: datetime
    first_response_at: datetime | None = None
    first_response_by: str | None = None
    closed_at: datetime | None = None
    snoozed_until: datetime | None = None
    escalated_at: datetime | None = None
    channel_id: str | None = None
    message_id: str | None = None
    permalink: str | None = None
    source_link: str | None = None
    background: str | None = None
    impact: str | None = None
    suggestion: str | None = None
    close_reason: str | None = None
    updates: list[UpdateView] = []
    # What the filing's confirmation should point out is missing (HINT_*); set by a filing.
    hints: tuple[str, ...] = ()


class ItemPage(BaseModel):
    """One page of a list."""

    model_config = ConfigDict(frozen=True)
    items: list[ItemView]
    total: int
    page: int
    pages: int
    scope: str


class ReactionOutcome(BaseModel):
    """What a reaction did: an item changed, nothing (ignored), or a refusal to tell privately."""

    model_config = ConfigDict(frozen=True)
    item: ItemView | None = None
    refused: str | None = None


class ReplyOutcome(BaseModel):
    """What a thread reply did."""

    model_config = ConfigDict(frozen=True)
    item: ItemView | None = None
    first_response: bool = False
    standup: bool = False


class Export(BaseModel):
    """A CSV export, also queued to the person as a file."""

    model_config = ConfigDict(frozen=True)
    filename: str
    content: bytes
    rows: int
    # The second file: every update of those items.
    updates_filename: str = ""
    updates_content: bytes = b""
    updates: int = 0
