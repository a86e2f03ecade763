"""Row scope on every path that returns a row: related objects, lookups by id, replays, fields.

Each test is one class of leak found from the outside: a related field returning what the root
field hides, a create-with-id replay returning someone else's row, the technical side of the
inventory shown to people who see devices only as places.
"""

from __future__ import annotations

import uuid
from typing import Any

from backend.db.engine import Database
from backend.domain.assets.models import DeviceKind
from backend.domain.surveys.models import SurveyPoint
from tests.conftest import GQL
from tests.factories import make_device, make_survey, reload, run
from tests.integration.conftest import World
from tests.integration.test_surveys_http import APPROVE, _request, _seal

DEVICE = """
query($id: ID!) { device(id: $id) {
  assetTag make model serialNumber firmware ipAddress onvifPort notes
  recorder { assetTag ipAddress } referenceImageSha256 site { code ipBlocks { cidr } } } }
"""
WORK_ORDER = "query($id: ID!) { workOrder(id: $id) { id title } }"
INSTALLATION = "query($id: ID!) { survey(id: $id) { installationWorkOrder { id title timeline { kind } } } }"
ADD_POINT = """
mutation($input: AddSurveyPointInput!) { r: addSurveyPoint(input: $input) {
  __typename ... on SurveyPointSuccess { point { id place } }
  ... on OperationError { code field } } }
"""


async def test_a_related_work_order_is_as_hidden_as_the_work_order_itself(
    gql: GQL, db: Database, world: World
) -> None:
    sid = (await _request(gql, world))["survey"]["id"]
    _seal(db, world, uuid.UUID(sid), "ab" * 32)
    await gql.ok(
        APPROVE,
        {"input": {"surveyId": sid, "olurReference": "E-2026-9", "olurDate": "2026-11-30"}},
        token=world.token(world.manager),
    )
    wo = (await gql.ok(INSTALLATION, {"id": sid}, token=world.token(world.manager)))["survey"]
    wo_id = wo["installationWorkOrder"]["id"]

    for person in (world.tech, world.security, world.unit_head):
        # the survey is theirs, the (unassigned) installation work order is not
        direct = await gql.ok(WORK_ORDER, {"id": wo_id}, token=world.token(person))
        related = await gql.ok(INSTALLATION, {"id": sid}, token=world.token(person))
        assert direct["workOrder"] is None, person.role
        assert related["survey"]["installationWorkOrder"] is None, person.role


async def test_a_recorder_outside_scope_is_not_returned_through_its_camera(
    gql: GQL, db: Database, world: World
) -> None:
    recorder = make_device(db, world.admin, world.site_south, ip="10.2.1.50", kind=DeviceKind.RECORDER)
    camera = run(
        db,
        world.admin,
        "device.create",
        {
            "site_id": world.site_north.id,
            "kind": "camera",
            "asset_tag": "DMB-SC1",
            "recorder_id": recorder.id,
        },
    )

    seen_by_tech = await gql.ok(DEVICE, {"id": str(camera.id)}, token=world.token(world.tech))
    seen_by_manager = await gql.ok(DEVICE, {"id": str(camera.id)}, token=world.token(world.manager))

    assert seen_by_tech["device"]["recorder"] is None
    assert seen_by_manager["device"]["recorder"] == {"assetTag": recorder.asset_tag, "ipAddress": "10.2.1.50"}


async def test_replaying_a_point_id_of_an_unseen_survey_returns_nothing_of_it(
    gql: GQL, db: Database, world: World
) -> None:
    north = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    south = make_survey(
        db, world.manager, world.site_south, world.tech_south, world.security, world.unit_head
    )
    secret = uuid.uuid4()
    run(
        db,
        world.tech,
        "survey.addPoint",
        {
            "id": secret,
            "surveyId": north.id,
            "place": "Kasa dairesi",
            "areaType": "CASHIER",
            "mounting": "WALL",
        },
    )

    body = await gql.ok(
        ADD_POINT,
        {
            "input": {
                "id": str(secret),
                "surveyId": str(south.id),
                "place": "Giriş",
                "areaType": "ENTRANCE",
                "mounting": "WALL",
            }
        },
        token=world.token(world.tech_south),
    )

    assert body["r"] == {"__typename": "OperationError", "code": "NOT_FOUND", "field": "id"}
    assert reload(db, SurveyPoint, secret).place == "Kasa dairesi"  # and nothing changed


async def test_zabita_sees_cameras_as_places_only(gql: GQL, db: Database, world: World) -> None:
    recorder = make_device(db, world.admin, world.site_north, ip="10.1.1.60", kind=DeviceKind.RECORDER)
    camera = run(
        db,
        world.admin,
        "device.create",
        {
            "site_id": world.site_north.id,
            "kind": "camera",
            "asset_tag": "DMB-SC2",
            "ip_address": "10.1.1.61",
            "make": "Hikvision",
            "serial_number": "SN-123",
            "firmware": "V5.7",
            "notes": "kabin anahtarı bekçide",
            "recorder_id": recorder.id,
        },
    )
    token = world.token(world.zabita)

    cam = (await gql.ok(DEVICE, {"id": str(camera.id)}, token=token))["device"]
    rec = (await gql.ok(DEVICE, {"id": str(recorder.id)}, token=token))["device"]
    search = await gql.ok('{ devices(search: "SN-123") { total } }', token=token)
    by_ip = await gql.ok('{ devices(search: "10.1.1") { total } }', token=token)
    listed = await gql.ok("{ devices { items { kind } } }", token=token)

    assert cam["assetTag"] == "DMB-SC2"
    assert {k: cam[k] for k in ("make", "model", "serialNumber", "firmware", "notes")} == dict.fromkeys(
        ("make", "model", "serialNumber", "firmware", "notes"), ""
    )
    assert cam["ipAddress"] is None
    assert cam["onvifPort"] is None
    assert cam["recorder"] is None
    assert cam["site"]["ipBlocks"] == []
    assert rec is None  # recorders are not places on a map
    assert search["devices"]["total"] == 0
    assert by_ip["devices"]["total"] == 0
    assert {d["kind"] for d in listed["devices"]["items"]} == {"CAMERA"}

    tech = (await gql.ok(DEVICE, {"id": str(camera.id)}, token=world.token(world.tech)))["device"]
    assert tech["serialNumber"] == "SN-123"
    assert tech["ipAddress"] == "10.1.1.61"
    assert tech["recorder"]["assetTag"] == recorder.asset_tag


async def test_security_staff_see_only_their_surveys_sites_without_technical_fields(
    gql: GQL, db: Database, world: World
) -> None:
    make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    for person in (world.security, world.unit_head):
        token = world.token(person)
        seen: dict[str, Any] = await gql.ok(DEVICE, {"id": str(world.cam_north.id)}, token=token)
        unseen = await gql.ok(DEVICE, {"id": str(world.cam_south.id)}, token=token)
        assert seen["device"]["ipAddress"] is None
        assert seen["device"]["serialNumber"] == ""
        assert seen["device"]["site"]["code"] == world.site_north.code
        assert unseen["device"] is None


async def test_diagnoses_and_camera_images_stay_with_the_technical_side(gql: GQL, world: World) -> None:
    fields = {
        "deviceDiagnoses": 'deviceDiagnoses(deviceId: "%s") { id }',
        "deviceCheckChanges": 'deviceCheckChanges(deviceId: "%s") { check }',
        "deviceReference": 'deviceReference(deviceId: "%s") { imageSha256 }',
    }
    for person in (world.zabita, world.security, world.unit_head):
        for name, field in fields.items():
            body = await gql("{ %s }" % (field % world.cam_north.id), token=world.token(person))
            assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED", (person.role, name)
        body = await gql("{ firmwareBaselines { make } }", token=world.token(person))
        assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED", person.role
    tech = await gql.ok(
        f'{{ deviceDiagnoses(deviceId: "{world.cam_north.id}") {{ id }} }}', token=world.token(world.tech)
    )
    assert tech["deviceDiagnoses"] == []
