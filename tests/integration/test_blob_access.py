"""Blob access follows the rows that reference a blob (backend.domain.blobs.access), over HTTP.

One city: a maintenance work order of the northern technician with an attached photo; a joint
survey (northern technician, security staff, unit head) with a point photo, three signature
images and its sealed PDF; a reference image and a diagnosis snapshot of a northern camera.
Every role reads every kind: 200 when it may see a row naming the blob, else 404 — the same
answer as for a hash never uploaded.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.diagnostics.models import DeviceReference, Diagnosis, DiagnosisSource, Verdict
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.surveys.models import Minutes
from backend.integrations.blobs.store import LocalBlobStore
from backend.services.uploads import UploadService
from tests.factories import (
    make_survey,
    make_work_order,
    minutes_hash,
    reload,
    run,
    set_pin,
    sign_args,
)
from tests.integration.conftest import World
from tests.integration.test_uploads import auth, create, send, sha


def png(color: tuple[int, int, int], size: tuple[int, int] = (64, 32)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


async def upload(client: AsyncTestClient[Any], token: str, data: bytes, filetype: str = "image/png") -> str:
    """A whole tus upload (create + one PATCH); the blob's hash."""
    created = await create(client, token, data, filetype=filetype, filename="f")
    assert created.status_code == 201, created.text
    if int(created.headers["upload-offset"]) < len(data):
        done = await send(client, token, created.headers["location"], 0, data)
        assert done.status_code == 204, done.text
    return sha(data)


async def read(client: AsyncTestClient[Any], world: World, who: Any, digest: str) -> int:
    return (await client.get(f"/blobs/{digest}", headers=auth(world.token(who)))).status_code


@dataclass
class City:
    attachment: str
    photo: str
    signature: str
    pdf: str
    reference: str
    snapshot: str
    minutes: Minutes


async def build_city(client: AsyncTestClient[Any], db: Database, world: World, settings: Settings) -> City:
    tech = world.token(world.tech)
    # a work order's attachment, uploaded and attached by its technician
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    attachment = await upload(client, tech, png((10, 20, 30)))
    run(
        db,
        world.tech,
        "workorder.attach",
        {"work_order_id": wo.id, "id": uuid.uuid4(), "blob_sha256": attachment, "content_type": "image/png"},
    )
    # a sealed survey: point photo, signature images (a shared phone), the PDF
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    run(
        db,
        world.tech,
        "survey.update",
        {"surveyId": survey.id, "surveyDate": "2026-11-22", "conclusion": "UNFAVOURABLE"},
    )
    photo = await upload(client, tech, png((200, 30, 30)))
    run(
        db,
        world.tech,
        "survey.addPoint",
        {
            "id": uuid.uuid4(),
            "surveyId": survey.id,
            "place": "Vezne önü",
            "areaType": "CASHIER",
            "mounting": "CEILING",
            "photos": [photo],
        },
    )
    mid = uuid.uuid4()
    run(
        db,
        world.tech,
        "minutes.create",
        {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)},
    )
    minutes = reload(db, Minutes, mid)
    signature = await upload(client, tech, png((250, 250, 250)))
    for role, person in (
        ("TECHNICIAN", world.tech),
        ("SECURITY", world.security),
        ("UNIT_HEAD", world.unit_head),
    ):
        run(db, world.tech, "minutes.sign", sign_args(minutes, role, person, image=signature))
    made = await client.get(
        f"/api/minutes/{mid}.pdf", headers={"Authorization": f"Bearer {world.token(world.manager)}"}
    )
    assert made.status_code == 200, made.text
    pdf = reload(db, Minutes, mid).pdf_sha256
    assert pdf == sha(made.content)
    # a camera's reference image (uploaded by the technician) and a diagnosis snapshot (made by the server)
    reference = await upload(client, tech, png((90, 90, 90), (80, 60)))
    service = UploadService(db, LocalBlobStore(settings.data_dir), settings)
    snapshot = await service.put_bytes(png((91, 91, 91), (80, 60)), "image/png", None)
    now = datetime.now(UTC)
    with db.write_session() as session:
        session.add(
            DeviceReference(device_id=world.cam_north.id, image_sha256=reference, set_by_id=world.tech.id)
        )
        session.add(
            Diagnosis(
                device_id=world.cam_north.id,
                source=DiagnosisSource.NIGHTLY,
                started_at=now,
                finished_at=now,
                overall=Verdict.OK,
                snapshot_sha256=snapshot,
                reference_sha256=reference,
            )
        )
    return City(attachment, photo, signature, pdf, reference, snapshot, reload(db, Minutes, mid))


KINDS = ("attachment", "photo", "signature", "pdf", "reference", "snapshot")
EXPECTED = {
    # role → the kinds it may read (everything else: 404)
    "tech": set(KINDS),  # assigned the work order, party to the survey, the camera's region
    "tech_south": set(),  # another region, nothing assigned
    "security": {"photo", "signature", "pdf"},  # party to the survey only; no camera images
    "unit_head": {"photo", "signature", "pdf"},
    "zabita": set(),
    "manager": set(KINDS),
    "admin": set(KINDS),
}


async def test_every_role_reads_exactly_the_blobs_of_rows_it_sees(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings
) -> None:
    # given
    city = await build_city(client, db, world, settings)
    never_uploaded = "ef" * 32
    # when
    seen = {
        role: {kind: await read(client, world, getattr(world, role), getattr(city, kind)) for kind in KINDS}
        for role in EXPECTED
    }
    unknown = {role: await read(client, world, getattr(world, role), never_uploaded) for role in EXPECTED}
    # then
    expected = {
        role: {kind: 200 if kind in kinds else 404 for kind in KINDS} for role, kinds in EXPECTED.items()
    }
    assert seen == expected
    assert set(unknown.values()) == {404}


async def test_an_invisible_blob_answers_like_one_that_does_not_exist(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings
) -> None:
    # given
    city = await build_city(client, db, world, settings)
    headers = auth(world.token(world.tech_south))
    # when
    hidden = await client.get(f"/blobs/{city.pdf}", headers=headers)
    missing = await client.get(f"/blobs/{'ef' * 32}", headers=headers)
    # then
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert "etag" not in hidden.headers


async def test_the_uploader_reads_a_blob_until_a_row_references_it(
    client: AsyncTestClient[Any], db: Database, world: World
) -> None:
    # given: security staff upload a photo nothing references yet
    photo = await upload(client, world.token(world.security), png((1, 2, 3)))
    before = {
        who: await read(client, world, getattr(world, who), photo) for who in ("security", "manager", "tech")
    }
    # when: they make it the photo of a point of a survey they are party to
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    run(
        db,
        world.security,
        "survey.addPoint",
        {
            "id": uuid.uuid4(),
            "surveyId": survey.id,
            "place": "Giriş",
            "areaType": "ENTRANCE",
            "mounting": "WALL",
            "photos": [photo],
        },
    )
    after = {
        who: await read(client, world, getattr(world, who), photo)
        for who in ("security", "manager", "tech", "tech_south")
    }
    # then: before, the uploader alone; after, whoever sees the survey
    assert before == {"security": 200, "manager": 404, "tech": 404}
    assert after == {"security": 200, "manager": 200, "tech": 200, "tech_south": 404}


@pytest.mark.parametrize("role", ["zabita"])
async def test_read_only_roles_may_not_upload(client: AsyncTestClient[Any], world: World, role: str) -> None:
    # given
    data = png((5, 5, 5))
    # when
    refused = await create(client, world.token(getattr(world, role)), data, filetype="image/png")
    allowed = await create(client, world.token(world.unit_head), data, filetype="image/png")  # signs minutes
    # then
    assert refused.status_code == 403
    assert refused.json()["code"] == "PERMISSION_DENIED"
    assert "blobs.upload" in refused.json()["message"]
    assert refused.headers["tus-resumable"] == "1.0.0"
    assert allowed.status_code == 201


async def test_creating_an_upload_tells_nothing_about_blobs_one_may_not_read(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings
) -> None:
    # given: sealed minutes; their PDF's hash and size are known to an outsider
    city = await build_city(client, db, world, settings)
    content = b"".join(LocalBlobStore(settings.data_dir).iter_blob(city.pdf))
    outsider, party = world.token(world.tech_south), world.token(world.tech)
    # when
    known = await create(client, outsider, content, filetype="application/pdf", digest=city.pdf)
    wrong_size = await create(
        client, outsider, content, filetype="application/pdf", digest=city.pdf, length=7
    )
    unknown = await create(client, outsider, content, filetype="application/pdf", digest="ef" * 32)
    deduplicated = await create(client, party, content, filetype="application/pdf", digest=city.pdf)
    # then: the outsider must send every byte, as for unknown content; a party needs not
    for response in (known, wrong_size, unknown):
        assert response.status_code == 201
        assert response.headers["upload-offset"] == "0"
    assert deduplicated.headers["upload-offset"] == str(len(content))
    # and sending the very bytes proves nothing more: the blob is referenced by rows they do not see
    sent = await send(client, outsider, known.headers["location"], 0, content)
    assert sent.status_code == 204
    assert await read(client, world, world.tech_south, city.pdf) == 404


async def test_a_learnt_hash_cannot_be_attached_to_ones_own_row_to_read_it(
    client: AsyncTestClient[Any], db: Database, world: World
) -> None:
    theirs = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    mine = make_work_order(db, world.manager, world.site_south, assignee=world.tech_south)
    digest = await upload(client, world.token(world.tech), png((200, 10, 10)))
    run(
        db,
        world.tech,
        "workorder.attach",
        {"id": uuid.uuid4(), "work_order_id": theirs.id, "blob_sha256": digest, "content_type": "image/png"},
    )

    with pytest.raises(DomainError) as refused:
        run(
            db,
            world.tech_south,
            "workorder.attach",
            {
                "id": uuid.uuid4(),
                "work_order_id": mine.id,
                "blob_sha256": digest,
                "content_type": "image/png",
            },
        )

    assert refused.value.code is ErrorCode.NOT_FOUND
    assert refused.value.field == "blobSha256"
    assert await read(client, world, world.tech_south, digest) == 404
