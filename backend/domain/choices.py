"""Base of every domain enum: stored by value, also accepted by name in any case.

Clients send ``"MAINTENANCE"`` (the GraphQL spelling) or ``"maintenance"`` (the stored value);
both mean the same choice. Anything else is still refused by validation.
"""

from __future__ import annotations

import enum


class Choice(enum.StrEnum):
    @classmethod
    def _missing_(cls, value: object) -> Choice | None:
        if isinstance(value, str):
            for member in cls:
                if value in (member.value, member.name) or value.lower() == member.value:
                    return member
        return None
