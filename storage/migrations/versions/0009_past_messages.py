"""where items' tracking messages lived before the platform had them posted again

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_past_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_past_messages_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_item_past_messages_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_past_messages")),
    )
    with op.batch_alter_table("item_past_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_item_past_messages_thread", ["channel_id", "message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_item_past_messages_item_id"), ["item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("item_past_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_past_messages_item_id"))
        batch_op.drop_index("ix_item_past_messages_thread")
    op.drop_table("item_past_messages")
