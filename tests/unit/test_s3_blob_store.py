"""What only ``S3BlobStore`` has to get right, against an S3 API server on loopback (moto):
multipart parts of ≥ 5 MiB, a resume below what is stored across part boundaries (S3 cannot
truncate), another instance (replica) picking an upload up, the hash verified before anything
reaches ``blobs/``, ranged reads, and what is left in the bucket afterwards."""

from __future__ import annotations

import hashlib
import random

import pytest

from backend.integrations.blobs.s3 import PART_MIN, S3BlobStore
from backend.integrations.blobs.store import ChecksumMismatchError, PartialMissingError
from tests.s3_support import S3Bucket

MiB = 1024 * 1024
CONTENT = b"\xff\xd8\xff\xe0" + random.Random(7).randbytes(13 * MiB)  # two parts and a tail


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def append(store: S3BlobStore, upload_id: str, offset: int, data: bytes) -> int:
    writer = store.open_partial(upload_id, offset)
    try:
        for i in range(0, len(data), MiB):  # as the service writes: buffers of 1 MiB
            writer.write(data[i : i + MiB])
        return writer.commit()
    finally:
        writer.close()


def manifest_parts(store: S3BlobStore, upload_id: str) -> list[int]:
    manifest = store._get_manifest(upload_id)
    assert manifest is not None
    return [p.size for p in manifest.parts]


def test_chunks_become_parts_of_at_least_5_mib_and_the_rest_a_tail(s3_bucket: S3Bucket) -> None:
    # given: chunks of 3 MiB, each on a fresh instance (a different replica every time)
    offset = 0
    # when
    for start in range(0, 9 * MiB, 3 * MiB):
        offset = append(s3_bucket.store(), "u1", offset, CONTENT[start : start + 3 * MiB])
    # then: 3 (tail) + 3 → a 6 MiB part; 3 more → tail
    store = s3_bucket.store()
    assert offset == 9 * MiB
    assert manifest_parts(store, "u1") == [6 * MiB]
    assert store.partial_size("u1") == 9 * MiB
    assert all(size >= PART_MIN for size in manifest_parts(store, "u1"))


def test_a_resume_below_what_is_stored_rewrites_the_last_part(s3_bucket: S3Bucket) -> None:
    # given: 5 MiB confirmed, then a 6 MiB chunk stored as part 2 whose offset never reached the
    # database (the replica died between the commit and the database write)
    store = s3_bucket.store()
    append(store, "u1", 0, CONTENT[: 5 * MiB])
    append(store, "u1", 5 * MiB, CONTENT[5 * MiB : 11 * MiB])
    assert manifest_parts(store, "u1") == [5 * MiB, 6 * MiB]
    # when: another replica resumes at the confirmed offset, with chunks that cut differently
    other = s3_bucket.store()
    offset = append(other, "u1", 5 * MiB, CONTENT[5 * MiB : 7 * MiB])
    offset = append(s3_bucket.store(), "u1", offset, CONTENT[offset:])
    # then: the content is exactly the original, not the dropped part's bytes twice
    assert offset == len(CONTENT)
    s3_bucket.store().finalize("u1", sha(CONTENT), len(CONTENT))
    assert b"".join(store.iter_blob(sha(CONTENT))) == CONTENT
    assert s3_bucket.objects("uploads/") == []
    assert s3_bucket.multipart_uploads() == []


def test_a_resume_inside_the_tail_and_inside_a_part_keeps_only_confirmed_bytes(
    s3_bucket: S3Bucket,
) -> None:
    # given: part of 5 MiB + tail of 2 MiB stored
    store = s3_bucket.store()
    append(store, "u1", 0, CONTENT[: 5 * MiB])
    append(store, "u1", 5 * MiB, CONTENT[5 * MiB : 7 * MiB])
    # when: resumed inside the tail, then (after that commit was lost too) inside the part
    append(store, "u1", 6 * MiB, b"\x00" * 100)  # wrong bytes, never confirmed
    append(store, "u1", 3 * MiB, CONTENT[3 * MiB : 4 * MiB])
    assert store.partial_size("u1") == 4 * MiB
    assert manifest_parts(store, "u1") == []  # the part went back to being a tail
    offset = append(store, "u1", 4 * MiB, CONTENT[4 * MiB :])
    # then
    store.finalize("u1", sha(CONTENT), offset)
    assert b"".join(store.iter_blob(sha(CONTENT))) == CONTENT


def test_finalize_verifies_the_hash_of_the_assembled_parts(s3_bucket: S3Bucket) -> None:
    # given: every byte stored, one flipped in the second part
    store = s3_bucket.store()
    bad = bytearray(CONTENT)
    bad[7 * MiB] ^= 1
    append(store, "u1", 0, bytes(bad[: 6 * MiB]))
    append(store, "u1", 6 * MiB, bytes(bad[6 * MiB :]))
    # when
    with pytest.raises(ChecksumMismatchError):
        store.finalize("u1", sha(CONTENT), len(CONTENT))
    # then: nothing under blobs/, the upload gone, no multipart upload left behind
    assert not store.exists(sha(CONTENT))
    assert s3_bucket.objects() == []
    assert s3_bucket.multipart_uploads() == []
    with pytest.raises(PartialMissingError):
        store.open_partial("u1", 6 * MiB)


def test_a_wrong_length_is_refused_before_anything_is_assembled(s3_bucket: S3Bucket) -> None:
    store = s3_bucket.store()
    append(store, "u1", 0, CONTENT[:1000])
    with pytest.raises(ChecksumMismatchError):
        store.finalize("u1", sha(CONTENT[:1000]), 999)
    assert s3_bucket.objects() == []


def test_a_finalize_interrupted_after_assembly_completes_on_retry(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the copy into blobs/ fails once (the store is briefly away)
    store = s3_bucket.store()
    append(store, "u1", 0, CONTENT[: 6 * MiB])
    append(store, "u1", 6 * MiB, CONTENT[6 * MiB :])
    real_copy = store.client.copy_object

    def failing_copy(**kw: object) -> object:
        from botocore.exceptions import EndpointConnectionError

        raise EndpointConnectionError(endpoint_url="http://gone")

    monkeypatch.setattr(store.client, "copy_object", failing_copy)
    with pytest.raises(Exception, match="gone"):
        store.finalize("u1", sha(CONTENT), len(CONTENT))
    assert not store.exists(sha(CONTENT))
    monkeypatch.setattr(store.client, "copy_object", real_copy)
    # when: another replica retries
    s3_bucket.store().finalize("u1", sha(CONTENT), len(CONTENT))
    # then
    assert b"".join(store.iter_blob(sha(CONTENT))) == CONTENT
    assert s3_bucket.objects("uploads/") == []


def test_ranges_and_streams_of_a_blob(s3_bucket: S3Bucket) -> None:
    # given
    store = s3_bucket.store()
    append(store, "u1", 0, CONTENT[: 2 * MiB])
    store.finalize("u1", sha(CONTENT[: 2 * MiB]), 2 * MiB)
    digest = sha(CONTENT[: 2 * MiB])
    # when / then
    assert store.read_head(digest, 4) == CONTENT[:4]
    assert store.read_range(digest, MiB - 3, MiB + 5) == CONTENT[MiB - 3 : MiB + 5]
    assert store.read_range(digest, 2 * MiB - 2, 2 * MiB + 10) == CONTENT[2 * MiB - 2 : 2 * MiB]
    assert store.read_range(digest, 2 * MiB, 2 * MiB + 10) == b""
    chunks = list(store.iter_blob(digest))
    assert len(chunks) > 1
    assert b"".join(chunks) == CONTENT[: 2 * MiB]
    with pytest.raises(FileNotFoundError):
        store.iter_blob(sha(b"absent"))
    with pytest.raises(FileNotFoundError):
        store.read_head(sha(b"absent"), 4)


def test_empty_content_and_prefix(s3_bucket: S3Bucket) -> None:
    store = S3BlobStore(s3_bucket.server.client(), s3_bucket.name, prefix="saha/")
    store.create_partial("u0")
    store.finalize("u0", sha(b""), 0)
    assert b"".join(store.iter_blob(sha(b""))) == b""
    assert s3_bucket.objects() == [f"saha/blobs/{sha(b'')[:2]}/{sha(b'')[2:4]}/{sha(b'')}"]
    store.delete_blob(sha(b""))
    store.delete_blob(sha(b""))  # absent: no error
    assert s3_bucket.objects() == []
