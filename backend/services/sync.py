"""The sync protocol's two operations for a signed-in person (``docs/sync-protocol.md``).

The GraphQL resolvers parse the wire format and map the outcome; the checks of a request as a
whole live here — the ``clientId``, the batch size, the page size — and the sync core
(``sync.apply``, ``sync.pull``) does the rest with what the domain hands it
(``backend.domain.sync_adapter``). A single envelope's problems are never the batch's: the core
rejects that envelope alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.permissions import Actor
from backend.domain.signing.keys import SigningKeys
from backend.domain.sync_adapter import PersonSource, command_runner
from sync import apply
from sync import pull as pull_core
from sync.protocol import Envelope, PullPage, PushResult

MAX_BATCH = 500  # envelopes per push
MAX_PULL = 2000  # records per pulled page
MAX_CLIENT_ID = 64


async def push(
    db: Database,
    actor: Actor,
    client_id: str,
    envelopes: Sequence[Envelope],
    signing: SigningKeys | None = None,
) -> PushResult:
    """Apply ``envelopes`` of ``client_id`` exactly once, in seq order, in one transaction.

    VALIDATION_FAILED for a ``clientId`` of 0 or more than 64 characters, SYNC_BATCH_TOO_LARGE
    above ``MAX_BATCH`` envelopes, SYNC_CLIENT_MISMATCH when the client belongs to another person.
    """
    if not 1 <= len(client_id) <= MAX_CLIENT_ID:
        raise DomainError(ErrorCode.VALIDATION_FAILED, field="clientId", params={"detail": "clientId"})
    if len(envelopes) > MAX_BATCH:
        raise DomainError(ErrorCode.SYNC_BATCH_TOO_LARGE, params={"max": MAX_BATCH})
    batch = list(envelopes)
    now = datetime.now(UTC)
    run = command_runner(actor, now, signing)
    try:
        return await db.write(
            lambda session: apply.push(
                session, client_id=client_id, user_id=actor.id, envelopes=batch, run=run, now=now
            )
        )
    except apply.ClientMismatchError:
        raise DomainError(ErrorCode.SYNC_CLIENT_MISMATCH, field="clientId") from None


async def pull(db: Database, actor: Actor, cursor: str | None, limit: int) -> PullPage:
    """A snapshot, then the changes since ``cursor``, of what ``actor`` may see; VALIDATION_FAILED
    on ``limit`` outside 1–``MAX_PULL``."""
    if not 1 <= limit <= MAX_PULL:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, field="limit", params={"detail": f"limit 1–{MAX_PULL}"}
        )
    source = PersonSource(actor)
    return await db.read(lambda session: pull_core.pull(session, source, cursor, limit=limit))
