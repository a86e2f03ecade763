"""sync: the database's epoch in pull cursors

A random ``database_epoch`` in ``sync_meta``: pull cursors carry it, and a cursor of another
epoch (another database, or one renewed after a restore) is answered with ``reset``.

On SQLite ``sync_changes`` becomes ``AUTOINCREMENT``: a plain rowid table hands out seq 1 again
once pruning has emptied the log, and devices whose cursors are further on would skip every new
change. The sequence starts past both the log and its pruned part.

Revision ID: a11a00000005
Revises: a10d00000004
Create Date: 2026-12-05 17:00:00+00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a11a00000005"
down_revision: str | None = "a10d00000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_META = sa.table("sync_meta", sa.column("key", sa.String), sa.column("value", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    op.execute(_META.delete().where(_META.c.key == "database_epoch"))
    op.execute(_META.insert().values(key="database_epoch", value=secrets.token_hex(8)))
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL sequences never hand a value out twice
    with op.batch_alter_table(
        "sync_changes", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), autoincrement=True)
    pruned = bind.execute(
        sa.text("SELECT CAST(value AS INTEGER) FROM sync_meta WHERE key = 'changes_pruned_through'")
    ).scalar()
    logged = bind.execute(sa.text("SELECT MAX(seq) FROM sync_changes")).scalar()
    start = max(int(pruned or 0), int(logged or 0))
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'sync_changes'"))
    bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('sync_changes', :s)"), {"s": start})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table(
            "sync_changes", recreate="always", table_kwargs={"sqlite_autoincrement": False}
        ) as batch:
            batch.alter_column("seq", existing_type=sa.Integer(), autoincrement=True)
    op.execute(_META.delete().where(_META.c.key == "database_epoch"))
