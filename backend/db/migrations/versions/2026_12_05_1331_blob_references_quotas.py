"""hardening: blob access, quotas and sweeps

Revision ID: a10b00000002
Revises: a10a00000001
Create Date: 2026-12-05 13:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision: str = "a10b00000002"
down_revision: str | None = "a10a00000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Quotas add up a person's unfinished uploads and recent unreferenced blobs; reading a blob
    # asks whether the person finished an upload of it.
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_uploads_created_by_id"), ["created_by_id"], unique=False)
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_blobs_created_by_id_created_at", ["created_by_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.drop_index("ix_blobs_created_by_id_created_at")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploads_created_by_id"))
