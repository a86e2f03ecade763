"""signatures: passkeys, peppered PIN verifiers, evidence

The retired PIN scheme (SCRAM-like proofs, 2026-11) let a copy of the database recover signing
keys and let any party test a co-signer's PIN offline. This revision removes every stored part of
it: the users' salts, iteration counts and stored keys, and the proofs kept on signatures.
Signatures made with it stay, marked method = pin_v1 (verified by the server when they
arrived; sealed PDFs keep verifying, their seal does not depend on the proofs). People set a new
PIN (peppered Argon2id verifier, signing_pins) or register a passkey.

Revision ID: 260d4262b1c0
Revises: 935d948e8425
Create Date: 2026-12-05 08:46:32.608025+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.types

revision: str = "260d4262b1c0"
down_revision: str | None = "935d948e8425"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sqlmodel.sql.sqltypes.AutoString(length=1400), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("aaguid", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("transports", sa.JSON(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("backed_up", sa.Boolean(), nullable=False),
        sa.Column("created_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sync.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sync.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
    )
    with op.batch_alter_table("passkeys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passkeys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "signing_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("signer_id", sa.Uuid(), nullable=False),
        sa.Column("captured_by_id", sa.Uuid(), nullable=False),
        sa.Column("at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["captured_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signing_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signing_failures_pair_at", ["signer_id", "captured_by_id", "at"], unique=False
        )

    op.create_table(
        "signing_pins",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("verifier", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("params", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("set_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "signature_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("signature_id", sa.Uuid(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("passkey", "pin", "pin_v1", name="signaturemethod", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("passkey_id", sa.Uuid(), nullable=True),
        sa.Column("assertion", sa.JSON(), nullable=True),
        sa.Column("message_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("pin_set_at", sync.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sync.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["passkey_id"],
            ["passkeys.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signature_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signature_evidence_signature_id"), ["signature_id"], unique=True)

    with op.batch_alter_table("minutes_signatures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "method",
                sa.Enum("passkey", "pin", "pin_v1", name="signaturemethod", native_enum=False, length=32),
                nullable=False,
                server_default="pin_v1",  # every signature so far was made with the retired scheme
            )
        )
        batch_op.drop_column("proof")
    with op.batch_alter_table("minutes_signatures", schema=None) as batch_op:
        batch_op.alter_column("method", server_default=None)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signing_pin_set_at", sync.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_column("signing_iterations")
        batch_op.drop_column("signing_salt")
        batch_op.drop_column("signing_key")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_key", sa.VARCHAR(length=64), nullable=True))
        batch_op.add_column(sa.Column("signing_salt", sa.VARCHAR(length=64), nullable=True))
        batch_op.add_column(sa.Column("signing_iterations", sa.INTEGER(), nullable=True))
        batch_op.drop_column("signing_pin_set_at")

    with op.batch_alter_table("minutes_signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proof", sa.VARCHAR(length=64), nullable=False, server_default=""))
        batch_op.drop_column("method")

    with op.batch_alter_table("signature_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_evidence_signature_id"))

    op.drop_table("signature_evidence")
    op.drop_table("signing_pins")
    with op.batch_alter_table("signing_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_signing_failures_pair_at")

    op.drop_table("signing_failures")
    with op.batch_alter_table("passkeys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passkeys_user_id"))

    op.drop_table("passkeys")
