"""change log: the parent that scopes a deletion

A deleted row cannot be scoped, so a deletion was told to every device. Each deletion now names
the row whose visibility decides who hears of it (a survey point: its survey).

Revision ID: a10d00000004
Revises: a10c00000003
Create Date: 2026-12-05 13:33:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.types  # noqa: F401

revision: str = "a10d00000004"
down_revision: str | None = "a10c00000003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_changes") as batch:
        parent_entity = sa.Column("parent_entity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        batch.add_column(parent_entity)
        batch.add_column(sa.Column("parent_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_changes") as batch:
        batch.drop_column("parent_id")
        batch.drop_column("parent_entity")
