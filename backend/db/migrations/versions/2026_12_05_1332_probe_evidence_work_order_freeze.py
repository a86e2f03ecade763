"""hardening: client diagnoses as evidence, proposals, timeline values

- ``device_health.source``: who stands behind a device's verdict (backfilled from the diagnosis
  that set it);
- ``device_change_proposals``: make / model / serial / firmware a diagnosis reports, waiting for a
  decision instead of overwriting the inventory;
- ``work_order_events.changes``: old → new value per edited field.

Revision ID: a10c00000003
Revises: a10b00000002
Create Date: 2026-12-05 13:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.types

revision: str = "a10c00000003"
down_revision: str | None = "a10b00000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SOURCES = ("remote", "probe", "nightly", "weekly")


def upgrade() -> None:
    with op.batch_alter_table("device_health") as batch:
        batch.add_column(
            sa.Column(
                "source",
                sa.Enum(*SOURCES, name="diagnosissource", native_enum=False, length=32),
                nullable=True,
            )
        )
    op.execute(
        "UPDATE device_health SET source = (SELECT d.source FROM diagnoses d "
        "WHERE d.id = device_health.last_diagnosis_id)"
    )
    op.execute("UPDATE device_health SET source = 'probe' WHERE source IS NULL")
    with op.batch_alter_table("device_health") as batch:
        batch.alter_column(
            "source",
            existing_type=sa.Enum(*SOURCES, name="diagnosissource", native_enum=False, length=32),
            nullable=False,
        )

    op.create_table(
        "device_change_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("diagnosis_id", sa.Uuid(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("old_value", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("proposed_value", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "rejected",
                "superseded",
                name="proposalstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("proposed_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sync.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.ForeignKeyConstraint(["diagnosis_id"], ["diagnoses.id"]),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("device_change_proposals") as batch:
        batch.create_index("ix_device_change_proposals_device_status", ["device_id", "status"], unique=False)
        batch.create_index(batch.f("ix_device_change_proposals_diagnosis_id"), ["diagnosis_id"], unique=False)
        batch.create_index(batch.f("ix_device_change_proposals_status"), ["status"], unique=False)

    with op.batch_alter_table("work_order_events") as batch:
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_order_events") as batch:
        batch.drop_column("changes")
    with op.batch_alter_table("device_change_proposals") as batch:
        batch.drop_index(batch.f("ix_device_change_proposals_status"))
        batch.drop_index(batch.f("ix_device_change_proposals_diagnosis_id"))
        batch.drop_index("ix_device_change_proposals_device_status")
    op.drop_table("device_change_proposals")
    with op.batch_alter_table("device_health") as batch:
        batch.drop_column("source")
