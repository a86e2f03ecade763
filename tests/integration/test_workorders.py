"""Work orders through GraphQL: lifecycle, review, permissions, row scope, typed errors."""

from __future__ import annotations

import pytest

from backend.db.engine import Database
from backend.domain.workorders.models import WorkOrder, WorkOrderStatus
from tests.conftest import GQL
from tests.factories import make_survey, make_work_order, reload
from tests.integration.conftest import World

WO_FIELDS = """
  id number status version returnReason allowedActions
  assignee { username } site { code }
  devices { assetTag }
  timeline { kind fromStatus toStatus text actor { username } }
"""
RESULT = f"""
  __typename
  ... on WorkOrderSuccess {{ workOrder {{ {WO_FIELDS} }} }}
  ... on OperationError {{ code message field }}
"""


def m(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ r: {name}(input: $input) {{ {RESULT} }} }}"


CREATE = m("createWorkOrder", "CreateWorkOrderInput")
START = m("startWorkOrder", "WorkOrderRefInput")
NOTE = m("addWorkOrderNote", "AddWorkOrderNoteInput")
SUBMIT = m("submitWorkOrder", "SubmitWorkOrderInput")
APPROVE = m("approveWorkOrder", "ApproveWorkOrderInput")
RETURN = m("returnWorkOrder", "ReturnWorkOrderInput")
CLOSE = m("closeWorkOrder", "WorkOrderRefInput")
ASSIGN = m("assignWorkOrder", "AssignWorkOrderInput")


async def test_full_lifecycle_from_creation_to_close(gql: GQL, world: World) -> None:
    # given a manager creates and assigns maintenance work
    created = await gql.ok(
        CREATE,
        {
            "input": {
                "type": "MAINTENANCE",
                "title": "Aylık bakım",
                "siteId": str(world.site_north.id),
                "deviceIds": [str(world.cam_north.id)],
                "assigneeId": str(world.tech.id),
            }
        },
        token=world.token(world.manager),
    )
    wo = created["r"]["workOrder"]
    assert wo["status"] == "ASSIGNED"
    assert wo["number"].startswith("IE-")
    assert wo["devices"] == [{"assetTag": world.cam_north.asset_tag}]
    ref = {"input": {"workOrderId": wo["id"]}}
    tech = world.token(world.tech)

    # when the technician starts, notes and submits; the manager approves and closes
    assert (await gql.ok(START, ref, token=tech))["r"]["workOrder"]["status"] == "IN_PROGRESS"
    noted = await gql.ok(NOTE, {"input": {"workOrderId": wo["id"], "text": "Lens temizlendi."}}, token=tech)
    assert noted["r"]["workOrder"]["status"] == "IN_PROGRESS"
    assert (await gql.ok(SUBMIT, ref, token=tech))["r"]["workOrder"]["status"] == "SUBMITTED"
    mgr = world.token(world.manager)
    assert (await gql.ok(APPROVE, ref, token=mgr))["r"]["workOrder"]["status"] == "APPROVED"
    closed = (await gql.ok(CLOSE, ref, token=mgr))["r"]["workOrder"]

    # then the timeline tells the whole story, in order, with who did it
    assert closed["status"] == "CLOSED"
    assert [(e["kind"], e["actor"]["username"]) for e in closed["timeline"]] == [
        ("CREATED", world.manager.username),
        ("ASSIGNED", world.manager.username),
        ("STARTED", world.tech.username),
        ("NOTE", world.tech.username),
        ("SUBMITTED", world.tech.username),
        ("APPROVED", world.manager.username),
        ("CLOSED", world.manager.username),
    ]
    assert closed["timeline"][3]["text"] == "Lens temizlendi."
    assert closed["timeline"][2]["fromStatus"] == "ASSIGNED"
    assert closed["timeline"][2]["toStatus"] == "IN_PROGRESS"
    assert closed["allowedActions"] == []
    assert closed["version"] == 7


async def test_return_needs_reason_and_technician_can_resume(gql: GQL, db: Database, world: World) -> None:
    # given submitted work
    wo = make_work_order(
        db,
        world.manager,
        world.site_north,
        assignee=world.tech,
        steps=[(world.tech, "workorder.start", {}), (world.tech, "workorder.submit", {})],
    )
    mgr = world.token(world.manager)

    # when the manager returns it without a reason
    body = await gql.ok(RETURN, {"input": {"workOrderId": str(wo.id), "reason": "   "}}, token=mgr)

    # then it is refused and nothing changed
    assert body["r"]["code"] == "WORKORDER_REASON_REQUIRED"
    assert body["r"]["field"] == "reason"
    assert (reload(db, WorkOrder, wo.id)).status is WorkOrderStatus.SUBMITTED

    # when returned with a reason
    body = await gql.ok(RETURN, {"input": {"workOrderId": str(wo.id), "reason": "Fotoğraf eksik"}}, token=mgr)
    returned = body["r"]["workOrder"]
    assert returned["status"] == "RETURNED"
    assert returned["returnReason"] == "Fotoğraf eksik"

    # then the technician sees it, with START allowed again
    data = await gql.ok(
        "{ myWorkOrders { id status allowedActions returnReason } }", token=world.token(world.tech)
    )
    mine = {w["id"]: w for w in data["myWorkOrders"]}
    assert mine[str(wo.id)]["allowedActions"] == ["START", "ADD_NOTE"]
    assert mine[str(wo.id)]["returnReason"] == "Fotoğraf eksik"


@pytest.mark.parametrize(
    ("steps", "mutation", "expected_status"),
    [
        ([], SUBMIT, "ASSIGNED"),
        ([], APPROVE, "ASSIGNED"),
        ([("start",)], CLOSE, "IN_PROGRESS"),
        ([("start",)], START, "IN_PROGRESS"),
        ([("start",), ("submit",)], SUBMIT, "SUBMITTED"),
    ],
)
async def test_illegal_transition_is_refused_and_changes_nothing(
    gql: GQL, db: Database, world: World, steps: list[tuple[str]], mutation: str, expected_status: str
) -> None:
    # given work in some state
    wo = make_work_order(
        db,
        world.manager,
        world.site_north,
        assignee=world.tech,
        steps=[(world.tech, f"workorder.{s[0]}", {}) for s in steps],
    )
    before = reload(db, WorkOrder, wo.id)
    actor = world.manager if mutation in (APPROVE, CLOSE) else world.tech

    # when an action its state does not allow is sent
    body = await gql(mutation, {"input": {"workOrderId": str(wo.id)}}, token=world.token(actor))

    # then exactly one typed error comes back, in Turkish, and nothing changed
    assert "errors" not in body
    assert body["data"]["r"]["code"] == "WORKORDER_ILLEGAL_TRANSITION"
    assert "yapılamaz" in body["data"]["r"]["message"]
    after = reload(db, WorkOrder, wo.id)
    assert after.status.value.upper() == expected_status
    assert after.version == before.version


async def test_technician_cannot_approve_or_create(gql: GQL, db: Database, world: World) -> None:
    wo = make_work_order(
        db,
        world.manager,
        world.site_north,
        assignee=world.tech,
        steps=[(world.tech, "workorder.start", {}), (world.tech, "workorder.submit", {})],
    )
    tech = world.token(world.tech)

    approve = await gql.ok(APPROVE, {"input": {"workOrderId": str(wo.id)}}, token=tech)
    create = await gql.ok(
        CREATE, {"input": {"type": "FAULT", "title": "Arıza", "siteId": str(world.site_north.id)}}, token=tech
    )

    assert approve["r"]["code"] == "PERMISSION_DENIED"
    assert "workorders.approve" in approve["r"]["message"]
    assert create["r"]["code"] == "PERMISSION_DENIED"
    assert (reload(db, WorkOrder, wo.id)).status is WorkOrderStatus.SUBMITTED


async def test_technician_sees_and_acts_only_on_own_work(gql: GQL, db: Database, world: World) -> None:
    # given work for the southern technician
    theirs = make_work_order(db, world.manager, world.site_south, assignee=world.tech_south)
    mine = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    tech = world.token(world.tech)

    # when the northern technician lists, opens and tries to start it
    listed = await gql.ok("{ workOrders { total items { id } } myWorkOrders { id } }", token=tech)
    opened = await gql.ok("query($id: ID!) { workOrder(id: $id) { id } }", {"id": str(theirs.id)}, token=tech)
    started = await gql.ok(START, {"input": {"workOrderId": str(theirs.id)}}, token=tech)

    # then it is invisible, and acting on it looks like it does not exist
    assert listed["workOrders"]["total"] == 1
    assert [w["id"] for w in listed["myWorkOrders"]] == [str(mine.id)]
    assert opened["workOrder"] is None
    assert started["r"]["code"] == "NOT_FOUND"
    assert (reload(db, WorkOrder, theirs.id)).status is WorkOrderStatus.ASSIGNED


async def test_manager_sees_everything_and_review_queue(gql: GQL, db: Database, world: World) -> None:
    submitted = make_work_order(
        db,
        world.manager,
        world.site_south,
        assignee=world.tech_south,
        steps=[(world.tech_south, "workorder.start", {}), (world.tech_south, "workorder.submit", {})],
    )
    make_work_order(db, world.manager, world.site_north, assignee=world.tech)

    data = await gql.ok(
        "{ workOrders { total } reviewQueue { id allowedActions } }", token=world.token(world.manager)
    )

    assert data["workOrders"]["total"] == 2
    assert [w["id"] for w in data["reviewQueue"]] == [str(submitted.id)]
    assert data["reviewQueue"][0]["allowedActions"] == ["ADD_NOTE", "APPROVE", "RETURN"]


async def test_zabita_cannot_read_work_orders(gql: GQL, world: World) -> None:
    body = await gql("{ workOrders { total } }", token=world.token(world.zabita))

    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("role", ["security", "unit_head"])
async def test_survey_parties_see_only_the_survey_work_orders_they_are_party_to(
    gql: GQL, db: Database, world: World, role: str
) -> None:
    # given ordinary work and a survey the person is party to
    make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)

    body = await gql("{ workOrders { total items { id type } } }", token=world.token(getattr(world, role)))

    assert body["data"]["workOrders"] == {
        "total": 1,
        "items": [{"id": str(survey.work_order_id), "type": "SURVEY"}],
    }


async def test_review_queue_needs_approve_permission(gql: GQL, world: World) -> None:
    body = await gql("{ reviewQueue { id } }", token=world.token(world.tech))

    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


async def test_assignment_only_to_active_technicians(gql: GQL, db: Database, world: World) -> None:
    wo = make_work_order(db, world.manager, world.site_north)
    mgr = world.token(world.manager)

    to_security = await gql.ok(
        ASSIGN, {"input": {"workOrderId": str(wo.id), "assigneeId": str(world.security.id)}}, token=mgr
    )
    to_tech = await gql.ok(
        ASSIGN, {"input": {"workOrderId": str(wo.id), "assigneeId": str(world.tech.id)}}, token=mgr
    )

    assert to_security["r"]["code"] == "WORKORDER_ASSIGNEE_NOT_TECHNICIAN"
    assert to_tech["r"]["workOrder"]["status"] == "ASSIGNED"
    assert to_tech["r"]["workOrder"]["assignee"]["username"] == world.tech.username


async def test_create_refuses_device_of_another_site_and_bad_input(
    gql: GQL, db: Database, world: World
) -> None:
    mgr = world.token(world.manager)
    base = {"type": "FAULT", "title": "Arıza kaydı", "siteId": str(world.site_north.id)}

    wrong_device = await gql.ok(
        CREATE, {"input": {**base, "deviceIds": [str(world.cam_south.id)]}}, token=mgr
    )
    short_title = await gql.ok(CREATE, {"input": {**base, "title": "x"}}, token=mgr)
    bad_site = await gql.ok(CREATE, {"input": {**base, "siteId": "not-a-uuid"}}, token=mgr)
    listed = await gql.ok("{ workOrders { total } }", token=mgr)

    assert wrong_device["r"]["code"] == "WORKORDER_DEVICE_NOT_ON_SITE"
    assert short_title["r"]["code"] == "VALIDATION_FAILED"
    assert short_title["r"]["field"] == "title"
    assert bad_site["r"]["code"] == "VALIDATION_FAILED"
    assert listed["workOrders"]["total"] == 0


async def test_create_with_client_id_is_idempotent(gql: GQL, world: World) -> None:
    mgr = world.token(world.manager)
    payload = {
        "input": {
            "id": "6a0f1c5e-3d2b-4f7a-9c1e-0b8d7e6f5a41",
            "type": "SURVEY",
            "title": "Keşif",
            "siteId": str(world.site_north.id),
        }
    }

    first = await gql.ok(CREATE, payload, token=mgr)
    second = await gql.ok(CREATE, payload, token=mgr)
    listed = await gql.ok("{ workOrders { total } }", token=mgr)

    assert first["r"]["workOrder"]["id"] == second["r"]["workOrder"]["id"]
    assert first["r"]["workOrder"]["number"] == second["r"]["workOrder"]["number"]
    assert listed["workOrders"]["total"] == 1


async def test_errors_come_in_english_on_request(gql: GQL, db: Database, world: World) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)

    body = await gql.ok(
        SUBMIT, {"input": {"workOrderId": str(wo.id)}}, token=world.token(world.tech), lang="en"
    )

    assert body["r"]["code"] == "WORKORDER_ILLEGAL_TRANSITION"
    assert body["r"]["message"].startswith("A work order in status")
