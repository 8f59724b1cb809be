"""neutral message references: the message columns of items and standups become message_id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, thread index) whose tracking-message column is renamed.
_TABLES = (("items", "ix_items_thread"), ("standups", "ix_standups_thread"))


def _rename(old: str, new: str) -> None:
    for table, index in _TABLES:
        # Two batches: SQLite's batch mode reflects the table once, before the rename.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.alter_column(old, new_column_name=new)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(index, ["channel_id", new], unique=False)


def upgrade() -> None:
    # The old column name is history; a platform's message id is kept as written.
    _rename("message_ts", "message_id")


def downgrade() -> None:
    _rename("message_id", "message_ts")
