"""Work orders freeze at submission, and the timeline keeps old → new values of every edit —
through GraphQL (the mutations, the timeline query, syncPush/syncPull over HTTP) and through the
sync core, with conflict merging still working."""

# ruff: noqa: F811 - the sync tests' `push` fixture is imported as a fixture

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from backend.db.engine import Database
from backend.domain.workorders.models import WorkOrder, WorkOrderAttachment, WorkOrderEvent
from sync.models import Conflict
from tests.conftest import GQL
from tests.factories import make_work_order, reload, run
from tests.integration.conftest import World
from tests.sync.conftest import Push, env, push  # noqa: F401 - fixture
from tests.sync.phones import Phone

PUSH = """mutation($c: String!, $e: [SyncEnvelopeInput!]!) { r: syncPush(clientId: $c, envelopes: $e) {
  __typename ... on SyncPushResult { replies { seq status code message field } }
  ... on OperationError { code } } }"""
PULL = """query { syncPull(limit: 500) { changes { entity id data } } }"""
TIMELINE = """query($id: ID!) { workOrder(id: $id) { title priority dueOn
  timeline { kind text changes { field before after } } } }"""
SUBMIT = """mutation($i: SubmitWorkOrderInput!) { r: submitWorkOrder(input: $i) {
  __typename ... on OperationError { code } } }"""
RETURN = """mutation($i: ReturnWorkOrderInput!) { r: returnWorkOrder(input: $i) {
  __typename ... on OperationError { code } } }"""
NOTE = """mutation($i: AddWorkOrderNoteInput!) { r: addWorkOrderNote(input: $i) {
  __typename ... on OperationError { code } } }"""
PHOTO = "ab" * 32


def _started(db: Database, world: World) -> WorkOrder:
    return make_work_order(
        db, world.manager, world.site_north, assignee=world.tech, steps=[(world.tech, "workorder.start", {})]
    )


def _update(wo: WorkOrder, **fields: Any) -> tuple[str, dict[str, Any]]:
    return ("workorder.update", {"workOrderId": wo.id, **fields})


def _attach(wo: WorkOrder) -> tuple[str, dict[str, Any]]:
    args = {"id": uuid.uuid4(), "workOrderId": wo.id, "blobSha256": PHOTO, "contentType": "image/jpeg"}
    return ("workorder.attach", args)


def _edits(db: Database, wo: WorkOrder) -> list[list[dict[str, Any]] | None]:
    with db.read_session() as s:
        rows = s.exec(
            select(WorkOrderEvent).where(
                WorkOrderEvent.work_order_id == wo.id, WorkOrderEvent.kind == "edited"
            )
        ).all()
    return [r.changes for r in sorted(rows, key=lambda r: r.seq)]


def test_edits_and_attachments_freeze_at_submission_notes_stay_open(
    db: Database, world: World, push: Push
) -> None:
    wo = _started(db, world)
    tech = Phone(push, world.tech, "tech-phone")
    boss = Phone(push, world.manager, "boss-phone")

    # in progress: the technician edits and attaches; then submits
    before = tech.send(
        _update(wo, title="Kamera temizliği"), _attach(wo), ("workorder.submit", {"workOrderId": wo.id})
    )
    # submitted: neither the technician nor the reviewing manager may edit or attach; notes may
    submitted = tech.send(
        _update(wo, title="Sonradan değişti"),
        _update(wo, priority="URGENT"),
        _attach(wo),
        ("workorder.addNote", {"workOrderId": wo.id, "text": "Fotoğraflar ekte"}),
    )
    in_review = boss.send(_update(wo, description="Müdür düzeltmesi"), _attach(wo))

    assert [r.status for r in before] == ["applied"] * 3
    assert [(r.status, r.code, r.field) for r in submitted] == [
        ("rejected", "WORKORDER_FROZEN", "workOrderId"),
        ("rejected", "WORKORDER_FROZEN", "workOrderId"),
        ("rejected", "WORKORDER_FROZEN", "workOrderId"),
        ("applied", None, None),
    ]
    assert [r.code for r in in_review] == ["WORKORDER_FROZEN", "WORKORDER_FROZEN"]
    frozen = reload(db, WorkOrder, wo.id)
    assert (frozen.title, frozen.priority.value, frozen.description) == ("Kamera temizliği", "normal", "")

    # returned: editable again; approved and closed: frozen for everyone
    boss.send(("workorder.return", {"workOrderId": wo.id, "reason": "Fotoğraf eksik"}))
    returned = tech.send(_update(wo, title="Kamera temizliği ve ayar"), _attach(wo))
    tech.send(("workorder.start", {"workOrderId": wo.id}), ("workorder.submit", {"workOrderId": wo.id}))
    approved = boss.send(("workorder.approve", {"workOrderId": wo.id}), _update(wo, title="Onaylı başlık"))
    closed = boss.send(("workorder.close", {"workOrderId": wo.id}), _update(wo, title="Kapalı başlık"))

    assert [r.status for r in returned] == ["applied", "applied"]
    assert [r.code for r in approved] == [None, "WORKORDER_FROZEN"]
    assert [r.code for r in closed] == [None, "WORKORDER_CLOSED"]
    assert reload(db, WorkOrder, wo.id).title == "Kamera temizliği ve ayar"
    with db.read_session() as s:
        assert (
            len(s.exec(select(WorkOrderAttachment).where(WorkOrderAttachment.work_order_id == wo.id)).all())
            == 2
        )


async def test_freeze_and_timeline_values_over_graphql(gql: GQL, db: Database, world: World) -> None:
    wo = _started(db, world)
    tech, boss = world.token(world.tech), world.token(world.manager)
    ref = {"workOrderId": str(wo.id)}

    def envelope(seq: int, **fields: Any) -> dict[str, Any]:
        return {"seq": seq, "mutationId": f"e{seq}", "name": "workorder.update", "args": {**ref, **fields}}

    # the technician's phone edits three fields, then the work is submitted online
    edited = (
        await gql.ok(
            PUSH,
            {"c": "tel", "e": [envelope(1, title="Kamera temizliği", priority="HIGH", dueOn="2026-12-20")]},
            token=tech,
        )
    )["r"]
    submitted = await gql.ok(SUBMIT, {"i": ref}, token=tech)
    late = (await gql.ok(PUSH, {"c": "tel", "e": [envelope(2, title="Geç düzenleme")]}, token=tech))["r"]
    note = await gql.ok(NOTE, {"i": {**ref, "text": "Not: kablo yenilendi"}}, token=tech)

    assert edited["replies"][0]["status"] == "APPLIED"
    assert submitted["r"]["__typename"] == "WorkOrderSuccess"
    assert late["replies"][0]["code"] == "WORKORDER_FROZEN"
    assert "onay bekliyor" in late["replies"][0]["message"]
    assert note["r"]["__typename"] == "WorkOrderSuccess"

    # the timeline keeps each edited field's old and new value
    body = (await gql.ok(TIMELINE, {"id": str(wo.id)}, token=boss))["workOrder"]
    [edit] = [e for e in body["timeline"] if e["kind"] == "EDITED"]
    assert edit["changes"] == [
        {"field": "dueOn", "before": None, "after": "2026-12-20"},
        {"field": "priority", "before": "NORMAL", "after": "HIGH"},
        {"field": "title", "before": "Aylık bakım ve temizlik", "after": "Kamera temizliği"},
    ]
    assert all(e["changes"] == [] for e in body["timeline"] if e["kind"] != "EDITED")
    assert body["title"] == "Kamera temizliği"

    # a manager returns it: the technician may edit again; the pull carries the values too
    returned = await gql.ok(RETURN, {"i": {**ref, "reason": "Termin yanlış"}}, token=boss)
    again = (await gql.ok(PUSH, {"c": "tel", "e": [envelope(3, dueOn="2026-12-22")]}, token=tech))["r"]
    assert returned["r"]["__typename"] == "WorkOrderSuccess"
    assert again["replies"][0]["status"] == "APPLIED"
    pulled = (await gql.ok(PULL, token=tech))["syncPull"]["changes"]
    changes = [
        c["data"]["changes"]
        for c in pulled
        if c["entity"] == "workOrderEvent" and c["data"]["kind"] == "EDITED"
    ]
    assert [{"field": "dueOn", "before": "2026-12-20", "after": "2026-12-22"}] in changes


def test_conflict_merging_records_only_the_applied_values_and_respects_the_freeze(
    db: Database, world: World, push: Push
) -> None:
    wo = _started(db, world)
    base = {f"workOrder:{wo.id}": reload(db, WorkOrder, wo.id).version}
    # the manager changes the title online while the technician's phone edits title and description
    run(db, world.manager, "workorder.update", {"work_order_id": wo.id, "title": "Müdürün başlığı"})
    edit = {"workOrderId": str(wo.id), "title": "Teknisyenin başlığı", "description": "Lens temizlendi"}
    [reply] = push(world.tech, "tel", [env("tel", 1, "workorder.update", edit, base=base)]).replies

    assert reply.status == "applied"
    assert _edits(db, wo) == [
        [{"field": "title", "before": "Aylık bakım ve temizlik", "after": "Müdürün başlığı"}],
        [{"field": "description", "before": "", "after": "Lens temizlendi"}],  # the title became a conflict
    ]
    with db.read_session() as s:
        conflict = s.exec(select(Conflict).where(Conflict.entity_id == wo.id)).one()
    assert (conflict.field, conflict.client_value) == ("title", "Teknisyenin başlığı")

    # once submitted, taking the device's value is an edit like any other: refused
    run(db, world.tech, "workorder.submit", {"work_order_id": wo.id})
    refused = Phone(push, world.tech, "tel-2").send(
        ("conflict.resolve", {"conflictId": conflict.id, "choice": "take_client"})
    )
    kept = Phone(push, world.tech, "tel-3").send(
        ("conflict.resolve", {"conflictId": conflict.id, "choice": "keep_server"})
    )
    assert [r.code for r in refused] == ["WORKORDER_FROZEN"]
    assert [r.status for r in kept] == ["applied"]
    assert reload(db, WorkOrder, wo.id).title == "Müdürün başlığı"
