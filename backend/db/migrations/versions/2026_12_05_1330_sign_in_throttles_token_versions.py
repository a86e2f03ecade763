"""hardening: sign-in throttles, token versions

Revision ID: a10a00000001
Revises: 260d4262b1c0
Create Date: 2026-12-05 13:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "a10a00000001"
down_revision: str | None = "260d4262b1c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
