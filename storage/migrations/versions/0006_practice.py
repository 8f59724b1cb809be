"""people: a language of their own choosing, deactivation, hints already given; items: moves

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("deactivated_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("hints_given", sa.JSON(), nullable=False, server_default="[]")
        )

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("clock_started_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("moves", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("moves")
        batch_op.drop_column("clock_started_at")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("hints_given")
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("language")
