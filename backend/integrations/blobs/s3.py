"""``BlobStore`` on an S3-compatible object store (AWS S3, MinIO, Ceph RGW, Garage, moto).

Several server replicas share one bucket: nothing about an upload lives on a replica's disk or in
its memory between requests. Keys under the configured prefix::

    blobs/ab/cd/<sha256>              complete, verified content (never changes)
    uploads/<id>/manifest.json        the committed state of a partial upload (see below)
    uploads/<id>/seg-<n>              the bytes of the last part, or the tail not yet a part
    uploads/<id>/assembled            the multipart upload's key; the object exists once completed

A partial upload is one S3 multipart upload. S3 parts must be ≥ 5 MiB except the last, and a
part cannot be read back before completion, so each ``commit`` first stores what it has as a
segment object (one PUT):

- a segment of ≥ ``PART_MIN`` bytes becomes the next part by a server-side ``UploadPartCopy``
  (no second transfer) and stays until the following part exists — the content of the last part
  is what a truncation may need;
- a shorter one is the *tail*: bytes that will start the next part (or be the last part).

Then the manifest is written (one PUT, atomic): it is the commit point. It names the multipart
upload id, the parts (number, ETag, size), the last part's segment and the tail. The committed
size is the parts plus the tail. Parts or segments written by a commit that never reached the
manifest are ignored: part numbers are reused (S3 replaces a part by number) and stray segments
are deleted with the upload.

**Truncate** (``open_partial`` below what is stored, i.e. the database's confirmed offset lags
one commit behind): inside the tail, the writer starts from the tail's first bytes (a ranged
GET); inside the last part, that part is dropped and its segment's first bytes become the
writer's start. The confirmed offset never lags more than one commit (the service opens at it
every time), so that is all S3 needs.

**Finalize** completes the multipart upload at ``uploads/<id>/assembled`` (the tail as the last
part), then reads it back once — hashing, keeping the first bytes, spooling to a temporary file
for ``inspect`` — and only when it verifies, ``CopyObject``s it to ``blobs/ab/cd/<sha256>``: a
reader never sees an unverified blob. (A running digest cannot be kept across replicas: hashlib's
state does not serialize, so the content is re-read; one GET of at most ``max_upload_bytes``.)

**Locking**: within one process a writer holds the upload exclusively (``PartialBusyError``);
across replicas the upload service holds a lease on the ``uploads`` row (``shared = True``).

Incomplete multipart uploads that lose their manifest (a crash between create and the first
manifest) are invisible here: the bucket's lifecycle rule ``AbortIncompleteMultipartUpload``
removes them (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from backend.integrations.blobs.sniff import HEAD_BYTES
from backend.integrations.blobs.store import (
    READ_CHUNK,
    ChecksumMismatchError,
    PartialBusyError,
    PartialMissingError,
    PartialWriter,
    _check_sha256,
    _check_upload_id,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PART_MIN = 5 * 1024 * 1024  # S3's smallest part (all but the last)
SPOOL_BYTES = 1024 * 1024  # a writer's buffer stays in memory up to this, then a temporary file


@dataclass
class Part:
    number: int
    etag: str
    size: int


@dataclass
class Manifest:
    mpu: str  # S3 multipart upload id
    gen: int = 0  # increases with every commit: names fresh segments
    parts: list[Part] = field(default_factory=list)
    last_seg: str | None = None  # segment holding the last part's bytes
    tail: str | None = None  # segment holding bytes not yet in a part
    tail_size: int = 0

    @property
    def parts_size(self) -> int:
        return sum(p.size for p in self.parts)

    @property
    def size(self) -> int:
        return self.parts_size + self.tail_size

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "mpu": self.mpu,
                "gen": self.gen,
                "parts": [[p.number, p.etag, p.size] for p in self.parts],
                "last_seg": self.last_seg,
                "tail": self.tail,
                "tail_size": self.tail_size,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        d = json.loads(raw)
        return cls(
            mpu=str(d["mpu"]),
            gen=int(d["gen"]),
            parts=[Part(int(n), str(e), int(s)) for n, e, s in d["parts"]],
            last_seg=d["last_seg"],
            tail=d["tail"],
            tail_size=int(d["tail_size"]),
        )


def _code(exc: Exception) -> str:
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", ""))


_MISSING = {"NoSuchKey", "404", "NotFound"}


class _S3PartialWriter:
    def __init__(
        self, store: S3BlobStore, upload_id: str, manifest: Manifest, parts: list[Part], start: bytes
    ) -> None:
        self._store = store
        self._id = upload_id
        self._manifest = manifest
        self._parts = parts  # the parts that stay; the buffer continues after them
        self._buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed in close()
        self._buffer.write(start)
        self._buffered = len(start)
        self._offset = sum(p.size for p in parts) + len(start)
        self._dirty = parts != manifest.parts or len(start) != manifest.tail_size
        self._closed = False

    @property
    def offset(self) -> int:
        return self._offset

    def write(self, data: bytes) -> None:
        self._buffer.write(data)
        self._buffered += len(data)
        self._offset += len(data)
        self._dirty = self._dirty or bool(data)

    def commit(self) -> int:
        if not self._dirty:
            return self._offset
        store, old = self._store, self._manifest
        new = Manifest(mpu=old.mpu, gen=old.gen + 1, parts=list(self._parts))
        # keep the last part's segment only while that part is still the last one
        new.last_seg = old.last_seg if self._parts == old.parts else None
        if self._buffered:
            seg = store._key(self._id, f"seg-{new.gen}")
            self._buffer.seek(0)
            store.client.put_object(Bucket=store.bucket, Key=seg, Body=self._buffer.read())
            if self._buffered >= PART_MIN:
                number = len(new.parts) + 1
                copied = store.client.upload_part_copy(
                    Bucket=store.bucket,
                    Key=store._key(self._id, "assembled"),
                    UploadId=new.mpu,
                    PartNumber=number,
                    CopySource={"Bucket": store.bucket, "Key": seg},
                )
                new.parts.append(Part(number, copied["CopyPartResult"]["ETag"], self._buffered))
                new.last_seg = seg
            else:
                new.tail, new.tail_size = seg, self._buffered
        store._put_manifest(self._id, new)  # the commit point
        for stale in {old.last_seg, old.tail} - {new.last_seg, new.tail, None}:
            assert stale is not None
            store.client.delete_object(Bucket=store.bucket, Key=stale)
        self._manifest = new
        self._parts = list(new.parts)
        if new.tail is None:  # the buffer became a part: start an empty one
            self._buffer.close()
            self._buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
            self._buffered = 0
        self._dirty = False
        return self._offset

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._buffer.close()
            self._store._release(self._id)


class S3BlobStore:
    """``BlobStore`` in one bucket (under ``prefix``), shared by every replica."""

    shared = True  # several processes write: the upload service leases the ``uploads`` row

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._open: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str = "",
        region: str = "",
        access_key_id: str = "",
        secret_access_key: str = "",
        pool: int = 20,
    ) -> S3BlobStore:
        import boto3
        from botocore.config import Config

        config = Config(
            max_pool_connections=pool,
            retries={"max_attempts": 5, "mode": "standard"},
            s3={"addressing_style": "path"} if endpoint_url else {},
            connect_timeout=5,
            read_timeout=60,
        )
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            # empty: the usual chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, instance/pod roles)
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=config,
        )
        return cls(client, bucket, prefix)

    # --- keys --------------------------------------------------------------------------------

    def _key(self, upload_id: str, name: str) -> str:
        return f"{self.prefix}uploads/{_check_upload_id(upload_id)}/{name}"

    def blob_key(self, sha256: str) -> str:
        _check_sha256(sha256)
        return f"{self.prefix}blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    # --- manifest ----------------------------------------------------------------------------

    def _get_manifest(self, upload_id: str) -> Manifest | None:
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._key(upload_id, "manifest.json"))
        except self.client.exceptions.NoSuchKey:
            return None
        return Manifest.from_json(got["Body"].read())

    def _put_manifest(self, upload_id: str, manifest: Manifest) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(upload_id, "manifest.json"),
            Body=manifest.to_json(),
            ContentType="application/json",
        )

    def _read(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of an object."""
        if end <= start:
            return b""
        got = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end - 1}")
        return got["Body"].read()

    def _acquire(self, upload_id: str) -> None:
        with self._lock:
            if upload_id in self._open:
                raise PartialBusyError()
            self._open.add(upload_id)

    def _release(self, upload_id: str) -> None:
        with self._lock:
            self._open.discard(upload_id)

    # --- BlobStore ---------------------------------------------------------------------------

    def create_partial(self, upload_id: str) -> None:
        created = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=self._key(upload_id, "assembled")
        )
        self._put_manifest(upload_id, Manifest(mpu=created["UploadId"]))

    def open_partial(self, upload_id: str, offset: int) -> PartialWriter:
        self._acquire(upload_id)
        try:
            manifest = self._get_manifest(upload_id)
            if manifest is None:
                if offset != 0:
                    raise PartialMissingError(0)
                self.create_partial(upload_id)
                manifest = self._get_manifest(upload_id)
                assert manifest is not None
            if manifest.size < offset:
                raise PartialMissingError(manifest.size)
            parts = list(manifest.parts)
            if offset >= manifest.parts_size:  # inside the tail (or at its end)
                keep = offset - manifest.parts_size
                start = self._read(manifest.tail, 0, keep) if manifest.tail else b""
            else:  # inside the last part: drop it, start from its segment's first bytes
                last = parts.pop()
                base = manifest.parts_size - last.size
                if offset < base or manifest.last_seg is None:
                    raise PartialMissingError(base)  # unreachable while the offset lags ≤ 1 commit
                start = self._read(manifest.last_seg, 0, offset - base)
            return _S3PartialWriter(self, upload_id, manifest, parts, start)
        except BaseException:
            self._release(upload_id)
            raise

    def partial_size(self, upload_id: str) -> int | None:
        manifest = self._get_manifest(upload_id)
        return None if manifest is None else manifest.size

    def discard_partial(self, upload_id: str) -> None:
        folder = self._key(upload_id, "")
        with contextlib.suppress(Exception):  # best effort: the lifecycle rule is the backstop
            for mpu in self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=folder).get(
                "Uploads", []
            ):
                with contextlib.suppress(self.client.exceptions.NoSuchUpload):
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=mpu["Key"], UploadId=mpu["UploadId"]
                    )
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=folder):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            # the manifest last: while it exists, the upload can still be found and discarded
            keys.sort(key=lambda k: k["Key"].endswith("manifest.json"))
            for key in keys:
                self.client.delete_object(Bucket=self.bucket, Key=key["Key"])

    def _assemble(self, upload_id: str, manifest: Manifest) -> str:
        """Complete the multipart upload (tail as the last part); the assembled object's key.
        Idempotent: once completed, the object is there and the upload id is gone."""
        key = self._key(upload_id, "assembled")
        if self._exists(key):
            return key
        parts = list(manifest.parts)
        if manifest.tail is not None:
            number = len(parts) + 1
            copied = self.client.upload_part_copy(
                Bucket=self.bucket,
                Key=key,
                UploadId=manifest.mpu,
                PartNumber=number,
                CopySource={"Bucket": self.bucket, "Key": manifest.tail},
            )
            parts.append(Part(number, copied["CopyPartResult"]["ETag"], manifest.tail_size))
        if not parts:  # empty content: S3 will not complete a multipart upload without parts
            self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
            with contextlib.suppress(self.client.exceptions.NoSuchUpload):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=manifest.mpu)
            return key
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            UploadId=manifest.mpu,
            MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in parts]},
        )
        return key

    def finalize(
        self,
        upload_id: str,
        sha256: str,
        size: int,
        check: Callable[[bytes], None] | None = None,
        inspect: Callable[[BinaryIO], None] | None = None,
    ) -> None:
        target = self.blob_key(sha256)
        self._acquire(upload_id)
        try:
            manifest = self._get_manifest(upload_id)
            if manifest is None:
                if self._exists(target):
                    return  # finalized before (e.g. a retry after the database write failed)
                raise PartialMissingError(0)
            try:
                if manifest.size != size:
                    raise ChecksumMismatchError()
                key = self._assemble(upload_id, manifest)
                with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as fh:
                    digest, total, head = hashlib.sha256(), 0, b""
                    body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
                    for block in body.iter_chunks(READ_CHUNK):
                        if total < HEAD_BYTES:
                            head = (head + block)[:HEAD_BYTES]
                        total += len(block)
                        digest.update(block)
                        fh.write(block)
                    if total != size or digest.hexdigest() != sha256:
                        raise ChecksumMismatchError()
                    if check is not None:
                        check(head)
                    if inspect is not None:
                        fh.seek(0)
                        inspect(fh)  # type: ignore[arg-type]  # SpooledTemporaryFile is file-like
            except BaseException as exc:
                if not _transient(exc):
                    self.discard_partial(upload_id)
                raise
            if not self._exists(target):  # else: the same content arrived through another upload
                self.client.copy_object(
                    Bucket=self.bucket, Key=target, CopySource={"Bucket": self.bucket, "Key": key}
                )
            self.discard_partial(upload_id)
        finally:
            self._release(upload_id)

    def _exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if _code(exc) in _MISSING:
                return False
            raise
        return True

    def exists(self, sha256: str) -> bool:
        return self._exists(self.blob_key(sha256))

    def delete_blob(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.blob_key(sha256))  # absent: no error

    def read_head(self, sha256: str, n: int) -> bytes:
        return self.read_range(sha256, 0, n)

    def read_range(self, sha256: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of a complete blob (fewer at its end; FileNotFoundError when absent)."""
        try:
            return self._read(self.blob_key(sha256), start, end)
        except Exception as exc:
            if _code(exc) in _MISSING:
                raise FileNotFoundError(sha256) from None
            if _code(exc) == "InvalidRange":  # start at or past the end
                return b""
            raise

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        try:  # requested now: a missing blob fails before streaming
            body = self.client.get_object(Bucket=self.bucket, Key=self.blob_key(sha256))["Body"]
        except Exception as exc:
            if _code(exc) in _MISSING:
                raise FileNotFoundError(sha256) from None
            raise

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(READ_CHUNK)
            finally:
                body.close()

        return chunks()


def _transient(exc: BaseException) -> bool:
    """Failures that say nothing about the content (network, the store being away): keep the
    partial so the next HEAD or PATCH can complete it."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        return True
    return isinstance(exc, BotoCoreError | OSError)
