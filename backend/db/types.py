"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa

from sync.types import UTCDateTime

__all__ = ["UTCDateTime", "enum_type", "utcnow"]


def enum_type(enum_cls: type[enum.Enum]) -> sa.Enum:
    """A portable enum column: VARCHAR holding the member *values*, no native PG enum type.

    Native enums make every new value a migration that locks the table; a string column with
    validation in Python keeps migrations trivial on both databases.
    """
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)
