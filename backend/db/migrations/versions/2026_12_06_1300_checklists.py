"""checklists: versioned templates, checklists (cleaning rounds, weekly recording checks), answers

The shipped templates are seeded by ``backend.domain.maintenance.defaults`` (``saha migrate`` and
the monthly round job), not here: an administrator's later edits are new versions of them.

Revision ID: a11e00000009
Revises: a11d00000008
Create Date: 2026-12-06 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.types

revision: str = "a11e00000009"
down_revision: str | None = "a11d00000008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column(
            "device_kind",
            sa.Enum(
                "camera", "recorder", "switch", "cabinet", name="devicekind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("city_watch", sa.Boolean(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("monthly", "weekly_recording", name="checklistpurpose", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("title_tr", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "revision"),
    )
    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_templates_key"), ["key"], unique=False)

    op.create_table(
        "checklists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("monthly", "weekly_recording", name="checklistpurpose", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("todo", "done", "problem", name="checkliststatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("completed_by_id", sa.Uuid(), nullable=True),
        sa.Column("completed_at", sync.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_templates.id"],
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.create_index("ix_checklists_device_completed", ["device_id", "completed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_checklists_template_id"), ["template_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checklists_work_order_id"), ["work_order_id"], unique=False)

    op.create_table(
        "checklist_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("checklist_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("answered_by_id", sa.Uuid(), nullable=False),
        sa.Column("answered_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(["checklist_id"], ["checklists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("checklist_id", "item_key"),
    )


def downgrade() -> None:
    op.drop_table("checklist_answers")
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklists_work_order_id"))
        batch_op.drop_index(batch_op.f("ix_checklists_template_id"))
        batch_op.drop_index("ix_checklists_device_completed")

    op.drop_table("checklists")
    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_templates_key"))

    op.drop_table("checklist_templates")
