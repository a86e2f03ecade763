"""sync: push fast path

(Placeholder reserved for this change; filled in by the commit that needs it.)

Revision ID: a11c00000007
Revises: a11b00000006
Create Date: 2026-12-05 17:00:00+00:00
"""

from collections.abc import Sequence

revision: str = "a11c00000007"
down_revision: str | None = "a11b00000006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
