"""A person's sync client for tests: an outbox that numbers envelopes 1, 2, 3 … and pushes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from backend.domain.people.models import User
from sync.protocol import Reply
from tests.sync.conftest import Push, env


def wire(value: Any) -> Any:
    """What a phone's outbox holds: plain JSON (ids as strings)."""
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    return str(value) if isinstance(value, uuid.UUID) else value


@dataclass
class Phone:
    push: Push
    user: User
    client: str
    seq: int = 0

    def send(self, *commands: tuple[str, dict[str, Any]]) -> list[Reply]:
        """Queue ``commands`` (name, args) and push them in one batch; one reply each."""
        envelopes = []
        for name, args in commands:
            self.seq += 1
            envelopes.append(env(self.client, self.seq, name, wire(args)))
        result = self.push(self.user, self.client, envelopes)
        assert len(result.replies) == len(commands), result
        return list(result.replies)
