"""SQLAlchemy 2.x tables; every row is scoped by workspace."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(UTC)
        # SQLite stores text; dropping the zone keeps comparisons lexical and correct.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with naming conventions."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Workspace(Base):
    """One team or tenant of a chat platform."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Incremented under a row lock to hand out XD-<n> codes without gaps or clashes.
    last_item_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class Person(Base):
    """What the bot knows about a person: zone, language, absence, admin rights."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_bot: Mapped[bool] = mapped_column(default=False)
    away_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    # Chosen with `lang`; it wins over the platform's locale, which `locale` mirrors.
    language: Mapped[str | None] = mapped_column(String(8))
    # Left the workspace: treated as away for good (their nudges go to the leads).
    deactivated_at: Mapped[datetime | None]
    # Hints a confirmation already gave this person (each is given once).
    hints_given: Mapped[list[str]] = mapped_column(default=list)


class Department(Base):
    """A department: channel, leads, escalation contact, zone, work days and thresholds."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[str] = mapped_column(String(64))
    channel_name: Mapped[str | None] = mapped_column(String(200))
    # Items tracked in a public channel are visible to everyone in the workspace.
    channel_private: Mapped[bool] = mapped_column(default=False)
    usergroup_id: Mapped[str | None] = mapped_column(String(64))
    escalation_contact_id: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    workdays: Mapped[str] = mapped_column(String(40), default="mon-fri")
    day_start: Mapped[time] = mapped_column(Time, default=time(9, 0))
    day_end: Mapped[time] = mapped_column(Time, default=time(18, 0))
    holidays: Mapped[list[str]] = mapped_column(default=list)
    # No column default: the ORM would put it in place of an explicit None ("standup:off").
    standup_time: Mapped[time | None] = mapped_column(Time)
    first_response_minutes: Mapped[int] = mapped_column(Integer, default=8 * 60)
    escalate_after_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    created_at: Mapped[datetime]
    # Removed departments that still have (closed) items are kept for history and metrics.
    removed_at: Mapped[datetime | None]

    people: Mapped[list[DepartmentPerson]] = relationship(
        back_populates="department", cascade="all, delete-orphan", lazy="selectin"
    )
    aliases: Mapped[list[DepartmentAlias]] = relationship(
        back_populates="department", cascade="all, delete-orphan", lazy="selectin"
    )

    def user_ids(self, role: str) -> list[str]:
        """Ids of the people with that role, in the order they were added."""
        return [p.user_id for p in sorted(self.people, key=lambda p: p.id or 0) if p.role == role]


class DepartmentPerson(Base):
    """A lead or member of a department."""

    __tablename__ = "department_people"
    __table_args__ = (UniqueConstraint("department_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))

    department: Mapped[Department] = relationship(back_populates="people")


class DepartmentAlias(Base):
    """Another name a department answers to (物流, a user-group handle)."""

    __tablename__ = "department_aliases"
    __table_args__ = (UniqueConstraint("workspace_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200))

    department: Mapped[Department] = relationship(back_populates="aliases")


class Item(Base):
    """A request, commitment or action item."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_items_ws_status_due", "workspace_id", "status", "due_at"),
        # Covers the list pages' key lookups, so they never touch the table.
        Index("ix_items_dept_status_due", "department_id", "status", "due_at", "number", "id"),
        Index("ix_items_ws_requester", "workspace_id", "requester_id", "status"),
        Index("ix_items_ws_owner", "workspace_id", "owner_id", "status"),
        Index("ix_items_thread", "channel_id", "message_id"),
        # The tick's questions: active items by due time, unanswered requests by age.
        Index("ix_items_status_due", "status", "due_at"),
        Index("ix_items_unanswered", "status", "first_response_at", "created_at"),
        # The scheduler's work queue: items whose next reminder may be due.
        Index("ix_items_next_check", "next_check_at"),
        # The weekly summary: opened, answered and closed within a period.
        Index("ix_items_ws_created", "workspace_id", "created_at"),
        Index("ix_items_ws_first_response", "workspace_id", "first_response_at"),
        Index("ix_items_ws_closed", "workspace_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    requester_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    first_response_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # When the scheduler should look at this item again (None: nothing left to remind of).
    # Every change sets it to `now`, so the tick recomputes the item's reminders.
    next_check_at: Mapped[datetime | None]
    # Where the tracking message lives; message_id is set once it is posted.
    channel_id: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    permalink: Mapped[str | None] = mapped_column(String(500))
    origin_channel_id: Mapped[str | None] = mapped_column(String(64))
    source_link: Mapped[str | None] = mapped_column(String(500))
    background: Mapped[str | None] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    suggestion: Mapped[str | None] = mapped_column(Text)
    close_reason: Mapped[str | None] = mapped_column(Text)
    # Bumped on every change; the tracking message edits are keyed by it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # A move to another department restarts the first-response clocks from here, and
    # each move gives the item's once-only reminders fresh keys.
    clock_started_at: Mapped[datetime | None]
    moves: Mapped[int] = mapped_column(Integer, default=0)

    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def code(self) -> str:
        """XD-<n>."""
        return f"XD-{self.number}"


class PastMessage(Base):
    """Where an item's tracking message lived before the platform had it posted again (an
    edit window that passed): replies and reactions there still belong to the item."""

    __tablename__ = "item_past_messages"
    # Looked up by the reply's thread, as items are (ix_items_thread).
    __table_args__ = (Index("ix_item_past_messages_thread", "channel_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[datetime]


class Update(Base):
    """One append-only entry in an item's audit trail."""

    __tablename__ = "updates"
    __table_args__ = (
        Index("ix_updates_item_at", "item_id", "at"),
        # The weekly summary: closings and first responses of a workspace within a period.
        Index("ix_updates_ws_kind_at", "workspace_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Platform id of the message behind this update (a thread reply), for edits and deletes.
    source_ref: Mapped[str | None] = mapped_column(String(64), index=True)


class OutboxMessage(Base):
    """A message to send; written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbox_pending", "state", "next_attempt_at"),
        Index("ix_outbox_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE")
    )
    channel_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    result_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # The sender holding the row ('sending') and since when: a record must hold the same
    # token, so a sender whose claim went stale cannot overwrite the one that took over.
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    # Set when a claim went stale: from then on the message may already be out, so the
    # next sender looks for it (by its key) before sending it again.
    unsure_since: Mapped[datetime | None]


class ChatPace(Base):
    """When a chat may get its next message: the platform's pace, shared by every sender.

    A sender takes the chat (`sending`, `next_at` then the end of its lease) before it
    posts and gives it back with `next_at` one interval after the platform answered, so
    two messages to one chat are never closer than the interval, whichever threads or
    processes send them. A Retry-After moves `next_at` on for that chat alone.
    """

    __tablename__ = "chat_pace"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    chat: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_at: Mapped[datetime]
    sending: Mapped[bool] = mapped_column(default=False)


class OutboxFile(Base):
    """A file that outbox rows send, stored once however many rows send it.

    The weekly summary sends one chart to every department's channel: each row
    names the file by id instead of carrying the PNG in its own payload.
    """

    __tablename__ = "outbox_files"
    __table_args__ = (UniqueConstraint("key"), Index("ix_outbox_files_created", "created_at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class InboxTask(Base):
    """Work a request left for after its acknowledgement, stored before it was acknowledged.

    `key` is the request's idempotency key: a retry or a duplicate of a request
    finds its row and changes nothing. Workers claim rows with a lease
    (`available_at` is when a pending row may run, or when a claim in force
    lapses); the use case marks the row done in its own transaction.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "key"),
        # The workers' question: what may run now, oldest first.
        Index("ix_inbox_ready", "state", "available_at"),
        Index("ix_inbox_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    # The workspace as the platform names it (a team or tenant id): the row exists
    # before the workspace's own row may.
    workspace: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    received_at: Mapped[datetime]
    available_at: Mapped[datetime]
    # The token of the claim in force: only its holder may finish the row.
    claim: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]


class Standup(Base):
    """A stand-up prompt posted for a department on a local date."""

    __tablename__ = "standups"
    __table_args__ = (
        UniqueConstraint("department_id", "local_date"),
        Index("ix_standups_thread", "channel_id", "message_id"),
        Index("ix_standups_ws_date", "workspace_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    local_date: Mapped[str] = mapped_column(String(10))
    posted_at: Mapped[datetime]
    channel_id: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))


class StandupReply(Base):
    """A reply in a stand-up prompt's thread."""

    __tablename__ = "standup_replies"
    __table_args__ = (UniqueConstraint("standup_id", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    source_ref: Mapped[str | None] = mapped_column(String(64))
