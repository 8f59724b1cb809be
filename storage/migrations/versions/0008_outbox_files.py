"""files the outbox sends, stored once (the weekly chart), and indexes for the scheduler

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_files",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_outbox_files_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_files")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_files_key")),
    )
    with op.batch_alter_table("outbox_files", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_files_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_files", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_files_created")
    op.drop_table("outbox_files")
