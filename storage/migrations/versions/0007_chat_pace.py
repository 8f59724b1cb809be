"""per-chat pacing in the database; outbox claims with a token and a time, for reconciling

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_pace",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("chat", sa.String(length=80), nullable=False),
        sa.Column("next_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sending", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_chat_pace_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "chat", name=op.f("pk_chat_pace")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("unsure_since", storage.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("unsure_since")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claim")
    op.drop_table("chat_pace")
