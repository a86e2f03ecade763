"""Exactly-once push: ledger, replays, gaps, rejections, transient failures (invariants 1–3)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from backend.db.engine import Database
from backend.domain.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderStatus
from sync import apply
from sync.models import LedgerEntry
from tests.factories import make_work_order, reload
from tests.integration.conftest import World
from tests.sync.conftest import Push, env


def _events(db: Database, wo_id: Any) -> list[str]:
    with db.read_session() as s:
        rows = s.exec(
            select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == wo_id).order_by(WorkOrderEvent.seq)
        ).all()
    return [r.kind.value for r in rows]


def test_envelopes_apply_once_in_order_and_replays_get_the_same_reply(
    db: Database, world: World, push: Push
) -> None:
    # given an assigned work order and three queued commands
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    batch = [
        env("phone-1", 1, "workorder.start", {"workOrderId": str(wo.id)}),
        env("phone-1", 2, "workorder.addNote", {"workOrderId": str(wo.id), "text": "Kablo değişti"}),
        env("phone-1", 3, "workorder.submit", {"workOrderId": str(wo.id)}),
    ]

    # when pushed, then pushed again whole (a lost acknowledgement), then out of order
    first = push(world.tech, "phone-1", batch)
    again = push(world.tech, "phone-1", batch)
    shuffled = push(world.tech, "phone-1", [batch[2], batch[0]])

    # then each applied exactly once and every replay answered identically
    assert [r.status for r in first.replies] == ["applied"] * 3
    assert again.replies == first.replies
    assert shuffled.replies == [first.replies[0], first.replies[2]]
    assert first.last_seq == again.last_seq == 3
    assert reload(db, WorkOrder, wo.id).status is WorkOrderStatus.SUBMITTED
    assert _events(db, wo.id) == ["created", "assigned", "started", "note", "submitted"]


def test_a_gap_changes_nothing_and_names_the_expected_seq(db: Database, world: World, push: Push) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)

    result = push(world.tech, "phone-1", [env("phone-1", 2, "workorder.start", {"workOrderId": str(wo.id)})])

    assert result.replies == []
    assert result.expected_seq == 1
    assert reload(db, WorkOrder, wo.id).status is WorkOrderStatus.ASSIGNED


def test_a_refused_command_is_recorded_and_the_queue_moves_on(db: Database, world: World, push: Push) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    batch = [
        env("p", 1, "workorder.submit", {"workOrderId": str(wo.id)}),  # not started: illegal
        env("p", 2, "workorder.start", {"workOrderId": str(wo.id)}),
        env("p", 3, "workorder.addNote", {"workOrderId": str(wo.id), "text": ""}),  # invalid input
        env("p", 4, "workorder.teleport", {}),  # unknown command
    ]

    result = push(world.tech, "p", batch)
    replay = push(world.tech, "p", batch[:1])

    assert [(r.status, r.code) for r in result.replies] == [
        ("rejected", "WORKORDER_ILLEGAL_TRANSITION"),
        ("applied", None),
        ("rejected", "VALIDATION_FAILED"),
        ("rejected", "COMMAND_UNKNOWN"),
    ]
    assert result.replies[0].params == {"status": "assigned", "action": "submit"}  # choices, not words
    assert replay.replies == result.replies[:1]
    assert reload(db, WorkOrder, wo.id).status is WorkOrderStatus.IN_PROGRESS


def test_a_reused_seq_with_another_body_is_refused_not_overwritten(
    db: Database, world: World, push: Push
) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    push(world.tech, "p", [env("p", 1, "workorder.start", {"workOrderId": str(wo.id)}, mid="m-1")])

    other = push(
        world.tech,
        "p",
        [env("p", 1, "workorder.addNote", {"workOrderId": str(wo.id), "text": "x"}, mid="m-2")],
    )

    assert [(r.status, r.code) for r in other.replies] == [("rejected", "SYNC_SEQ_REUSED")]
    assert _events(db, wo.id).count("note") == 0


def test_a_replay_with_the_same_mutation_id_but_another_body_is_refused(
    db: Database, world: World, push: Push
) -> None:
    # given a note applied as seq 1
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    note = {"workOrderId": str(wo.id), "text": "Kablo değişti"}
    first = push(world.tech, "p", [env("p", 1, "workorder.addNote", note, mid="m-1")])

    # when seq 1 comes again with the same mutation id: the same body (keys in another order),
    # then other args, another name, other base versions
    same = push(world.tech, "p", [env("p", 1, "workorder.addNote", dict(reversed(note.items())), mid="m-1")])
    edited = push(world.tech, "p", [env("p", 1, "workorder.addNote", {**note, "text": "x"}, mid="m-1")])
    renamed = push(world.tech, "p", [env("p", 1, "workorder.start", {"workOrderId": str(wo.id)}, mid="m-1")])
    rebased = push(world.tech, "p", [env("p", 1, "workorder.addNote", note, mid="m-1", base={"w": 1})])

    # then only the same body gets the stored reply; nothing is applied twice or overwritten
    assert same.replies == first.replies
    for other in (edited, renamed, rebased):
        assert [(r.status, r.code) for r in other.replies] == [("rejected", "SYNC_SEQ_REUSED")]
    assert _events(db, wo.id).count("note") == 1
    assert reload(db, WorkOrder, wo.id).status is WorkOrderStatus.ASSIGNED


def test_a_seq_repeated_in_one_batch_with_another_body_is_refused(
    db: Database, world: World, push: Push
) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    note = {"workOrderId": str(wo.id), "text": "bir"}

    result = push(
        world.tech,
        "p",
        [
            env("p", 1, "workorder.addNote", note, mid="m-1"),
            env("p", 1, "workorder.addNote", note, mid="m-1"),
            env("p", 1, "workorder.addNote", {**note, "text": "iki"}, mid="m-1"),
        ],
    )

    assert [(r.status, r.code) for r in result.replies] == [
        ("applied", None),
        ("applied", None),
        ("rejected", "SYNC_SEQ_REUSED"),
    ]
    assert _events(db, wo.id).count("note") == 1


def test_ledger_rows_without_a_body_hash_are_replayed_by_mutation_id(
    db: Database, world: World, push: Push
) -> None:
    # given a ledger row written before bodies were hashed
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    note = {"workOrderId": str(wo.id), "text": "eski"}
    first = push(world.tech, "p", [env("p", 1, "workorder.addNote", note, mid="m-1")])
    with db.write_session() as s:
        stored = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == "p")).one()
        assert stored.body_hash == apply.body_hash(env("p", 1, "workorder.addNote", note))
        stored.body_hash = None
        s.add(stored)

    # when it is replayed with another body, then it is accepted as before
    replay = push(world.tech, "p", [env("p", 1, "workorder.addNote", {**note, "text": "x"}, mid="m-1")])

    assert replay.replies == first.replies
    assert _events(db, wo.id).count("note") == 1


def test_the_body_hash_is_canonical_json_of_what_the_envelope_asks() -> None:
    a = env("p", 1, "workorder.addNote", {"text": "ş", "workOrderId": "w"}, base={"b": 2, "a": 1})
    b = env("q", 7, "workorder.addNote", {"workOrderId": "w", "text": "ş"}, mid="x", base={"a": 1, "b": 2})
    canonical = '{"args":{"text":"\\u015f","workOrderId":"w"},"baseVersions":{"a":1,"b":2},"blobRefs":[],'
    canonical += '"name":"workorder.addNote"}'

    # the client, seq and mutation id are not part of the body
    assert apply.body_hash(a) == apply.body_hash(b) == hashlib.sha256(canonical.encode()).hexdigest()
    # a lone surrogate (refused as malformed, still recorded) hashes too
    assert len(apply.body_hash(env("p", 1, "x", {"t": "\ud800"}))) == 64


def test_a_client_id_belongs_to_one_person(db: Database, world: World, push: Push) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    push(world.tech, "shared-phone", [env("shared-phone", 1, "workorder.start", {"workOrderId": str(wo.id)})])

    with pytest.raises(apply.ClientMismatchError):
        push(
            world.manager,
            "shared-phone",
            [env("shared-phone", 2, "workorder.addNote", {"workOrderId": str(wo.id), "text": "x"})],
        )


def test_a_transient_failure_commits_nothing_and_a_retry_applies_once(
    db: Database, world: World, push: Push, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a batch whose third command hits a failure that is not the user's fault
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    batch = [
        env("p", 1, "workorder.start", {"workOrderId": str(wo.id)}),
        env("p", 2, "workorder.addNote", {"workOrderId": str(wo.id), "text": "bir"}),
        env("p", 3, "workorder.addNote", {"workOrderId": str(wo.id), "text": "iki"}),
    ]
    from backend.domain.workorders import commands

    real = commands.add_note
    calls = {"n": 0}

    def flaky(ctx: Any, inp: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("database went away")
        return real(ctx, inp)

    from backend.domain.commands import registry

    cmd = registry.get("workorder.addNote")
    monkeypatch.setitem(
        registry._commands, "workorder.addNote", type(cmd)(**{**cmd.__dict__, "handler": flaky})
    )

    # when pushed: the batch fails as a whole
    with pytest.raises(ConnectionError):
        push(world.tech, "p", batch)
    assert reload(db, WorkOrder, wo.id).status is WorkOrderStatus.ASSIGNED

    # then the retry applies everything exactly once
    result = push(world.tech, "p", batch)
    assert [r.status for r in result.replies] == ["applied"] * 3
    assert _events(db, wo.id) == ["created", "assigned", "started", "note", "note"]
    with db.read_session() as s:
        assert s.exec(select(func.count()).select_from(WorkOrderEvent)).one() == 5


def test_a_seq_repeated_inside_one_batch_gets_the_same_reply(db: Database, world: World, push: Push) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    start = env("p", 1, "workorder.start", {"workOrderId": str(wo.id)})

    result = push(world.tech, "p", [start, start, start])

    assert len(result.replies) == 3
    assert result.replies[0] == result.replies[1] == result.replies[2]
    assert result.replies[0].result is not None
    assert _events(db, wo.id).count("started") == 1
