"""hardening: client diagnoses as evidence, proposals, timeline values

Revision ID: a10c00000003
Revises: a10b00000002
Create Date: 2026-12-05 13:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "a10c00000003"
down_revision: str | None = "a10b00000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
