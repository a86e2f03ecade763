"""The blob stores — ``LocalBlobStore`` and ``S3BlobStore`` (against an S3 API server on
loopback) — keep one contract: durable appends, unconfirmed bytes dropped on reopen, verified
atomic finalize; and the content sniffing that decides what a file is."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from backend.integrations.blobs import sniff
from backend.integrations.blobs.store import (
    BlobStore,
    ChecksumMismatchError,
    LocalBlobStore,
    PartialBusyError,
    PartialMissingError,
)
from tests.s3_support import S3Bucket

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
MiB = 1024 * 1024

MakeStore = Callable[[], BlobStore]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def append(store: BlobStore, upload_id: str, offset: int, data: bytes) -> int:
    writer = store.open_partial(upload_id, offset)
    try:
        writer.write(data)
        return writer.commit()
    finally:
        writer.close()


@pytest.fixture(params=["local", "s3"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> MakeStore:
    """New store instances on one folder or bucket: a restart, or another replica."""
    if request.param == "local":
        return lambda: LocalBlobStore(tmp_path)
    bucket: S3Bucket = request.getfixturevalue("s3_bucket")
    return bucket.store


def stored_blobs(store: BlobStore) -> list[str]:
    if isinstance(store, LocalBlobStore):
        return sorted(p.name for p in store.blobs_dir.rglob("*") if p.is_file())
    from backend.integrations.blobs.s3 import S3BlobStore

    assert isinstance(store, S3BlobStore)
    listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix="blobs/").get("Contents", [])
    return sorted(o["Key"].rsplit("/", 1)[-1] for o in listed)


def test_committed_offset_survives_a_new_store_instance(make_store: MakeStore) -> None:
    # given
    store = make_store()
    store.create_partial("u1")
    # when
    offset = append(store, "u1", 0, JPEG[:1000])
    offset = append(make_store(), "u1", offset, JPEG[1000:2500])
    reopened = make_store()
    # then
    assert offset == 2500
    assert reopened.partial_size("u1") == 2500
    reopened.finalize("u1", sha(JPEG[:2500]), 2500)
    assert b"".join(store.iter_blob(sha(JPEG[:2500]))) == JPEG[:2500]


def test_bytes_beyond_the_confirmed_offset_are_dropped_on_reopen(make_store: MakeStore) -> None:
    # given: 1000 bytes confirmed, then 500 stored whose offset never reached the database
    store = make_store()
    append(store, "u1", 0, JPEG[:1000])
    append(store, "u1", 1000, b"\x00" * 500)
    assert store.partial_size("u1") == 1500
    # when: the append resumes at the confirmed offset
    offset = append(make_store(), "u1", 1000, JPEG[1000:1200])
    # then
    assert offset == 1200
    assert store.partial_size("u1") == 1200
    store.finalize("u1", sha(JPEG[:1200]), 1200)
    assert b"".join(store.iter_blob(sha(JPEG[:1200]))) == JPEG[:1200]


def test_uncommitted_bytes_are_dropped_on_reopen(tmp_path: Path) -> None:
    # given: written but never committed (a crash before fsync)
    store = LocalBlobStore(tmp_path)
    append(store, "u1", 0, JPEG[:1000])
    writer = store.open_partial("u1", 1000)
    writer.write(b"\x00" * 500)
    writer.close()
    # when
    offset = append(LocalBlobStore(tmp_path), "u1", 1000, JPEG[1000:1200])
    # then
    assert offset == 1200
    assert store.partial_path("u1").read_bytes() == JPEG[:1200]


def test_opening_beyond_what_is_stored_reports_the_stored_size(make_store: MakeStore) -> None:
    # given
    store = make_store()
    append(store, "u1", 0, JPEG[:100])
    # when / then
    with pytest.raises(PartialMissingError) as info:
        store.open_partial("u1", 300)
    assert info.value.size == 100
    with pytest.raises(PartialMissingError):
        store.open_partial("never-created", 10)


def test_one_writer_at_a_time(make_store: MakeStore) -> None:
    # given
    store = make_store()
    store.create_partial("u1")
    first = store.open_partial("u1", 0)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            store.open_partial("u1", 0)
        except BaseException as exc:
            errors.append(exc)

    # when
    thread = threading.Thread(target=second)
    thread.start()
    thread.join()
    first.close()
    # then
    assert len(errors) == 1
    assert isinstance(errors[0], PartialBusyError)
    store.open_partial("u1", 0).close()  # free again once the first writer closed


def test_finalize_moves_verified_content_into_place(make_store: MakeStore) -> None:
    # given
    store = make_store()
    append(store, "u1", 0, JPEG)
    seen: list[bytes] = []
    # when
    store.finalize("u1", sha(JPEG), len(JPEG), seen.append)
    # then
    digest = sha(JPEG)
    if isinstance(store, LocalBlobStore):
        assert store.blob_path(digest) == store.blobs_dir / digest[:2] / digest[2:4] / digest
    assert stored_blobs(store) == [digest]
    assert store.exists(digest)
    assert b"".join(store.iter_blob(digest)) == JPEG
    assert store.read_head(digest, 3) == b"\xff\xd8\xff"
    assert seen == [JPEG[:64]]
    assert store.partial_size("u1") is None
    # and again (a retry after a failed database write) is harmless
    make_store().finalize("u1", digest, len(JPEG))
    assert b"".join(store.iter_blob(digest)) == JPEG


def test_finalize_with_wrong_hash_discards_and_stores_nothing(make_store: MakeStore) -> None:
    # given
    store = make_store()
    append(store, "u1", 0, JPEG)
    wrong = sha(b"something else")
    # when
    with pytest.raises(ChecksumMismatchError):
        store.finalize("u1", wrong, len(JPEG))
    # then
    assert store.partial_size("u1") is None
    assert not store.exists(wrong)
    assert not store.exists(sha(JPEG))
    assert stored_blobs(store) == []


def test_finalize_with_refused_content_discards_and_stores_nothing(make_store: MakeStore) -> None:
    # given
    store = make_store()
    append(store, "u1", 0, JPEG)

    def refuse(head: bytes) -> None:
        raise ValueError("not wanted")

    # when
    with pytest.raises(ValueError, match="not wanted"):
        store.finalize("u1", sha(JPEG), len(JPEG), refuse)
    # then
    assert store.partial_size("u1") is None
    assert not store.exists(sha(JPEG))


def test_finalize_is_atomic_when_the_move_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    store = LocalBlobStore(tmp_path)
    append(store, "u1", 0, JPEG)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken_replace)
    # when
    with pytest.raises(OSError, match="disk gone"):
        store.finalize("u1", sha(JPEG), len(JPEG))
    # then: no half blob, and the partial is still there to retry
    assert not store.exists(sha(JPEG))
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []
    assert store.partial_size("u1") == len(JPEG)
    monkeypatch.undo()
    store.finalize("u1", sha(JPEG), len(JPEG))
    assert store.exists(sha(JPEG))


def test_finalize_of_content_already_stored_keeps_one_copy(make_store: MakeStore) -> None:
    # given
    store = make_store()
    append(store, "u1", 0, JPEG)
    append(store, "u2", 0, JPEG)
    store.finalize("u1", sha(JPEG), len(JPEG))
    # when
    store.finalize("u2", sha(JPEG), len(JPEG))
    # then
    assert store.partial_size("u2") is None
    assert stored_blobs(store) == [sha(JPEG)]


def test_ids_cannot_escape_the_data_folder(make_store: MakeStore) -> None:
    store = make_store()
    with pytest.raises(ValueError, match="upload id"):
        store.create_partial("../secret_key")
    with pytest.raises(ValueError, match="sha256"):
        store.exists("../../" + "a" * 58)


@pytest.mark.parametrize(
    ("head", "declared", "ok"),
    [
        (b"\xff\xd8\xff\xe1rest", "image/jpeg", True),
        (b"\x89PNG\r\n\x1a\n....", "image/png", True),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", True),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic", True),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00", "image/heif", True),
        (b"%PDF-1.7\n", "application/pdf", True),
        (b"hello, world", "image/jpeg", False),
        (b"\x89PNG\r\n\x1a\n....", "image/jpeg", False),
        (b"<html><script>", "application/pdf", False),
        (b"\xff\xd8\xff\xe1rest", "text/plain", False),
    ],
)
def test_content_is_judged_by_its_first_bytes(head: bytes, declared: str, ok: bool) -> None:
    assert sniff.matches(declared, head) is ok
