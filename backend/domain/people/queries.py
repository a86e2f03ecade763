"""Reading people."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.domain.people.models import Role, User


async def active_technicians(session: AsyncSession) -> Sequence[User]:
    return (
        await session.exec(
            select(User)
            .where(User.role == Role.TECHNICIAN, col(User.is_active).is_(True))
            .order_by(col(User.full_name))
        )
    ).all()
