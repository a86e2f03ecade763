"""uploads: state for an S3-compatible object store

(Placeholder reserved for this change; filled in by the commit that needs it.)

Revision ID: a11b00000006
Revises: a11a00000005
Create Date: 2026-12-05 17:00:00+00:00
"""

from collections.abc import Sequence

revision: str = "a11b00000006"
down_revision: str | None = "a11a00000005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
