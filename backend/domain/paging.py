"""Listing helpers shared by every list query: page limits, counting, text search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, SQLModel, select

from backend.domain.errors import DomainError, ErrorCode

MAX_PAGE = 200
M = TypeVar("M", bound=SQLModel)


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            field="limit",
            params={"detail": f"limit 1–{MAX_PAGE}, offset ≥ 0"},
        )


def page(
    session: Session,
    model: type[M],
    conds: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    offset: int,
) -> tuple[Sequence[M], int]:
    """One page of ``model`` rows matching ``conds``, and how many match in all."""
    check_page(limit, offset)
    total = session.exec(select(func.count()).select_from(model).where(*conds)).one()
    rows = session.exec(select(model).where(*conds).order_by(*order_by).limit(limit).offset(offset)).all()
    return rows, int(total)


def contains_any(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive "contains" over several text columns."""
    like = f"%{text.strip().lower()}%"
    return or_(*(func.lower(column).like(like) for column in columns))
