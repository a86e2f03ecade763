"""Resumable, content-addressed uploads (tus 1.0.0) and reading blobs back."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlmodel import func, select

from backend.app import create_app
from backend.config import Settings
from backend.db.engine import Database
from backend.domain.blobs.models import Blob, Upload
from backend.integrations.blobs import store as store_module
from tests.factories import make_work_order, run
from tests.integration.conftest import World

CHUNK = 16 * 1024
TUS = {"tus-resumable": "1.0.0"}


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """``local`` unless a test is parametrized over both stores (``indirect``)."""
    return str(getattr(request, "param", "local"))


BOTH_STORES = pytest.mark.parametrize("store_kind", ["local", "s3"], indirect=True)


@pytest.fixture(autouse=True)
def small_limits(settings: Settings, store_kind: str, request: pytest.FixtureRequest) -> None:
    """Small chunks and files keep the tests fast; the rules are the same."""
    settings.upload_chunk_bytes = 4 * CHUNK
    settings.max_upload_bytes = 40 * CHUNK
    if store_kind == "s3":  # an S3 API server on loopback (tests.s3_support)
        request.getfixturevalue("s3_bucket").configure(settings)


def jpeg(size: int, seed: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + random.Random(seed).randbytes(size - 4)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **TUS, **extra}


async def create(
    client: AsyncTestClient[Any],
    token: str,
    content: bytes,
    *,
    filetype: str | None = "image/jpeg",
    filename: str = "foto.jpg",
    digest: str | None = None,
    length: int | None = None,
) -> httpx.Response:
    meta = {"sha256": digest or sha(content), "filename": filename}
    if filetype is not None:
        meta["filetype"] = filetype
    headers = auth(
        token,
        **{
            "upload-length": str(len(content) if length is None else length),
            "upload-metadata": ",".join(f"{k} {b64(v)}" for k, v in meta.items()),
        },
    )
    return await client.post("/uploads/", headers=headers)


async def send(
    client: AsyncTestClient[Any], token: str, location: str, offset: int, data: bytes, **extra: str
) -> httpx.Response:
    headers = auth(
        token,
        **{"content-type": "application/offset+octet-stream", "upload-offset": str(offset), **extra},
    )
    return await client.patch(location, content=data, headers=headers)


async def offset_of(client: AsyncTestClient[Any], token: str, location: str) -> int:
    response = await client.head(location, headers=auth(token))
    assert response.status_code == 200, response.status_code
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["tus-resumable"] == "1.0.0"
    return int(response.headers["upload-offset"])


async def send_and_drop(
    client: AsyncTestClient[Any], token: str, location: str, offset: int, data: bytes, keep: int
) -> None:
    """A PATCH whose connection dies after ``keep`` bytes (raw ASGI: the test client cannot)."""
    headers = auth(
        token,
        **{
            "content-type": "application/offset+octet-stream",
            "upload-offset": str(offset),
            "content-length": str(len(data)),
            "host": "testserver.local",
        },
    )
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": location,
        "raw_path": location.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
    }
    events: list[dict[str, Any]] = [
        {"type": "http.request", "body": data[:keep], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send_(message: dict[str, Any]) -> None:
        pass

    await client.app(scope, receive, send_)


def count(db: Database, model: type[Blob] | type[Upload]) -> int:
    with db.read_session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def stored_files(settings: Settings, folder: str) -> list[Path]:
    return [p for p in (settings.data_dir / folder).rglob("*") if p.is_file()]


def stored_keys(settings: Settings, folder: str) -> list[str]:
    """What the store holds under ``folder`` (``uploads``, ``blobs``), either store."""
    if settings.blob_store == "local":
        return sorted(str(p.relative_to(settings.data_dir)) for p in stored_files(settings, folder))
    store = store_module.open_blob_store(settings)
    client = store.client  # type: ignore[attr-defined]
    listed = client.list_objects_v2(Bucket=settings.s3_bucket, Prefix=f"{folder}/").get("Contents", [])
    return sorted(o["Key"] for o in listed)


class Client:
    """A tus client that loses its connection at chosen points and resumes as tus-js-client does:
    HEAD for the server's offset, then continue from there. Counts what it sends."""

    def __init__(self, http: AsyncTestClient[Any], token: str, content: bytes) -> None:
        self.http = http
        self.token = token
        self.content = content
        self.sent = 0
        self.location = ""

    async def start(self) -> None:
        response = await create(self.http, self.token, self.content)
        assert response.status_code == 201, response.text
        self.location = response.headers["location"]

    async def upload(self, cut_before: int | None = None, lost_reply_of: int | None = None) -> None:
        """Send chunk by chunk; ``cut_before=k``: the connection drops before chunk k is sent;
        ``lost_reply_of=k``: chunk k is stored but its reply never arrives."""
        offset = 0
        index = 0
        while offset < len(self.content):
            if index == cut_before:
                cut_before = None
                offset = await offset_of(self.http, self.token, self.location)
                continue
            data = self.content[offset : offset + CHUNK]
            self.sent += len(data)
            response = await send(self.http, self.token, self.location, offset, data)
            if response.status_code == 409:  # stale offset: ask the server and go on
                offset = await offset_of(self.http, self.token, self.location)
                continue
            assert response.status_code == 204, response.text
            if index == lost_reply_of:
                lost_reply_of = None
                index += 1
                continue  # the client never learns the new offset and re-sends this chunk
            offset = int(response.headers["upload-offset"])
            index += 1


async def test_options_announce_tus(client: AsyncTestClient[Any], settings: Settings) -> None:
    # when
    response = await client.options("/uploads/")
    # then
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert response.headers["tus-resumable"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {"creation", "termination", "expiration"}
    assert response.headers["tus-max-size"] == str(settings.max_upload_bytes)


@BOTH_STORES
async def test_upload_in_chunks_then_read_back(
    client: AsyncTestClient[Any], world: World, db: Database, settings: Settings
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(5 * CHUNK + 123, seed=1)
    # when
    created = await create(client, token, content)
    location = created.headers["location"]
    before = await client.get(f"/blobs/{sha(content)}", headers=auth(token))
    uploader = Client(client, token, content)
    uploader.location = location
    await uploader.upload()
    after = await client.get(f"/blobs/{sha(content)}", headers=auth(token))  # the uploader, unreferenced
    # then
    assert created.status_code == 201
    assert created.headers["tus-resumable"] == "1.0.0"
    assert location.startswith("/uploads/")
    assert created.headers["upload-offset"] == "0"
    assert before.status_code == 404
    assert before.json()["code"] == "NOT_FOUND"
    assert after.status_code == 200
    assert after.content == content
    assert after.headers["content-type"] == "image/jpeg"
    assert after.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert after.headers["etag"] == f'"{sha(content)}"'
    assert await offset_of(client, token, location) == len(content)
    with db.read_session() as session:
        blob = session.get(Blob, sha(content))
        upload = session.get(Upload, location.rsplit("/", 1)[1])
    assert blob is not None
    assert (blob.size, blob.content_type, blob.created_by_id) == (len(content), "image/jpeg", world.tech.id)
    assert upload is not None
    assert upload.completed_at is not None
    assert upload.filename == "foto.jpg"
    assert stored_keys(settings, "uploads") == []
    digest = sha(content)
    assert stored_keys(settings, "blobs") == [f"blobs/{digest[:2]}/{digest[2:4]}/{digest}"]
    assert b"".join(store_module.open_blob_store(settings).iter_blob(digest)) == content


@pytest.mark.parametrize("cut", [0, 1, 2, 3, 4, 5])
@BOTH_STORES
async def test_a_cut_at_any_chunk_boundary_resumes_without_resending(
    client: AsyncTestClient[Any], world: World, cut: int
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(5 * CHUNK + 500, seed=100 + cut)
    uploader = Client(client, token, content)
    await uploader.start()
    # when: the connection drops before chunk `cut`; HEAD; resume
    await uploader.upload(cut_before=cut)
    # then
    assert uploader.sent == len(content)
    response = await client.get(f"/blobs/{sha(content)}", headers=auth(token))
    assert sha(response.content) == sha(content)


@pytest.mark.parametrize("lost", [0, 2, 5])
@BOTH_STORES
async def test_a_lost_reply_re_sends_at_most_one_chunk(
    client: AsyncTestClient[Any], world: World, lost: int
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(5 * CHUNK + 500, seed=200 + lost)
    uploader = Client(client, token, content)
    await uploader.start()
    # when: chunk `lost` is stored but its reply is lost
    await uploader.upload(lost_reply_of=lost)
    # then: the re-sent chunk is refused (409), the client asks and goes on
    assert len(content) <= uploader.sent <= len(content) + CHUNK
    response = await client.get(f"/blobs/{sha(content)}", headers=auth(token))
    assert sha(response.content) == sha(content)


@BOTH_STORES
async def test_a_connection_dropped_mid_chunk_keeps_what_arrived(
    client: AsyncTestClient[Any], world: World
) -> None:
    # given: two chunks stored
    token = world.token(world.tech)
    content = jpeg(4 * CHUNK, seed=3)
    uploader = Client(client, token, content)
    await uploader.start()
    for i in range(2):
        assert (
            await send(client, token, uploader.location, i * CHUNK, content[i * CHUNK : (i + 1) * CHUNK])
        ).status_code == 204
    # when: the third chunk's connection dies after 5000 bytes
    await send_and_drop(
        client, token, uploader.location, 2 * CHUNK, content[2 * CHUNK : 3 * CHUNK], keep=5000
    )
    resumed_at = await offset_of(client, token, uploader.location)
    rest = await send(client, token, uploader.location, resumed_at, content[resumed_at:])
    # then: the bytes that arrived were kept; less than one chunk is sent again
    assert resumed_at == 2 * CHUNK + 5000
    assert rest.status_code == 204
    assert int(rest.headers["upload-offset"]) == len(content)
    response = await client.get(f"/blobs/{sha(content)}", headers=auth(token))
    assert response.content == content


async def test_wrong_offset_is_refused_and_changes_nothing(
    client: AsyncTestClient[Any], world: World, settings: Settings
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(3 * CHUNK, seed=4)
    location = (await create(client, token, content)).headers["location"]
    assert (await send(client, token, location, 0, content[:CHUNK])).status_code == 204
    # when
    ahead = await send(client, token, location, 2 * CHUNK, content[2 * CHUNK :])
    behind = await send(client, token, location, 0, content[:CHUNK], **{"accept-language": "en"})
    # then
    assert ahead.status_code == 409
    assert ahead.headers["tus-resumable"] == "1.0.0"
    assert ahead.json() == {
        "code": "UPLOAD_OFFSET_MISMATCH",
        "message": f"Yükleme {CHUNK}. bayttan devam etmeli; gönderilen konum farklı.",
    }
    assert behind.status_code == 409
    assert behind.json()["message"] == (
        f"The upload must continue at byte {CHUNK}; a different position was sent."
    )
    assert await offset_of(client, token, location) == CHUNK
    assert [p.stat().st_size for p in stored_files(settings, "uploads")] == [CHUNK]


@BOTH_STORES
async def test_wrong_declared_hash_is_refused_and_nothing_is_stored(
    client: AsyncTestClient[Any], world: World, db: Database, settings: Settings
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(2 * CHUNK, seed=5)
    claimed = sha(b"what the client thought it sent")
    location = (await create(client, token, content, digest=claimed)).headers["location"]
    assert (await send(client, token, location, 0, content[:CHUNK])).status_code == 204
    # when
    last = await send(client, token, location, CHUNK, content[CHUNK:])
    # then
    assert last.status_code == 460
    assert last.json()["code"] == "BLOB_CHECKSUM_MISMATCH"
    assert (await client.head(location, headers=auth(token))).status_code == 404
    assert count(db, Blob) == 0
    assert count(db, Upload) == 0
    assert stored_keys(settings, "uploads") == []
    assert stored_keys(settings, "blobs") == []
    for digest in (claimed, sha(content)):
        assert (await client.get(f"/blobs/{digest}", headers=auth(token))).status_code == 404


async def test_too_large_is_refused(
    client: AsyncTestClient[Any], world: World, settings: Settings, db: Database
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(CHUNK, seed=6)
    # when
    response = await create(client, token, content, length=settings.max_upload_bytes + 1)
    # then
    assert response.status_code == 413
    assert response.json()["code"] == "BLOB_TOO_LARGE"
    assert str(settings.max_upload_bytes) in response.json()["message"]
    assert count(db, Upload) == 0


async def test_a_chunk_over_the_body_limit_is_refused(
    client: AsyncTestClient[Any], world: World, settings: Settings
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(settings.upload_chunk_bytes + CHUNK, seed=7)
    location = (await create(client, token, content)).headers["location"]
    # when
    response = await send(client, token, location, 0, content)
    # then
    assert response.status_code == 413
    assert response.json()["code"] == "LIMIT_EXCEEDED"
    assert await offset_of(client, token, location) == 0


async def test_non_image_named_jpg_is_refused_by_content(
    client: AsyncTestClient[Any], world: World, db: Database, settings: Settings
) -> None:
    # given: no declared type, a .jpg name, text content
    token = world.token(world.tech)
    content = b"#!/bin/sh\necho not a photo\n" * 100
    created = await create(client, token, content, filetype=None, filename="IMG_0001.jpg")
    # when
    response = await send(client, token, created.headers["location"], 0, content)
    # then
    assert created.status_code == 201
    assert response.status_code == 415
    assert response.json()["code"] == "BLOB_TYPE_NOT_ALLOWED"
    assert count(db, Blob) == 0
    assert count(db, Upload) == 0
    assert stored_files(settings, "blobs") == []
    assert stored_files(settings, "uploads") == []


async def test_types_not_allowed_are_refused_at_creation(client: AsyncTestClient[Any], world: World) -> None:
    token = world.token(world.tech)

    response = await create(client, token, b"PK\x03\x04zip", filetype="application/zip", filename="a.zip")

    assert response.status_code == 415
    assert response.json()["code"] == "BLOB_TYPE_NOT_ALLOWED"


@pytest.mark.parametrize("digest", [None, "", "abc", "G" * 64, "a" * 63])
async def test_missing_or_invalid_sha256_is_refused(
    client: AsyncTestClient[Any], world: World, db: Database, digest: str | None
) -> None:
    # given
    meta = [f"filetype {b64('image/jpeg')}"] + ([] if digest is None else [f"sha256 {b64(digest)}"])
    headers = auth(world.token(world.tech), **{"upload-length": "100", "upload-metadata": ",".join(meta)})
    # when
    response = await client.post("/uploads/", headers=headers)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_FAILED"
    assert count(db, Upload) == 0


async def test_existing_content_completes_at_once_for_whoever_may_read_it(
    client: AsyncTestClient[Any], world: World, db: Database
) -> None:
    # given: the technician uploaded a photo
    content = jpeg(2 * CHUNK, seed=9)
    first = Client(client, world.token(world.tech), content)
    await first.start()
    await first.upload()
    # when: the same person uploads the same content again (another phone of theirs)
    token = world.token(world.tech)
    again = await create(client, token, content, filename="kopya.jpg")
    # then
    assert again.status_code == 201
    assert again.headers["upload-offset"] == str(len(content))
    assert await offset_of(client, token, again.headers["location"]) == len(content)
    assert count(db, Blob) == 1
    assert count(db, Upload) == 2


async def test_only_the_uploader_may_touch_an_upload(client: AsyncTestClient[Any], world: World) -> None:
    # given
    owner = world.token(world.tech)
    other = world.token(world.admin)
    content = jpeg(2 * CHUNK, seed=10)
    location = (await create(client, owner, content)).headers["location"]
    # when
    patched = await send(client, other, location, 0, content[:CHUNK])
    headed = await client.head(location, headers=auth(other))
    deleted = await client.delete(location, headers=auth(other))
    # then
    assert patched.status_code == 404
    assert patched.json()["code"] == "UPLOAD_NOT_FOUND"
    assert headed.status_code == 404
    assert deleted.status_code == 404
    assert await offset_of(client, owner, location) == 0


async def test_sign_in_and_tus_version_are_required(client: AsyncTestClient[Any], world: World) -> None:
    # given
    content = jpeg(CHUNK, seed=11)
    token = world.token(world.tech)
    location = (await create(client, token, content)).headers["location"]
    # when
    anonymous = await client.post("/uploads/", headers={**TUS, "upload-length": "10"})
    bad_token = await client.head(location, headers=auth("not-a-token"))
    no_tus = await client.patch(
        location,
        content=content,
        headers={
            "authorization": f"Bearer {token}",
            "content-type": "application/offset+octet-stream",
            "upload-offset": "0",
        },
    )
    wrong_type = await send(client, token, location, 0, content, **{"content-type": "image/jpeg"})
    blob_anonymous = await client.get(f"/blobs/{sha(content)}")
    # then
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "AUTH_REQUIRED"
    assert bad_token.status_code == 401
    assert no_tus.status_code == 412
    assert wrong_type.status_code == 415
    assert blob_anonymous.status_code == 401
    assert await offset_of(client, token, location) == 0


@BOTH_STORES
async def test_termination_forgets_the_upload(
    client: AsyncTestClient[Any], world: World, db: Database, settings: Settings
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(2 * CHUNK, seed=12)
    location = (await create(client, token, content)).headers["location"]
    assert (await send(client, token, location, 0, content[:CHUNK])).status_code == 204
    # when
    response = await client.delete(location, headers=auth(token))
    # then
    assert response.status_code == 204
    assert (await client.head(location, headers=auth(token))).status_code == 404
    assert count(db, Upload) == 0
    assert stored_keys(settings, "uploads") == []


@pytest.mark.parametrize("store_kind", ["s3"], indirect=True)
async def test_a_shared_store_lets_one_request_at_a_time_write_an_upload(
    client: AsyncTestClient[Any], world: World, db: Database
) -> None:
    # given: another replica holds the upload (its lease runs for another minute)
    token = world.token(world.tech)
    content = jpeg(2 * CHUNK, seed=21)
    location = (await create(client, token, content)).headers["location"]
    upload_id = location.rsplit("/", 1)[1]

    def lease(until: datetime) -> None:
        with db.write_session() as session:
            session.execute(
                update(Upload)
                .where(Upload.id == upload_id)  # type: ignore[arg-type]
                .values(lease_owner="other-replica", lease_until=until)
            )

    lease(datetime.now(UTC) + timedelta(minutes=1))
    # when
    busy = await send(client, token, location, 0, content[:CHUNK])
    lease(datetime.now(UTC) - timedelta(seconds=1))  # that replica died: its lease ran out
    taken_over = await send(client, token, location, 0, content[:CHUNK])
    done = await send(client, token, location, CHUNK, content[CHUNK:])
    # then
    assert busy.status_code == 423
    assert busy.json()["code"] == "UPLOAD_BUSY"
    assert taken_over.status_code == 204
    assert done.status_code == 204
    with db.read_session() as session:
        row = session.get(Upload, upload_id)
    assert row is not None
    assert (row.lease_owner, row.lease_until, row.completed_at is not None) == (None, None, True)
    assert (await client.get(f"/blobs/{sha(content)}", headers=auth(token))).content == content


async def test_pdf_documents_are_accepted(client: AsyncTestClient[Any], world: World) -> None:
    # given
    token = world.token(world.manager)
    content = b"%PDF-1.7\n" + random.Random(13).randbytes(3000) + b"\n%%EOF\n"
    location = (
        await create(client, token, content, filetype="application/pdf", filename="tutanak.pdf")
    ).headers["location"]
    # when
    done = await send(client, token, location, 0, content)
    blob = await client.get(f"/blobs/{sha(content)}", headers=auth(token))
    cached = await client.get(
        f"/blobs/{sha(content)}", headers=auth(token, **{"if-none-match": blob.headers["etag"]})
    )
    # then
    assert done.status_code == 204
    assert blob.headers["content-type"] == "application/pdf"
    assert blob.content == content
    assert cached.status_code == 304


async def test_offset_is_recorded_only_after_the_bytes_are_durable(
    client: AsyncTestClient[Any], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: fsync of the next append fails (disk error) after the bytes were written
    token = world.token(world.tech)
    content = jpeg(3 * CHUNK, seed=14)
    location = (await create(client, token, content)).headers["location"]
    assert (await send(client, token, location, 0, content[:CHUNK])).status_code == 204

    def failing_commit(self: Any) -> int:
        raise OSError("fsync failed")

    monkeypatch.setattr(store_module._LocalPartialWriter, "commit", failing_commit)
    # when
    failed = await send(client, token, location, CHUNK, content[CHUNK : 2 * CHUNK])
    monkeypatch.undo()
    offset = await offset_of(client, token, location)
    rest = await send(client, token, location, offset, content[offset:])
    # then: the unconfirmed chunk was not counted, and sending it again completes the upload
    assert failed.status_code == 500
    assert failed.json() == {
        "code": "INTERNAL",
        "message": f"Beklenmeyen bir hata oluştu (istek no: {failed.headers['x-request-id']}).",
    }
    assert offset == CHUNK
    assert rest.status_code == 204
    blob = await client.get(f"/blobs/{sha(content)}", headers=auth(token))
    assert blob.content == content


async def test_cross_origin_clients_can_read_tus_headers(
    settings: Settings, db: Database, world: World
) -> None:
    # given
    settings.allowed_origins = ["https://saha.example"]
    origin = {"origin": "https://saha.example"}
    content = jpeg(CHUNK, seed=15)
    async with AsyncTestClient(app=create_app(settings, db)) as c:
        # when
        preflight = await c.options(
            "/uploads/x",
            headers={
                **origin,
                "access-control-request-method": "PATCH",
                "access-control-request-headers": "authorization,tus-resumable,upload-offset,content-type",
            },
        )
        created = await create(c, world.token(world.tech), content)
        created_cors = await c.post("/uploads/", headers={**created.request.headers, **origin})
    # then
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "https://saha.example"
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "upload-offset" in allowed or allowed == "*"
    exposed = {h.strip().lower() for h in created_cors.headers["access-control-expose-headers"].split(",")}
    assert {"location", "upload-offset", "upload-length", "tus-resumable"} <= exposed


# ---- malformed headers: always a 4xx with a catalogue code, never a 500 ----------------------------

MALFORMED_NUMBERS = ["²", "١٢", "1_0", " 12", "12 ", "+12", "-1", "0x10", "1e3", "", "9" * 40]


def raw(value: str) -> bytes:
    """A header value as a client may put it on the wire: Latin-1 when it can (the server reads
    headers as Latin-1, so the byte 0xB2 arrives as "²"), else UTF-8."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]


async def on_the_wire(
    client: AsyncTestClient[Any], method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> Answer:
    """One request with its header bytes exactly as given (raw ASGI: the test client re-encodes
    non-ASCII header values, a real client need not)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), raw(v)) for k, v in {"host": "testserver.local", **headers}.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
    }
    events: list[dict[str, Any]] = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send_(message: dict[str, Any]) -> None:
        sent.append(message)

    await client.app(scope, receive, send_)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], json.loads(content) if content else {})


@pytest.mark.parametrize("value", MALFORMED_NUMBERS)
async def test_a_malformed_upload_length_is_refused(
    client: AsyncTestClient[Any], world: World, db: Database, value: str
) -> None:
    # given
    meta = f"sha256 {b64('ab' * 32)},filetype {b64('image/jpeg')}"
    headers = auth(world.token(world.tech), **{"upload-metadata": meta, "upload-length": value})
    # when
    response = await on_the_wire(client, "POST", "/uploads/", headers)
    # then
    assert response.status == 400, response.body
    assert response.body["code"] == "VALIDATION_FAILED"
    assert "Upload-Length" in response.body["message"]
    assert count(db, Upload) == 0


@pytest.mark.parametrize("value", MALFORMED_NUMBERS)
async def test_a_malformed_upload_offset_is_refused(
    client: AsyncTestClient[Any], world: World, value: str
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(CHUNK, seed=30)
    location = (await create(client, token, content)).headers["location"]
    headers = auth(token, **{"content-type": "application/offset+octet-stream", "upload-offset": value})
    # when
    response = await on_the_wire(client, "PATCH", location, headers, content)
    # then
    assert response.status == 400, response.body
    assert response.body["code"] == "VALIDATION_FAILED"
    assert await offset_of(client, token, location) == 0


@pytest.mark.parametrize("value", ["²", "1_0", "abc", "-5", "١٢"])
async def test_a_malformed_content_length_is_refused(
    client: AsyncTestClient[Any], world: World, value: str
) -> None:
    # given
    token = world.token(world.tech)
    content = jpeg(CHUNK, seed=31)
    location = (await create(client, token, content)).headers["location"]
    headers = auth(
        token,
        **{"content-type": "application/offset+octet-stream", "upload-offset": "0", "content-length": value},
    )
    # when
    response = await on_the_wire(client, "PATCH", location, headers, content)
    # then
    assert response.status == 400, response.body
    assert response.body["code"] == "VALIDATION_FAILED"
    assert await offset_of(client, token, location) == 0


@pytest.mark.parametrize(
    "metadata",
    [
        "sha256 şşş",  # not base64 (and not ASCII)
        "sha256 ²²²²",
        f"sha256 {b64('ab' * 32)},sha256 {b64('ab' * 32)}",  # twice
        "sha256 a b c",
        "filename " + base64.b64encode(b"\xff\xfe").decode(),  # not UTF-8
        f"sha256 {b64('ab' * 32)},filetype {b64('image/jpeg')},x ===",
    ],
)
async def test_malformed_upload_metadata_is_refused(
    client: AsyncTestClient[Any], world: World, db: Database, metadata: str
) -> None:
    # given
    headers = auth(world.token(world.tech), **{"upload-length": "10", "upload-metadata": metadata})
    # when
    response = await on_the_wire(client, "POST", "/uploads/", headers)
    # then
    assert response.status == 400, response.body
    assert response.body["code"] == "VALIDATION_FAILED"
    assert count(db, Upload) == 0


@pytest.mark.parametrize("value", ["²", "1.0.0 ", "0.2.2", "", "1.0.0,1.0.0", "١"])
async def test_a_malformed_tus_resumable_is_refused(
    client: AsyncTestClient[Any], world: World, value: str
) -> None:
    # given
    headers = {
        "authorization": f"Bearer {world.token(world.tech)}",
        "upload-length": "10",
        "tus-resumable": value,
    }
    # when
    response = await on_the_wire(client, "POST", "/uploads/", headers)
    # then
    assert response.status == 412
    assert response.body["code"] == "VALIDATION_FAILED"


# ---- quotas, expiry, image size ---------------------------------------------------------------------


async def test_unfinished_uploads_and_unused_blobs_count_against_a_quota_per_person(
    client: AsyncTestClient[Any], world: World, db: Database, settings: Settings
) -> None:
    # given: a quota of three chunks
    settings.upload_quota_bytes = 3 * CHUNK
    token = world.token(world.tech)
    first, second = jpeg(2 * CHUNK, seed=40), jpeg(2 * CHUNK, seed=41)
    started = await create(client, token, first)
    # when: a second upload would exceed it while the first is unfinished
    over = await create(client, token, second)
    # and after the first finished but nothing uses it yet
    assert (await send(client, token, started.headers["location"], 0, first)).status_code == 204
    still_over = await create(client, token, second)
    other_person = await create(client, world.token(world.tech_south), second)
    # and after a work order uses it
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    run(
        db,
        world.tech,
        "workorder.attach",
        {"work_order_id": wo.id, "id": uuid.uuid4(), "blob_sha256": sha(first), "content_type": "image/jpeg"},
    )
    room = await create(client, token, second)
    # then
    assert started.status_code == 201
    for refused in (over, still_over):
        assert refused.status_code == 413
        assert refused.json()["code"] == "UPLOAD_QUOTA_EXCEEDED"
        assert str(3 * CHUNK) in refused.json()["message"]
        assert str(2 * CHUNK) in refused.json()["message"]  # what is in use
    assert other_person.status_code == 201
    assert room.status_code == 201


async def test_an_unfinished_upload_expires(
    client: AsyncTestClient[Any], world: World, db: Database, settings: Settings
) -> None:
    # given: an upload with one chunk stored
    settings.upload_expiry_hours = 24
    settings.upload_quota_bytes = 3 * CHUNK
    token = world.token(world.tech)
    content = jpeg(2 * CHUNK, seed=42)
    created = await create(client, token, content)
    location = created.headers["location"]
    assert (await send(client, token, location, 0, content[:CHUNK])).status_code == 204
    expires = parsedate_to_datetime(created.headers["upload-expires"])
    # when: a day has passed
    with db.write_session() as session:
        session.execute(update(Upload).values(created_at=datetime.now(UTC) - timedelta(hours=24, seconds=1)))
    head = await client.head(location, headers=auth(token))
    patch = await send(client, token, location, CHUNK, content[CHUNK:])
    again = await create(client, token, jpeg(2 * CHUNK, seed=43))  # its bytes no longer count
    # then
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
    assert head.status_code == 404
    assert patch.status_code == 404
    assert patch.json()["code"] == "UPLOAD_NOT_FOUND"
    assert again.status_code == 201
    assert count(db, Upload) == 1
    assert stored_files(settings, "uploads") == [
        settings.data_dir / "uploads" / again.headers["location"][9:]
    ]


def _png(size: tuple[int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", size, 200).save(out, format="PNG")
    return out.getvalue()


async def test_an_image_over_the_pixel_limit_is_refused_when_complete(
    client: AsyncTestClient[Any], world: World, db: Database, settings: Settings
) -> None:
    # given: a limit of 2 megapixels
    settings.image_max_pixels = 2_000_000
    token = world.token(world.tech)
    big, fits = _png((2000, 1001)), _png((2000, 1000))
    # when
    refused = []
    for data in (big,):
        created = await create(client, token, data, filetype="image/png", filename="b.png")
        refused.append(await send(client, token, created.headers["location"], 0, data))
    created = await create(client, token, fits, filetype="image/png", filename="f.png")
    accepted = await send(client, token, created.headers["location"], 0, fits)
    english = await create(client, token, big, filetype="image/png", filename="b.png")
    english_refusal = await send(
        client, token, english.headers["location"], 0, big, **{"accept-language": "en"}
    )
    # then
    [turkish] = refused
    assert turkish.status_code == 422
    assert turkish.json() == {
        "code": "IMAGE_TOO_LARGE",
        "message": "Görüntü çok büyük (2000×1001 px): en fazla 2 megapiksel kabul edilir. Fotoğrafı daha "
        "küçük bir çözünürlükte kaydedip yeniden yükleyin.",
    }
    assert "at most 2 megapixels" in english_refusal.json()["message"]
    assert accepted.status_code == 204
    assert count(db, Blob) == 1
    assert stored_files(settings, "uploads") == []
    assert (await client.get(f"/blobs/{sha(big)}", headers=auth(token))).status_code == 404
