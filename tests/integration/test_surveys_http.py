"""Surveys over GraphQL, the sealed PDF and the public verification endpoints."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.surveys.models import Minutes
from backend.integrations.blobs.store import LocalBlobStore
from backend.services.uploads import UploadService
from tests.conftest import GQL
from tests.factories import fill_survey, minutes_hash, reload, run, set_pin, sign_args
from tests.integration.conftest import World

REQUEST = """
mutation($input: RequestSurveyInput!) { r: requestSurvey(input: $input) {
  __typename ... on SurveySuccess { survey { id status workOrder { number type assignee { username } } } }
  ... on OperationError { code field message } } }
"""
ADD_POINT = """
mutation($input: AddSurveyPointInput!) { r: addSurveyPoint(input: $input) {
  __typename ... on SurveyPointSuccess { point { id areaType } }
  ... on OperationError { code field message } } }
"""
SURVEY = """
query($id: ID!) { survey(id: $id) { status olurReference
  technician { username } security { username } unitHead { username }
  points { place areaType } installationWorkOrder { type }
  minutes { revision status verificationCode pdfUrl content signatures { role signer { username } } } } }
"""
APPROVE = """
mutation($input: RecordSurveyApprovalInput!) { r: recordSurveyApproval(input: $input) {
  __typename ... on SurveySuccess { survey { status installationWorkOrder { type status } } }
  ... on OperationError { code } } }
"""


async def _request(gql: GQL, world: World) -> dict[str, Any]:
    body = await gql.ok(
        REQUEST,
        {
            "input": {
                "siteId": str(world.site_north.id),
                "reason": "Vezne güvenliği",
                "requestingUnit": "Mali Hizmetler",
                "unitHeadId": str(world.unit_head.id),
                "technicianId": str(world.tech.id),
                "securityId": str(world.security.id),
            }
        },
        token=world.token(world.manager),
    )
    result: dict[str, Any] = body["r"]
    return result


async def test_a_manager_requests_a_survey_and_the_parties_see_it(gql: GQL, world: World) -> None:
    # when
    r = await _request(gql, world)
    # then
    assert r["survey"]["status"] == "DRAFT"
    assert r["survey"]["workOrder"]["type"] == "SURVEY"
    assert r["survey"]["workOrder"]["assignee"] == {"username": world.tech.username}
    sid = r["survey"]["id"]
    for person in (world.tech, world.security, world.unit_head):
        seen = await gql.ok(SURVEY, {"id": sid}, token=world.token(person))
        assert seen["survey"]["security"] == {"username": world.security.username}
    hidden = await gql.ok(SURVEY, {"id": sid}, token=world.token(world.tech_south))
    assert hidden["survey"] is None


async def test_graphql_refuses_a_private_area_with_the_rule(gql: GQL, world: World) -> None:
    sid = (await _request(gql, world))["survey"]["id"]
    point = {"surveyId": sid, "place": "Müdür odası", "mounting": "WALL"}
    tech = world.token(world.tech)

    refused = await gql.ok(
        ADD_POINT, {"input": {**point, "id": str(uuid.uuid4()), "areaType": "OFFICE"}}, token=tech
    )
    accepted = await gql.ok(
        ADD_POINT,
        {"input": {**point, "id": str(uuid.uuid4()), "areaType": "CASHIER", "place": "Vezne"}},
        token=tech,
    )

    assert refused["r"]["code"] == "SURVEY_PRIVATE_AREA"
    assert refused["r"]["field"] == "areaType"
    assert "7(4)" in refused["r"]["message"]
    assert accepted["r"]["point"]["areaType"] == "CASHIER"
    survey = (await gql.ok(SURVEY, {"id": sid}, token=tech))["survey"]
    assert survey["points"] == [{"place": "Vezne", "areaType": "CASHIER"}]


def _seal(db: Database, world: World, survey_id: uuid.UUID, image: str) -> Minutes:
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    fill_survey(db, world.tech, survey_id, points=1)
    mid = uuid.uuid4()
    run(
        db,
        world.tech,
        "minutes.create",
        {"id": mid, "surveyId": survey_id, "contentHash": minutes_hash(db, survey_id, mid)},
    )
    minutes = reload(db, Minutes, mid)
    for role, person in (
        ("TECHNICIAN", world.tech),
        ("SECURITY", world.security),
        ("UNIT_HEAD", world.unit_head),
    ):
        run(db, world.tech, "minutes.sign", sign_args(minutes, role, person, image=image))
    return reload(db, Minutes, mid)


async def test_the_whole_chain_is_visible_and_approval_plans_installation(
    gql: GQL, db: Database, world: World
) -> None:
    sid = (await _request(gql, world))["survey"]["id"]
    minutes = _seal(db, world, uuid.UUID(sid), "cd" * 32)
    mgr = world.token(world.manager)

    approved = await gql.ok(
        APPROVE,
        {"input": {"surveyId": sid, "olurReference": "E-2026-77", "olurDate": "2026-11-30"}},
        token=mgr,
    )

    assert approved["r"]["survey"]["status"] == "APPROVED"
    assert approved["r"]["survey"]["installationWorkOrder"] == {"type": "INSTALLATION", "status": "DRAFT"}
    chain = (await gql.ok(SURVEY, {"id": sid}, token=mgr))["survey"]
    assert chain["olurReference"] == "E-2026-77"
    [doc] = chain["minutes"]
    assert doc["status"] == "SEALED"
    assert doc["verificationCode"] == minutes.verification_code
    assert doc["pdfUrl"] == f"/api/minutes/{minutes.id}.pdf"
    assert {s["role"]: s["signer"]["username"] for s in doc["signatures"]} == {
        "TECHNICIAN": world.tech.username,
        "SECURITY": world.security.username,
        "UNIT_HEAD": world.unit_head.username,
    }


# ---- the sealed PDF and public verification ----------------------------------------------------


def _png(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 32), color).save(out, format="PNG")
    return out.getvalue()


async def _store(db: Database, settings: Settings, data: bytes) -> str:
    return await UploadService(db, LocalBlobStore(settings.data_dir), settings).put_bytes(
        data, "image/png", None
    )


async def _sealed_with_blobs(
    gql: GQL, db: Database, world: World, settings: Settings, *, upload: bool = True
) -> Minutes:
    photo, signature = _png((200, 30, 30)), _png((250, 250, 250))
    sid = uuid.UUID((await _request(gql, world))["survey"]["id"])
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    run(
        db,
        world.tech,
        "survey.update",
        {"surveyId": sid, "surveyDate": "2026-11-22", "conclusion": "UNFAVOURABLE"},
    )
    run(
        db,
        world.tech,
        "survey.addPoint",
        {
            "id": uuid.uuid4(),
            "surveyId": sid,
            "place": "Vezne önü",
            "areaType": "CASHIER",
            "mounting": "CEILING",
            "photos": [hashlib.sha256(photo).hexdigest()],
        },
    )
    mid = uuid.uuid4()
    run(
        db,
        world.tech,
        "minutes.create",
        {"id": mid, "surveyId": sid, "contentHash": minutes_hash(db, sid, mid)},
    )
    minutes = reload(db, Minutes, mid)
    image = hashlib.sha256(signature).hexdigest()
    for role, person in (
        ("TECHNICIAN", world.tech),
        ("SECURITY", world.security),
        ("UNIT_HEAD", world.unit_head),
    ):
        run(db, world.tech, "minutes.sign", sign_args(minutes, role, person, image=image))
    if upload:
        await _store(db, settings, photo)
        await _store(db, settings, signature)
    return reload(db, Minutes, mid)


def _auth(world: World, user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(user)}"}


async def test_the_sealed_pdf_waits_for_its_images_then_is_made_once(
    client: AsyncTestClient[Any], gql: GQL, db: Database, world: World, settings: Settings
) -> None:
    # given sealed minutes whose photo and signature images have not arrived yet
    minutes = await _sealed_with_blobs(gql, db, world, settings, upload=False)
    url = f"/api/minutes/{minutes.id}.pdf"

    waiting = await client.get(url, headers=_auth(world, world.manager))
    assert waiting.status_code == 409
    assert waiting.json()["code"] == "MINUTES_BLOBS_PENDING"

    # when they arrive
    await _store(db, settings, _png((200, 30, 30)))
    await _store(db, settings, _png((250, 250, 250)))
    first = await client.get(url, headers=_auth(world, world.manager))
    second = await client.get(url, headers=_auth(world, world.security))

    # then one PDF, the same bytes for everyone, recorded on the minutes
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    assert minutes.verification_code in first.headers["content-disposition"]
    assert second.content == first.content
    assert reload(db, Minutes, minutes.id).pdf_sha256 == hashlib.sha256(first.content).hexdigest()


async def test_the_pdf_is_for_signed_in_parties_and_sealed_minutes_only(
    client: AsyncTestClient[Any], gql: GQL, db: Database, world: World, settings: Settings
) -> None:
    minutes = await _sealed_with_blobs(gql, db, world, settings)
    url = f"/api/minutes/{minutes.id}.pdf"

    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=_auth(world, world.tech_south))).status_code == 404
    assert (
        await client.get("/api/minutes/not-a-uuid.pdf", headers=_auth(world, world.manager))
    ).status_code == 404
    sid = (await _request(gql, world))["survey"]["id"]
    fill_survey(db, world.tech, uuid.UUID(sid), points=1)
    mid = uuid.uuid4()
    run(
        db,
        world.tech,
        "minutes.create",
        {"id": mid, "surveyId": sid, "contentHash": minutes_hash(db, uuid.UUID(sid), mid)},
    )
    unsealed = await client.get(f"/api/minutes/{mid}.pdf", headers=_auth(world, world.manager))
    assert unsealed.status_code == 409
    assert unsealed.json()["code"] == "MINUTES_NOT_SEALED"


async def test_anyone_can_verify_the_pdf_or_its_code_and_tampering_shows(
    client: AsyncTestClient[Any], gql: GQL, db: Database, world: World, settings: Settings
) -> None:
    minutes = await _sealed_with_blobs(gql, db, world, settings)
    pdf = (await client.get(f"/api/minutes/{minutes.id}.pdf", headers=_auth(world, world.manager))).content

    # when verified without signing in
    good = (await client.post("/api/verify", content=pdf, headers={"Content-Type": "application/pdf"})).json()
    by_code = (await client.get(f"/api/verify/{minutes.verification_code.lower().replace('-', ' ')}")).json()
    middle = len(pdf) // 3
    flipped = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    bad = (await client.post("/api/verify", content=flipped)).json()
    junk = (await client.post("/api/verify", content=b"not a pdf at all")).json()
    unknown = (await client.get("/api/verify/AAAA-AAAA-AAAA")).json()

    # then
    assert good["verdict"] == "VALID"
    assert good["pdf"]["intact"] is True
    assert good["pdf"]["matchesRecord"] is True
    assert [(s["role"], s["name"]) for s in good["minutes"]["signatures"]] == [
        ("TECHNICIAN", world.tech.full_name),
        ("SECURITY", world.security.full_name),
        ("UNIT_HEAD", world.unit_head.full_name),
    ]
    assert by_code["verdict"] == "VALID"
    assert by_code["minutes"]["contentHash"] == minutes.content_hash
    assert bad["verdict"] == "INVALID"
    assert junk["verdict"] == "INVALID"
    assert junk["pdf"]["signed"] is False
    assert unknown["verdict"] == "UNKNOWN"


async def test_verification_refuses_an_empty_or_oversized_body(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    empty = await client.post("/api/verify", content=b"")
    huge = await client.post("/api/verify", content=b"%PDF" + b"0" * settings.max_verify_pdf_bytes)
    assert (empty.status_code, empty.json()["code"]) == (400, "VALIDATION_FAILED")
    assert (huge.status_code, huge.json()["code"]) == (413, "LIMIT_EXCEEDED")
