"""Where upload bytes live: partial uploads being appended, and complete content-addressed blobs.

``BlobStore`` is the seam; ``LocalBlobStore`` keeps files under the data folder::

    <data>/uploads/<upload_id>          partial upload, appended in place
    <data>/blobs/ab/cd/<sha256>         complete, verified content (never changes)

Every method is synchronous and may block on disk: call it from a worker thread
(``anyio.to_thread.run_sync``), never directly on the event loop.

Durability contract (what the upload service relies on):

- ``PartialWriter.commit()`` returns an offset only once every byte before it is durable (fsync).
  The service records that offset in the database *after* ``commit`` returns, so the database
  never claims bytes the disk may lose. The disk may hold *more* than the recorded offset (a crash
  between fsync and the database write, or bytes written but never committed):
  ``open_partial(id, offset)`` drops that unconfirmed tail before appending.
- ``finalize`` verifies the SHA-256 of the whole partial and only then moves it into its
  content-addressed place with an atomic rename; a reader never sees a half-written blob.
  It is idempotent: once the blob is in place, finalizing again succeeds.

``S3BlobStore`` (``backend.integrations.blobs.s3``, ``blob_store=s3``) keeps the same contract in
a bucket that several replicas share; ``open_blob_store`` picks one from the settings. How S3 maps
(its module docstring has the details):

- partial upload  → a multipart upload (``CreateMultipartUpload`` in ``create_partial``); the
  part list or a small side object records the committed size. S3 parts must be ≥ 5 MiB except the
  last, so ``PartialWriter.commit`` would buffer (or stage in a temporary object) until a part is
  full — the chunk limit (8 MiB) is chosen to fit that.
- offset/truncate → S3 cannot truncate: ``open_partial`` at an offset below what was stored
  re-uploads the last part (parts are replaceable by number).
- finalize        → S3 does not hash the whole object for us: hash while streaming parts (keep the
  running digest per upload) or re-read, then ``CompleteMultipartUpload`` under a temporary key and
  ``CopyObject`` to ``blobs/ab/cd/<sha256>`` (or complete directly at the final key with
  ``If-None-Match: *``); a failed check aborts the multipart upload.
- locking         → ``flock`` here; with S3 and several replicas, a row lock or lease on the
  ``uploads`` row instead.
- reading         → ``iter_blob`` / ``read_head`` map to ``GetObject`` (with ``Range`` for the head);
  a presigned URL could replace streaming through the app.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from backend.integrations.blobs.sniff import HEAD_BYTES

if TYPE_CHECKING:
    from backend.config import Settings

UPLOAD_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
READ_CHUNK = 256 * 1024


class StoreError(Exception):
    """Base class of the store's expected failures."""


class PartialMissingError(StoreError):
    """The partial upload holds fewer bytes than the caller believes were confirmed (or is gone)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"partial upload holds only {size} bytes")
        self.size = size


class PartialBusyError(StoreError):
    """Another writer (request, thread or process) holds the partial upload."""


class ChecksumMismatchError(StoreError):
    """The content does not hash to the declared SHA-256 (or has the wrong length)."""


class PartialWriter(Protocol):
    """Appends to one partial upload. Holds the upload exclusively until ``close``."""

    @property
    def offset(self) -> int:
        """Bytes written so far, including ones not yet committed."""
        ...

    def write(self, data: bytes) -> None: ...

    def commit(self) -> int:
        """Make everything written durable; return the durable offset."""
        ...

    def close(self) -> None:
        """Release the upload. Bytes written after the last ``commit`` may be dropped."""
        ...


class BlobStore(Protocol):
    def create_partial(self, upload_id: str) -> None:
        """Start an empty partial upload."""
        ...

    def open_partial(self, upload_id: str, offset: int) -> PartialWriter:
        """Open for appending at ``offset`` (the confirmed offset): anything stored beyond it is
        dropped; ``PartialMissingError`` when fewer bytes are there; ``PartialBusyError`` when locked."""
        ...

    def partial_size(self, upload_id: str) -> int | None:
        """Bytes stored for the partial upload (committed or not), or None when there is none."""
        ...

    def discard_partial(self, upload_id: str) -> None:
        """Delete the partial upload, if any."""
        ...

    def finalize(
        self,
        upload_id: str,
        sha256: str,
        size: int,
        check: Callable[[bytes], None] | None = None,
        inspect: Callable[[BinaryIO], None] | None = None,
    ) -> None:
        """Verify that the partial holds exactly ``size`` bytes hashing to ``sha256``, call
        ``check`` with its first bytes and ``inspect`` with the verified content as a readable
        file positioned at its start (either may raise to refuse the content; ``inspect`` reads
        only what it needs, e.g. an image header), then atomically move it to its
        content-addressed place. On ``ChecksumMismatchError`` or a raising ``check``/``inspect``
        the partial is discarded and nothing is stored. Idempotent once the blob exists."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def delete_blob(self, sha256: str) -> None:
        """Delete a complete blob's content, if present (the sweep, after its row is gone)."""
        ...

    def read_head(self, sha256: str, n: int) -> bytes:
        """The first ``n`` bytes of a complete blob."""
        ...

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        """The content of a complete blob, in chunks (FileNotFoundError when absent)."""
        ...


def _check_upload_id(upload_id: str) -> str:
    if not UPLOAD_ID_RE.fullmatch(upload_id):
        raise ValueError(f"invalid upload id {upload_id!r}")
    return upload_id


def _check_sha256(sha256: str) -> str:
    if not SHA256_RE.fullmatch(sha256):
        raise ValueError(f"invalid sha256 {sha256!r}")
    return sha256


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _lock(fh: BinaryIO) -> None:
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise PartialBusyError() from None
        raise


class _LocalPartialWriter:
    def __init__(self, fh: BinaryIO, offset: int) -> None:
        self._fh = fh
        self._offset = offset

    @property
    def offset(self) -> int:
        return self._offset

    def write(self, data: bytes) -> None:
        self._fh.write(data)
        self._offset += len(data)

    def commit(self) -> int:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        return self._offset

    def close(self) -> None:
        self._fh.close()  # closing the descriptor releases the flock


class LocalBlobStore:
    """``BlobStore`` on the local file system (one machine, or a shared POSIX volume)."""

    def __init__(self, data_dir: Path) -> None:
        self.uploads_dir = data_dir / "uploads"
        self.blobs_dir = data_dir / "blobs"
        self.uploads_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.blobs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)

    def partial_path(self, upload_id: str) -> Path:
        return self.uploads_dir / _check_upload_id(upload_id)

    def blob_path(self, sha256: str) -> Path:
        _check_sha256(sha256)
        return self.blobs_dir / sha256[:2] / sha256[2:4] / sha256

    def create_partial(self, upload_id: str) -> None:
        path = self.partial_path(upload_id)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            os.fsync(fh.fileno())
        _fsync_dir(self.uploads_dir)

    def open_partial(self, upload_id: str, offset: int) -> PartialWriter:
        path = self.partial_path(upload_id)
        try:
            fh: BinaryIO = path.open("r+b")
        except FileNotFoundError:
            if offset != 0:
                raise PartialMissingError(0) from None
            self.create_partial(upload_id)
            fh = path.open("r+b")
        try:
            _lock(fh)
            size = os.fstat(fh.fileno()).st_size
            if size < offset:
                raise PartialMissingError(size)
            if size > offset:  # bytes never confirmed: drop them so the append continues cleanly
                fh.truncate(offset)
                os.fsync(fh.fileno())
            fh.seek(offset)
        except BaseException:
            fh.close()
            raise
        return _LocalPartialWriter(fh, offset)

    def partial_size(self, upload_id: str) -> int | None:
        try:
            return self.partial_path(upload_id).stat().st_size
        except FileNotFoundError:
            return None

    def discard_partial(self, upload_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.partial_path(upload_id).unlink()

    def finalize(
        self,
        upload_id: str,
        sha256: str,
        size: int,
        check: Callable[[bytes], None] | None = None,
        inspect: Callable[[BinaryIO], None] | None = None,
    ) -> None:
        target = self.blob_path(sha256)
        path = self.partial_path(upload_id)
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            if target.exists():
                return  # finalized before (e.g. a retry after the database write failed)
            raise PartialMissingError(0) from None
        with fh:
            _lock(fh)
            digest = hashlib.sha256()
            head = b""
            total = 0
            while block := fh.read(READ_CHUNK):
                if total == 0:
                    head = block[:HEAD_BYTES]
                total += len(block)
                digest.update(block)
            try:
                if total != size or digest.hexdigest() != sha256:
                    raise ChecksumMismatchError()
                if check is not None:
                    check(head)
                if inspect is not None:
                    fh.seek(0)
                    inspect(fh)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            if target.exists():  # the same content arrived through another upload
                path.unlink()
                return
            if not target.parent.is_dir():
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                _fsync_dir(target.parent.parent)
                _fsync_dir(self.blobs_dir)
            os.fsync(fh.fileno())
            os.replace(path, target)  # atomic: same file system (both under the data folder)
            _fsync_dir(target.parent)
            _fsync_dir(self.uploads_dir)

    def exists(self, sha256: str) -> bool:
        return self.blob_path(sha256).is_file()

    def delete_blob(self, sha256: str) -> None:
        path = self.blob_path(sha256)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            _fsync_dir(path.parent)

    def read_head(self, sha256: str, n: int) -> bytes:
        with self.blob_path(sha256).open("rb") as fh:
            return fh.read(n)

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        fh = self.blob_path(sha256).open("rb")  # opened now: a missing blob fails before streaming

        def chunks() -> Iterator[bytes]:
            with fh:
                while block := fh.read(READ_CHUNK):
                    yield block

        return chunks()


def store_bytes(store: BlobStore, data: bytes) -> str:
    """Write content the server made itself into the store the way an upload is written
    (partial, fsync, verified move), so the store holds one kind of blob. Returns its SHA-256;
    the caller records the ``Blob`` row."""
    sha256 = hashlib.sha256(data).hexdigest()
    upload_id = uuid.uuid4().hex
    store.create_partial(upload_id)
    writer = store.open_partial(upload_id, 0)
    try:
        writer.write(data)
        writer.commit()
    finally:
        writer.close()
    store.finalize(upload_id, sha256, len(data))
    return sha256


def open_blob_store(settings: Settings) -> BlobStore:
    """The store the settings choose (``blob_store``: ``local`` or ``s3``)."""
    if settings.blob_store == "s3":
        from backend.integrations.blobs.s3 import S3BlobStore

        return S3BlobStore.from_settings(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    return LocalBlobStore(settings.data_dir)
