"""work_order_events: drop the index on work_order_id alone

The unique index on (work_order_id, seq) already serves every lookup by work order (its first
column), in order; the second index only cost a B-tree write per timeline event.

Revision ID: a11c00000007
Revises: a11b00000006
Create Date: 2026-12-06 03:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a11c00000007"
down_revision: str | None = "a11b00000006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_work_order_events_work_order_id", table_name="work_order_events")


def downgrade() -> None:
    op.create_index("ix_work_order_events_work_order_id", "work_order_events", ["work_order_id"])
