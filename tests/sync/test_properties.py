"""Property: any mix of duplicated, reordered, lost and replayed batches ends in the same state as
applying each ``(clientId, seq)`` once, in order — with identical replies to every replay.

Each simulated phone works on its own work order, so the reference outcome does not depend on
how the phones interleave; within a phone, ``seq`` order is the only order that can apply.
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from backend.db.engine import Database
from backend.domain.commands import load_all_commands
from backend.domain.models import metadata
from backend.domain.people.auth import actor_for
from backend.domain.people.models import Role, User
from backend.domain.sync_adapter import command_runner
from backend.domain.workorders.models import WorkOrder, WorkOrderEvent
from sync import apply
from sync.protocol import Envelope, Reply
from tests.factories import make_site, make_user, make_work_order
from tests.signing_support import TEST_KEYS

PHONES = 3
STEPS = [
    ("workorder.start", {}),
    ("workorder.addNote", {"text": "ilk not"}),
    ("workorder.submit", {}),  # fine after start
    ("workorder.addNote", {"text": ""}),  # rejected: empty
    ("workorder.start", {}),  # rejected: already submitted
    ("workorder.addNote", {"text": "son not"}),
]


def _fresh(db_url: str, template: Path, tmp: Path) -> Database:
    if db_url.startswith("sqlite"):
        target = tmp / f"{uuid.uuid4().hex}.db"
        shutil.copy(template, target)
        return Database(f"sqlite:///{target}")
    db = Database(db_url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


def _world(db: Database) -> tuple[User, list[WorkOrder]]:
    admin = make_user(db, Role.ADMIN)
    manager = make_user(db, Role.MANAGER)
    tech = make_user(db, Role.TECHNICIAN)
    site = make_site(db, admin, cidr="10.9.9.0/24")
    return tech, [make_work_order(db, manager, site, assignee=tech) for _ in range(PHONES)]


def _queues(orders: list[WorkOrder], lengths: list[int]) -> list[list[Envelope]]:
    queues = []
    for phone, (wo, n) in enumerate(zip(orders, lengths, strict=True)):
        client = f"phone-{phone}"
        queues.append(
            [
                Envelope(
                    client_id=client,
                    seq=i + 1,
                    mutation_id=f"{client}-m{i + 1}",
                    name=name,
                    args={"workOrderId": str(wo.id), **args},
                )
                for i, (name, args) in enumerate(STEPS[:n])
            ]
        )
    return queues


def _push(db: Database, tech: User, client: str, batch: list[Envelope]) -> list[Reply]:
    actor = actor_for(tech)
    now = datetime.now(UTC)
    result = db.run_write(
        lambda s: apply.push(
            s,
            client_id=client,
            user_id=actor.id,
            envelopes=batch,
            run=command_runner(actor, now, TEST_KEYS),
            now=now,
        )
    )
    return result.replies


def _state(db: Database) -> list[Any]:
    with db.read_session() as s:
        orders = s.exec(select(WorkOrder).order_by(WorkOrder.title, WorkOrder.created_at)).all()
        number = {wo.id: i for i, wo in enumerate(sorted(orders, key=lambda w: w.number))}
        events = s.exec(select(WorkOrderEvent)).all()
        return sorted(
            [("wo", number[w.id], w.status.value, w.version) for w in orders]
            # (assignment lines carry the assignee's generated name, which differs per database)
            + [
                (
                    "ev",
                    number[e.work_order_id],
                    e.seq,
                    e.kind.value,
                    e.text if e.kind.value == "note" else None,
                )
                for e in events
            ]
        )


def _normal(reply: Reply) -> tuple[Any, ...]:
    result = dict(reply.result or {})
    result.pop("id", None)  # ids differ between the two databases; everything else must match
    return (
        reply.seq,
        reply.mutation_id,
        reply.status,
        reply.code,
        reply.field,
        tuple(sorted(reply.params.items())),
        tuple(sorted(result.items())),
    )


deliveries = st.lists(
    st.tuples(st.integers(0, PHONES - 1), st.lists(st.integers(1, len(STEPS)), max_size=8)),
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lengths=st.lists(st.integers(1, len(STEPS)), min_size=PHONES, max_size=PHONES), schedule=deliveries)
def test_any_delivery_ends_like_applying_each_seq_once(
    db_url: str,
    sqlite_template: Path,
    tmp_path: Path,
    lengths: list[int],
    schedule: list[tuple[int, list[int]]],
) -> None:
    load_all_commands()
    # reference: every phone's queue delivered once, in order
    ref_db = _fresh(db_url, sqlite_template, tmp_path)
    tech, orders = _world(ref_db)
    reference: dict[tuple[str, int], tuple[Any, ...]] = {}
    for queue in _queues(orders, lengths):
        for reply in _push(ref_db, tech, queue[0].client_id, queue):
            reference[(queue[0].client_id, reply.seq)] = _normal(reply)
    expected_state = _state(ref_db)
    ref_db.dispose()

    # the network: batches with duplicates, reordering and losses, then retries until all acked
    db = _fresh(db_url, sqlite_template, tmp_path)
    tech, orders = _world(db)
    queues = _queues(orders, lengths)
    seen: dict[tuple[str, int], tuple[Any, ...]] = {}

    def deliver(phone: int, seqs: list[int]) -> None:
        queue = queues[phone]
        batch = [queue[s - 1] for s in seqs if s <= len(queue)]
        for reply in _push(db, tech, queue[0].client_id, batch):
            key = (queue[0].client_id, reply.seq)
            normal = _normal(reply)
            assert seen.setdefault(key, normal) == normal, "a replay got a different reply"

    for phone, seqs in schedule:
        deliver(phone, seqs)
    for phone, queue in enumerate(queues):  # the device retries its whole outbox
        deliver(phone, [e.seq for e in queue])
        deliver(phone, [e.seq for e in queue])

    assert seen == reference
    assert _state(db) == expected_state
    db.dispose()


@pytest.fixture(autouse=True)
def _no_db_fixture_needed() -> None:
    """These tests build their own databases per example."""
