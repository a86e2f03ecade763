"""Helpers for sync tests: push envelopes through the real core with the backend's commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from backend.db.engine import Database
from backend.domain.commands import load_all_commands
from backend.domain.people.auth import actor_for
from backend.domain.people.models import User
from backend.domain.sync_adapter import PersonSource, command_runner
from sync import apply, pull
from sync.protocol import Envelope, PullPage, PushResult
from tests.integration.conftest import World, world  # noqa: F401 - fixture re-export
from tests.signing_support import TEST_KEYS


def env(
    client: str,
    seq: int,
    name: str,
    args: dict[str, Any],
    *,
    mid: str | None = None,
    base: dict[str, int] | None = None,
) -> Envelope:
    return Envelope(
        client_id=client,
        seq=seq,
        mutation_id=mid or f"{client}-{seq}",
        name=name,
        args=args,
        base_versions=base or {},
    )


Push = Callable[..., PushResult]


@pytest.fixture
def push(db: Database) -> Push:
    load_all_commands()

    def do(user: User, client: str, envelopes: list[Envelope]) -> PushResult:
        actor = actor_for(user)
        now = datetime.now(UTC)
        return db.run_write(
            lambda s: apply.push(
                s,
                client_id=client,
                user_id=actor.id,
                envelopes=envelopes,
                run=command_runner(actor, now, TEST_KEYS),
                now=now,
            )
        )

    return do


@pytest.fixture
def pull_all(
    db: Database,
) -> Callable[..., tuple[dict[tuple[str, str], dict[str, Any]], str, list[PullPage]]]:
    def do(
        user: User,
        cursor: str | None = None,
        limit: int = 50,
        state: dict[tuple[str, str], dict[str, Any]] | None = None,
    ):  # type: ignore[no-untyped-def]
        source = PersonSource(actor_for(user))
        state = {} if state is None else state
        pages = []
        while True:
            page = db.run_read(lambda s, c=cursor: pull.pull(s, source, c, limit=limit))
            pages.append(page)
            if page.reset:
                state.clear()
            for ch in page.changes:
                key = (ch.entity, str(ch.id))
                if ch.op == "delete":
                    state.pop(key, None)
                else:
                    assert ch.data is not None
                    state[key] = ch.data
            cursor = page.next_cursor
            if not page.has_more:
                return state, cursor, pages

    return do
