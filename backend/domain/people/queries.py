"""Reading people."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from backend.domain.people.models import Role, User


def active_technicians(session: Session) -> Sequence[User]:
    return (
        session.exec(
            select(User)
            .where(User.role == Role.TECHNICIAN, col(User.is_active).is_(True))
            .order_by(col(User.full_name))
        )
    ).all()
