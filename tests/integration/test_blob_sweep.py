"""The blob sweep: expired partial uploads and unreferenced blobs go, referenced ones never do."""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlmodel import col, select

from backend.config import Settings
from backend.db.engine import Database
from backend.db.types import utcnow
from backend.domain.blobs.models import Blob, Upload
from backend.domain.blobs.refs import REFERENCES
from backend.domain.diagnostics.models import ScheduledRun
from backend.integrations.blobs.store import LocalBlobStore
from backend.jobs.scheduler import Scheduler, blob_sweep_job
from backend.services.uploads import UploadService
from tests.factories import make_survey, minutes_hash, run
from tests.integration.conftest import World
from tests.integration.test_blob_access import build_city, png, upload
from tests.integration.test_uploads import auth, create, send, sha
from tests.s3_support import S3Bucket

ROOT = Path(__file__).resolve().parents[2]


def service(db: Database, settings: Settings) -> UploadService:
    return UploadService(db, LocalBlobStore(settings.data_dir), settings)


def on_disk(settings: Settings, digest: str) -> bool:
    return LocalBlobStore(settings.data_dir).exists(digest)


def has_row(db: Database, digest: str) -> bool:
    with db.read_session() as session:
        return session.get(Blob, digest) is not None


async def photo_only_in_withdrawn_minutes(client: AsyncTestClient[Any], db: Database, world: World) -> str:
    """A photo that was frozen into minutes, which were withdrawn, and then left its point: only
    the withdrawn minutes' content still names it."""
    photo = await upload(client, world.token(world.tech), png((7, 77, 7)))
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    run(
        db,
        world.tech,
        "survey.update",
        {"surveyId": survey.id, "surveyDate": "2026-11-22", "conclusion": "UNFAVOURABLE"},
    )
    point = uuid.uuid4()
    run(
        db,
        world.tech,
        "survey.addPoint",
        {
            "id": point,
            "surveyId": survey.id,
            "place": "Giriş",
            "areaType": "ENTRANCE",
            "mounting": "WALL",
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
    run(db, world.tech, "minutes.withdraw", {"minutesId": mid, "reason": "Yanlış nokta"})
    run(db, world.tech, "survey.updatePoint", {"pointId": point, "photos": []})
    return photo


async def test_the_sweep_never_deletes_a_referenced_blob_and_deletes_the_rest(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings
) -> None:
    # given: every kind of reference, including a sealed PDF and signature images
    city = await build_city(client, db, world, settings)
    withdrawn = await photo_only_in_withdrawn_minutes(client, db, world)
    referenced = [
        city.attachment,
        city.photo,
        city.signature,
        city.pdf,
        city.reference,
        city.snapshot,
        withdrawn,
    ]
    # and an orphan uploaded twice (two finished uploads), and an unfinished upload with bytes
    tech = world.token(world.tech)
    orphan_bytes = png((3, 3, 3))
    orphan = await upload(client, tech, orphan_bytes)
    await upload(client, tech, orphan_bytes)
    partial = png((4, 4, 4), (200, 200))
    location = (await create(client, tech, partial, filetype="image/png")).headers["location"]
    assert (await send(client, tech, location, 0, partial[:100])).status_code == 204
    partial_file = settings.data_dir / "uploads" / location.rsplit("/", 1)[1]
    assert partial_file.stat().st_size == 100
    grace = timedelta(hours=settings.blob_grace_hours)

    # when: the sweep runs just before the grace period ends, then after it
    early = await service(db, settings).sweep(utcnow() + grace - timedelta(hours=1))
    orphan_early = has_row(db, orphan) and on_disk(settings, orphan)
    late = await service(db, settings).sweep(utcnow() + grace + timedelta(hours=1))

    # then: the unfinished upload expired already (a day); the orphan waited for its grace
    assert (early.uploads, early.blobs) == (1, 0)
    assert orphan_early
    assert not partial_file.exists()
    assert (await client.head(location, headers=auth(tech))).status_code == 404
    assert (late.uploads, late.blobs, late.freed_bytes) == (0, 1, len(orphan_bytes))
    assert not has_row(db, orphan)
    assert not on_disk(settings, orphan)
    with db.read_session() as session:
        assert session.exec(select(Upload).where(col(Upload.sha256) == orphan)).all() == []
    # and every referenced blob is still there, row and bytes, readable by a manager
    for digest in referenced:
        assert has_row(db, digest), digest
        assert on_disk(settings, digest), digest
        assert (
            await client.get(f"/blobs/{digest}", headers=auth(world.token(world.manager)))
        ).status_code == 200


def test_the_registry_knows_every_column_that_holds_blob_hashes() -> None:
    # given every table column whose name says it holds a SHA-256 of content, or photos
    from backend.domain.models import metadata

    columns = {
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if (column.name.endswith("sha256") and "message" not in column.name) or column.name == "photos"
    }
    known = {f"{ref.model.__tablename__}.{ref.column.key}" for ref in REFERENCES}
    # then: the blobs' own tables aside, each one is in the registry (access, quotas and the sweep)
    assert columns - {"blobs.sha256", "uploads.sha256"} <= known


async def test_the_scheduler_runs_the_blob_sweep_once_a_day(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings
) -> None:
    # given: an orphan past its grace
    orphan = await upload(client, world.token(world.tech), png((8, 8, 8)))
    with db.write_session() as session:
        session.execute(
            update(Blob).where(col(Blob.sha256) == orphan).values(created_at=utcnow() - timedelta(days=30))
        )
    sweeper = service(db, settings)

    async def action() -> tuple[int, int]:
        done = await sweeper.sweep()
        return done.uploads + done.blobs, 0

    async def no_diagnosis(actor: Any, source: Any) -> tuple[int, int]:
        raise AssertionError("not a diagnosis sweep")

    at_five = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 05:00 in Istanbul
    scheduler = Scheduler(db, no_diagnosis, [blob_sweep_job(4, action)], clock=lambda: at_five, instance="t")
    # when
    first = await scheduler.tick()
    second = await scheduler.tick()
    # then
    assert first == ["daily-blob-sweep"]
    assert second == []
    assert not has_row(db, orphan)
    with db.read_session() as session:
        row = session.get(ScheduledRun, ("daily-blob-sweep", "2026-12-07"))
    assert row is not None
    assert (row.devices, row.failures) == (1, 0)


async def test_the_cli_sweeps_too(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings
) -> None:
    # given: an orphan past its grace and a referenced blob as old
    tech = world.token(world.tech)
    orphan = await upload(client, tech, png((9, 9, 9)))
    kept = await upload(client, tech, png((9, 9, 10)))
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    run(
        db,
        world.tech,
        "survey.addPoint",
        {
            "id": uuid.uuid4(),
            "surveyId": survey.id,
            "place": "Giriş",
            "areaType": "ENTRANCE",
            "mounting": "WALL",
            "photos": [kept],
        },
    )
    with db.write_session() as session:
        session.execute(update(Blob).values(created_at=utcnow() - timedelta(days=30)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAHA_") and k != "TEST_DATABASE_URL"}
    env.update(
        SAHA_DATA_DIR=str(settings.data_dir),
        SAHA_DATABASE_URL=settings.effective_database_url,
        PYTHONPATH=str(ROOT),
    )
    # when
    done = await anyio.run_process(
        [sys.executable, "-m", "backend", "blob-sweep"], cwd=ROOT, env=env, check=False
    )
    # then
    assert done.returncode == 0, done.stderr.decode()
    assert "1 unused files" in done.stdout.decode()
    assert not has_row(db, orphan)
    assert not on_disk(settings, orphan)
    assert has_row(db, kept)
    assert on_disk(settings, kept)
    assert sha(png((9, 9, 10))) == kept


async def test_the_sweep_deletes_from_the_bucket(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings, s3_bucket: S3Bucket
) -> None:
    # given: an S3 store; an orphan past its grace, a referenced-free fresh blob, an expired upload
    s3_bucket.configure(settings)
    token = world.token(world.tech)
    orphan = await upload(client, token, png((9, 9, 9)))
    fresh = await upload(client, token, png((1, 2, 3)))
    content = png((4, 5, 6))
    location = (await create(client, token, content, filetype="image/png", filename="a.png")).headers[
        "location"
    ]
    assert (await send(client, token, location, 0, content[:50])).status_code == 204
    assert s3_bucket.objects("uploads/") != []
    assert len(s3_bucket.multipart_uploads()) == 1
    with db.write_session() as session:
        session.execute(
            update(Blob).where(col(Blob.sha256) == orphan).values(created_at=utcnow() - timedelta(days=30))
        )
        session.execute(update(Upload).values(created_at=utcnow() - timedelta(days=2)))
    # when
    done = await UploadService(db, s3_bucket.store(), settings).sweep()
    # then: the orphan's object and the expired upload's objects are gone, the fresh blob stays
    assert (done.uploads, done.blobs) == (1, 1)
    assert s3_bucket.objects("uploads/") == []
    assert s3_bucket.multipart_uploads() == []
    assert s3_bucket.objects("blobs/") == [f"blobs/{fresh[:2]}/{fresh[2:4]}/{fresh}"]
    assert not has_row(db, orphan)
    assert all(sha(content) not in key for key in s3_bucket.objects())
