"""Base of every domain enum: stored by value, also accepted by name in any case.

Clients send ``"MAINTENANCE"`` (the GraphQL spelling) or ``"maintenance"`` (the stored value);
both mean the same choice. Anything else is still refused by validation.
"""

from __future__ import annotations

import enum


class Choice(enum.StrEnum):
    @classmethod
    def _missing_(cls, value: object) -> Choice | None:
        if not isinstance(value, str):
            return None
        spellings: dict[str, Choice] | None = cls.__dict__.get("_spellings_")
        if spellings is None:  # built on first use: one lookup, not a walk over the members
            spellings = {}
            for member in cls:
                spellings.setdefault(member.name, member)
                spellings.setdefault(member.value, member)
            type.__setattr__(cls, "_spellings_", spellings)
        return spellings.get(value) or spellings.get(value.lower())
