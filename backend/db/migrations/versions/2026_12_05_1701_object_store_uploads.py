"""uploads: state for an S3-compatible object store

With several replicas on one bucket, a flock on a local file no longer keeps two requests from
appending to one upload at once: the ``uploads`` row carries a lease (who, until when) that the
upload service takes before it writes and gives up after.

Revision ID: a11b00000006
Revises: a11a00000005
Create Date: 2026-12-05 17:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db.types

revision: str = "a11b00000006"
down_revision: str | None = "a11a00000005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until", backend.db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
