"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 07:45:05.595846
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_events")),
        sa.UniqueConstraint(
            "platform", "event_id", name=op.f("uq_processed_events_platform_event_id")
        ),
    )
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processed_events_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("last_item_number", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint(
            "platform", "external_id", name=op.f("uq_workspaces_platform_external_id")
        ),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("channel_name", sa.String(length=200), nullable=True),
        sa.Column("channel_private", sa.Boolean(), nullable=False),
        sa.Column("usergroup_id", sa.String(length=64), nullable=True),
        sa.Column("escalation_contact_id", sa.String(length=64), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("workdays", sa.String(length=40), nullable=False),
        sa.Column("day_start", sa.Time(), nullable=False),
        sa.Column("day_end", sa.Time(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("standup_time", sa.Time(), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("escalate_after_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_departments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_departments_workspace_id_key")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("away_until", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("workspace_id", "user_id", name=op.f("uq_people_workspace_id_user_id")),
    )
    op.create_table(
        "department_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_aliases_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_department_aliases_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_aliases")),
        sa.UniqueConstraint(
            "workspace_id", "alias", name=op.f("uq_department_aliases_workspace_id_alias")
        ),
    )
    op.create_table(
        "department_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_people_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_people")),
        sa.UniqueConstraint(
            "department_id",
            "user_id",
            "role",
            name=op.f("uq_department_people_department_id_user_id_role"),
        ),
    )
    with op.batch_alter_table("department_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_department_people_user_id"), ["user_id"], unique=False)

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("requester_id", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("due_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_response_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("message_ts", sa.String(length=64), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("origin_channel_id", sa.String(length=64), nullable=True),
        sa.Column("source_link", sa.String(length=500), nullable=True),
        sa.Column("background", sa.Text(), nullable=True),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("suggestion", sa.Text(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_items_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_items_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("workspace_id", "number", name=op.f("uq_items_workspace_id_number")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_items_dept_status_due",
            ["department_id", "status", "due_at", "number", "id"],
            unique=False,
        )
        batch_op.create_index("ix_items_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_items_thread", ["channel_id", "message_ts"], unique=False)
        batch_op.create_index(
            "ix_items_unanswered", ["status", "first_response_at", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_items_ws_owner", ["workspace_id", "owner_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_items_ws_requester", ["workspace_id", "requester_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_items_ws_status_due", ["workspace_id", "status", "due_at"], unique=False
        )

    op.create_table(
        "standups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.String(length=10), nullable=False),
        sa.Column("posted_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("message_ts", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_standups_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_standups_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standups")),
        sa.UniqueConstraint(
            "department_id", "local_date", name=op.f("uq_standups_department_id_local_date")
        ),
    )
    with op.batch_alter_table("standups", schema=None) as batch_op:
        batch_op.create_index("ix_standups_thread", ["channel_id", "message_ts"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result_ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_outbox_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_outbox_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_outbox_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_item", ["item_id"], unique=False)
        batch_op.create_index("ix_outbox_pending", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "standup_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["standup_id"],
            ["standups.id"],
            name=op.f("fk_standup_replies_standup_id_standups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_replies")),
        sa.UniqueConstraint(
            "standup_id", "source_ref", name=op.f("uq_standup_replies_standup_id_source_ref")
        ),
    )
    op.create_table(
        "updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_updates_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_updates_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_updates")),
    )
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.create_index("ix_updates_item_at", ["item_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_updates_source_ref"), ["source_ref"], unique=False)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_updates_source_ref"))
        batch_op.drop_index("ix_updates_item_at")

    op.drop_table("updates")
    op.drop_table("standup_replies")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.drop_index("ix_outbox_item")

    op.drop_table("outbox")
    with op.batch_alter_table("standups", schema=None) as batch_op:
        batch_op.drop_index("ix_standups_thread")

    op.drop_table("standups")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_ws_status_due")
        batch_op.drop_index("ix_items_ws_requester")
        batch_op.drop_index("ix_items_ws_owner")
        batch_op.drop_index("ix_items_unanswered")
        batch_op.drop_index("ix_items_thread")
        batch_op.drop_index("ix_items_status_due")
        batch_op.drop_index("ix_items_dept_status_due")

    op.drop_table("items")
    with op.batch_alter_table("department_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_department_people_user_id"))

    op.drop_table("department_people")
    op.drop_table("department_aliases")
    op.drop_table("people")
    op.drop_table("departments")
    op.drop_table("workspaces")
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_events_received_at"))

    op.drop_table("processed_events")
