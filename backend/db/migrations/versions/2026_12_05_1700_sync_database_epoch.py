"""sync: the database's epoch in pull cursors

(Placeholder reserved for this change; filled in by the commit that needs it.)

Revision ID: a11a00000005
Revises: a10d00000004
Create Date: 2026-12-05 17:00:00+00:00
"""

from collections.abc import Sequence

revision: str = "a11a00000005"
down_revision: str | None = "a10d00000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
