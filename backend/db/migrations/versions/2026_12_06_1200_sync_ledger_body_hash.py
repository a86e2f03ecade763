"""sync ledger: the hash of each envelope's body

A replay (a ``seq`` at or below the client's last) was matched by mutation id only; it is now
matched by the body too (name, args, baseVersions, blobRefs), so a reused ``seq`` carrying other
content is refused (``SYNC_SEQ_REUSED``). Rows written before have no hash: accepted as before.

Revision ID: a11d00000008
Revises: a11c00000007
Create Date: 2026-12-06 12:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a11d00000008"
down_revision: str | None = "a11c00000007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_ledger") as batch:
        batch.add_column(sa.Column("body_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_ledger") as batch:
        batch.drop_column("body_hash")
