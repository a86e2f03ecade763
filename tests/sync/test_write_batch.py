"""The write batch (sync.changes.WriteBatch): a push written set-based leaves exactly what pushing
the same envelopes one at a time leaves — rows, timelines, change log, refusals."""

# ruff: noqa: F811 - the sync tests' fixtures are imported as fixtures

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from backend.db.engine import Database
from backend.domain.workorders.models import WorkOrder, WorkOrderDevice, WorkOrderEvent, WorkOrderEventKind
from sync.models import ChangeLog, Conflict
from tests.factories import make_work_order, reload, run
from tests.integration.conftest import World
from tests.sync.conftest import Push, env, push  # noqa: F401 - fixture

SKIP = {"id", "number", "created_at", "updated_at", "submitted_at", "at"}


def _script(
    world: World, x: uuid.UUID, y: uuid.UUID, z: uuid.UUID, base_z: int
) -> list[tuple[str, dict[str, Any]]]:
    wo = lambda i: {"workOrderId": str(i)}  # noqa: E731
    return [
        (
            "workorder.create",
            {
                "id": str(x),
                "type": "MAINTENANCE",
                "title": "Bakım X",
                "siteId": str(world.site_north.id),
                "assigneeId": str(world.tech.id),
                "deviceIds": [str(world.cam_north.id)],
            },
        ),
        ("workorder.addNote", {**wo(x), "text": "ilk not"}),
        ("workorder.update", {**wo(x), "title": "Bakım X (düzeltildi)", "priority": "HIGH"}),
        ("workorder.addNote", {**wo(x), "text": ""}),  # refused: empty note
        ("workorder.assign", {**wo(x), "assigneeId": str(world.tech_south.id)}),  # who sees X changes
        ("workorder.addNote", {**wo(x), "text": "devredildi"}),
        ("workorder.close", wo(x)),  # refused: not approved
        (
            "workorder.create",
            {"id": str(y), "type": "FAULT", "title": "Arıza Y", "siteId": str(world.site_north.id)},
        ),
        ("workorder.start", wo(y)),  # refused: a draft is not started
        (
            "workorder.create",
            {"id": str(y), "type": "FAULT", "title": "Arıza Y", "siteId": str(world.site_north.id)},
        ),  # the same create again: no-op
        ("workorder.addNote", {**wo(y), "text": "taslak notu"}),
        ("workorder.update", {**wo(z), "title": "Cihazın başlığı", "description": "açıklama"}),
        ("workorder.addNote", {**wo(uuid.uuid4()), "text": "yok"}),  # refused: no such order
        ("workorder.addNote", {**wo(z), "text": "z notu"}),
    ] + [("workorder.addNote", {**wo(x if i % 2 else y), "text": f"n{i}"}) for i in range(6)]


def _outcome(db: Database, ids: dict[uuid.UUID, str], since: int) -> dict[str, Any]:
    """What the pushes left, with the work orders' ids replaced by their role in the script."""
    with db.read_session() as s:
        orders = {
            ids[o.id]: {k: v for k, v in o.model_dump().items() if k not in SKIP}
            for o in s.exec(select(WorkOrder).where(col(WorkOrder.id).in_(ids))).all()
        }
        events = sorted(
            (ids[e.work_order_id], e.seq, e.kind.value, e.text, e.from_status, e.to_status, repr(e.changes))
            for e in s.exec(select(WorkOrderEvent).where(col(WorkOrderEvent.work_order_id).in_(ids))).all()
        )
        links = sorted(
            (ids[d.work_order_id], str(d.device_id))
            for d in s.exec(select(WorkOrderDevice).where(col(WorkOrderDevice.work_order_id).in_(ids))).all()
        )
        event_ids = {
            e.id: ids[e.work_order_id]
            for e in s.exec(select(WorkOrderEvent).where(col(WorkOrderEvent.work_order_id).in_(ids))).all()
        }
        log = [
            (
                c.entity,
                ids.get(c.entity_id) or f"event of {event_ids.get(c.entity_id, '?')}",
                c.version,
                c.op,
                [f for f in c.fields if f != "updated_at"],  # one clock reading per push
                str(c.revoke_user_id),
            )
            for c in s.exec(
                select(ChangeLog).where(col(ChangeLog.seq) > since).order_by(col(ChangeLog.seq))
            ).all()
            if c.entity_id in ids or c.entity_id in event_ids
        ]
        conflicts = sorted(
            (ids[c.entity_id], c.field, str(c.client_value), str(c.server_value))
            for c in s.exec(select(Conflict).where(col(Conflict.entity_id).in_(ids))).all()
        )
    return {"orders": orders, "events": events, "links": links, "log": log, "conflicts": conflicts}


def _last_change(db: Database) -> int:
    with db.read_session() as s:
        return s.exec(select(ChangeLog.seq).order_by(col(ChangeLog.seq).desc())).first() or 0


def _prepared(db: Database, world: World) -> tuple[uuid.UUID, int]:
    """A work order the manager edits online after the phone last saw it (a conflict to come)."""
    z = make_work_order(db, world.manager, world.site_north, assignee=world.tech).id
    base = reload(db, WorkOrder, z).version
    run(db, world.admin, "workorder.update", {"work_order_id": z, "title": "Yöneticinin başlığı"})
    return z, base


def test_a_batched_push_leaves_what_one_envelope_per_push_leaves(
    db: Database, world: World, push: Push
) -> None:
    # given: the same script of creates, notes, edits, a reassignment, a conflict and refusals,
    # for two sets of work orders
    runs = []
    for client in ("batch", "one-by-one"):
        x, y = uuid.uuid4(), uuid.uuid4()
        z, base_z = _prepared(db, world)
        since = _last_change(db)
        script = _script(world, x, y, z, base_z)
        envelopes = [
            env(client, i + 1, name, args, base={f"workOrder:{z}": base_z} if str(z) in str(args) else None)
            for i, (name, args) in enumerate(script)
        ]
        # when: pushed as one batch, or one envelope per push
        if client == "batch":
            replies = push(world.manager, client, envelopes).replies
        else:
            replies = [r for e in envelopes for r in push(world.manager, client, [e]).replies]
        runs.append(([(r.status, r.code) for r in replies], _outcome(db, {x: "X", y: "Y", z: "Z"}, since)))

    # then: the same replies and the same rows, timelines, change log and conflicts
    (batch_replies, batch), (one_replies, one) = runs
    assert batch_replies == one_replies
    assert [s for s, _ in batch_replies].count("rejected") == 4
    for part in ("orders", "events", "links", "conflicts", "log"):
        assert batch[part] == one[part], part
    assert batch["conflicts"] == [("Z", "title", "Cihazın başlığı", "Yöneticinin başlığı")]
    assert (
        "workOrder",
        "X",
        5,
        "upsert",
        ["assignee_id", "version"],
        str(world.tech.id),
    ) in batch["log"]


def test_a_refused_envelope_in_a_batch_is_not_rolled_back_and_others_still_apply(
    db: Database, world: World, push: Push
) -> None:
    # given: notes on a work order, one of them on an order the technician cannot see
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    other = make_work_order(db, world.manager, world.site_north, assignee=world.tech_south)
    start = reload(db, WorkOrder, wo.id).version
    untouched = reload(db, WorkOrder, other.id).version
    names = ["workorder.start"] + ["workorder.addNote"] * 6
    args = [{"workOrderId": str(wo.id)}] + [
        {"workOrderId": str(other.id if i == 2 else wo.id), "text": f"not {i}"} for i in range(6)
    ]
    # when
    result = push(
        world.tech, "tel", [env("tel", i + 1, n, a) for i, (n, a) in enumerate(zip(names, args, strict=True))]
    )
    # then: the invisible one NOT_FOUND, the rest applied in order, versions without gaps
    assert [(r.status, r.code) for r in result.replies] == [("applied", None)] * 3 + [
        ("rejected", "NOT_FOUND")
    ] + [("applied", None)] * 3
    assert [r.result["version"] for r in result.replies if r.result] == list(range(start + 1, start + 7))
    assert reload(db, WorkOrder, other.id).version == untouched
    with db.read_session() as s:
        texts = s.exec(
            select(WorkOrderEvent.text)
            .where(WorkOrderEvent.work_order_id == wo.id, WorkOrderEvent.kind == WorkOrderEventKind.NOTE)
            .order_by(col(WorkOrderEvent.seq))
        ).all()
    assert texts == ["not 0", "not 1", "not 3", "not 4", "not 5"]


def test_a_run_of_creates_takes_its_numbers_in_one_block_and_leaves_no_gap(
    db: Database, world: World, push: Push
) -> None:
    # given: creates, some refused before they take a number (unknown site), the last one too
    def create(site: uuid.UUID) -> dict[str, Any]:
        return {"id": str(uuid.uuid4()), "type": "FAULT", "title": "Arıza", "siteId": str(site)}

    north, nowhere = world.site_north.id, uuid.uuid4()
    sites = [north, north, nowhere, north, nowhere, north, nowhere]
    first = make_work_order(db, world.manager, world.site_north)
    # when: pushed in one batch, then one more created online
    result = push(
        world.manager, "tel", [env("tel", i + 1, "workorder.create", create(s)) for i, s in enumerate(sites)]
    )
    after = make_work_order(db, world.manager, world.site_north)
    # then: the applied creates numbered right after the one before, the online one right after
    assert [r.code for r in result.replies] == [None, None, "NOT_FOUND", None, "NOT_FOUND", None, "NOT_FOUND"]
    year = first.number.split("-")[1]
    start = int(first.number.rsplit("-", 1)[1])
    numbers = [reload(db, WorkOrder, uuid.UUID(r.result["id"])).number for r in result.replies if r.result]
    assert numbers == [f"IE-{year}-{start + i:06d}" for i in (1, 2, 3, 4)]
    assert after.number == f"IE-{year}-{start + 5:06d}"
