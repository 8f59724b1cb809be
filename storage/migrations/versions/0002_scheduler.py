"""scheduler: items.next_check_at and the indexes the tick and the weekly summary use

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_check_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_items_next_check", ["next_check_at"], unique=False)
        batch_op.create_index("ix_items_ws_created", ["workspace_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_items_ws_first_response", ["workspace_id", "first_response_at"], unique=False
        )
        batch_op.create_index("ix_items_ws_closed", ["workspace_id", "closed_at"], unique=False)
    # Items filed before the scheduler existed: let the first tick work out their reminders.
    op.execute(
        "UPDATE items SET next_check_at = created_at WHERE status IN ('open', 'acknowledged')"
    )
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.create_index("ix_updates_ws_kind_at", ["workspace_id", "kind", "at"], unique=False)
    with op.batch_alter_table("standups", schema=None) as batch_op:
        batch_op.create_index("ix_standups_ws_date", ["workspace_id", "local_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("standups", schema=None) as batch_op:
        batch_op.drop_index("ix_standups_ws_date")
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.drop_index("ix_updates_ws_kind_at")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_ws_closed")
        batch_op.drop_index("ix_items_ws_first_response")
        batch_op.drop_index("ix_items_ws_created")
        batch_op.drop_index("ix_items_next_check")
        batch_op.drop_column("next_check_at")
