"""The rules of resumable, content-addressed uploads (tus 1.0.0 core + creation + termination).

The HTTP layer parses headers and hands over; everything that decides lives here:

- **create**: only people who write something a file can belong to
  (``backend.domain.blobs.access``, else PERMISSION_DENIED); size within ``max_upload_bytes``
  (BLOB_TOO_LARGE) and within the person's quota (UPLOAD_QUOTA_EXCEEDED,
  ``backend.domain.blobs.housekeeping``), a declared SHA-256 (64 hex digits) and an allowed type
  (BLOB_TYPE_NOT_ALLOWED). Numbers in headers are ASCII digits only. Content already stored as a
  ``Blob`` makes the upload complete at once — but only for someone who may read that blob;
  anyone else sends the bytes like for new content, so creating an upload tells nothing about
  what exists.
- **append**: only the uploader may append, only at the confirmed offset
  (UPLOAD_OFFSET_MISMATCH), one writer at a time (UPLOAD_BUSY). Bytes are fsynced *before* the new
  offset is written to the ``uploads`` row; bytes received before a dropped connection are kept.
- **complete** (offset reaches the length): the whole content must hash to the declared SHA-256
  (else BLOB_CHECKSUM_MISMATCH: the partial and the upload row are deleted) and its first bytes
  must show the declared type (else BLOB_TYPE_NOT_ALLOWED, also deleted), and an image's header
  must show at most ``image_max_pixels`` (else IMAGE_TOO_LARGE, deleted; nothing is decoded).
  Only then is the file
  moved into place and the ``Blob`` row inserted. Completing is idempotent, so a crash between
  the file move and the database write is repaired by the next HEAD or PATCH.
- **expiry**: an incomplete upload older than ``upload_expiry_hours`` is gone (UPLOAD_NOT_FOUND:
  the client starts again); ``sweep`` deletes those and the blobs nothing references.

Several replicas on one object store (``blob_store=s3``): a lease on the ``uploads`` row keeps
one writer per upload across processes (``_Lease``), and nothing about an upload stays in memory
between requests, so an upload started on one replica resumes on another.

Everything that blocks (files, database) runs in worker threads; one buffer of at most
``APPEND_BUFFER`` bytes is held in memory per request.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import mimetypes
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import BinaryIO

import anyio.to_thread
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from backend.config import Settings
from backend.db.engine import Database
from backend.db.types import utcnow
from backend.domain.blobs import access, housekeeping
from backend.domain.blobs.models import Blob, Upload
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.permissions import Actor
from backend.integrations.blobs import sniff
from backend.integrations.blobs.images import ImageTooLargeError, check_pixels
from backend.integrations.blobs.store import (
    SHA256_RE,
    UPLOAD_ID_RE,
    BlobStore,
    ChecksumMismatchError,
    PartialBusyError,
    PartialMissingError,
    PartialWriter,
    store_bytes,
)

APPEND_BUFFER = 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ASCII_DIGITS = re.compile(r"[0-9]{1,15}")  # not str.isdigit(): that takes "²", "١٢" and int() "1_0"

log = logging.getLogger("saha.blobs")


class BodyInterrupted(Exception):  # noqa: N818 - an event, not a bug
    """The client went away in the middle of a request body (raised by the HTTP layer's body
    iterator). The bytes received before are kept."""


@dataclass(frozen=True)
class UploadState:
    id: str
    offset: int
    size: int
    complete: bool
    sha256: str
    expires_at: datetime | None = None  # incomplete uploads only


@dataclass(frozen=True)
class SweepResult:
    uploads: int  # expired incomplete uploads deleted
    blobs: int  # unreferenced blobs deleted
    freed_bytes: int


def _invalid(detail: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_FAILED, params={"detail": detail})


def parse_count(value: str | None, name: str) -> int:
    """A tus number (``Upload-Length``, ``Upload-Offset``): ASCII digits only, else VALIDATION_FAILED."""
    if value is None or not _ASCII_DIGITS.fullmatch(value):
        raise _invalid(name)
    return int(value)


def parse_metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (the value may be absent)."""
    result: dict[str, str] = {}
    for item in (header or "").split(","):
        parts = item.strip().split(" ")
        if not parts[0]:
            continue
        if len(parts) > 2 or parts[0] in result:
            raise _invalid("Upload-Metadata")
        try:
            value = base64.b64decode(parts[1], validate=True).decode() if len(parts) == 2 else ""
        except (binascii.Error, ValueError):  # also non-ASCII text and bytes that are no UTF-8
            raise _invalid("Upload-Metadata") from None
        result[parts[0]] = value
    return result


def _clean_filename(name: str) -> str:
    name = _CONTROL.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255]


def _state(upload: Upload, expiry: timedelta | None = None) -> UploadState:
    complete = upload.completed_at is not None
    return UploadState(
        id=upload.id,
        offset=upload.offset,
        size=upload.size,
        complete=complete,
        sha256=upload.sha256,
        expires_at=None if complete or expiry is None else upload.created_at + expiry,
    )


class _Lease:
    """A lease on an ``uploads`` row (``lease_owner``, ``lease_until``): a row lock held for a
    whole request body would keep a database connection busy for as long as a phone takes to
    send a chunk; a lease costs one UPDATE and is renewed while bytes arrive. A replica that dies
    mid-request blocks the upload until the lease runs out (``upload_lease_seconds``)."""

    def __init__(self, db: Database, upload_id: str, duration: timedelta) -> None:
        self.db = db
        self.upload_id = upload_id
        self.duration = duration
        self.token: str | None = None
        self.renewed = 0.0

    async def take(self) -> None:
        token, now = uuid.uuid4().hex, utcnow()

        def take(session: Session) -> int:
            result = session.execute(
                update(Upload)
                .where(
                    col(Upload.id) == self.upload_id,
                    or_(col(Upload.lease_until).is_(None), col(Upload.lease_until) <= now),
                )
                .values(lease_owner=token, lease_until=now + self.duration)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

        if await self.db.write(take) != 1:
            raise DomainError(ErrorCode.UPLOAD_BUSY)
        self.token, self.renewed = token, time.monotonic()

    async def renew(self, force: bool = False) -> None:
        """Extend the lease (at most every third of its duration unless ``force``); UPLOAD_BUSY
        when it ran out and another request took it."""
        if self.token is None:
            return
        if not force and time.monotonic() - self.renewed < self.duration.total_seconds() / 3:
            return
        token, until = self.token, utcnow() + self.duration

        def renew(session: Session) -> int:
            result = session.execute(
                update(Upload)
                .where(col(Upload.id) == self.upload_id, col(Upload.lease_owner) == token)
                .values(lease_until=until)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

        if await self.db.write(renew) != 1:
            self.token = None
            raise DomainError(ErrorCode.UPLOAD_BUSY)
        self.renewed = time.monotonic()

    async def release(self) -> None:
        if self.token is None:
            return
        token, self.token = self.token, None

        def release(session: Session) -> None:
            session.execute(
                update(Upload)
                .where(col(Upload.id) == self.upload_id, col(Upload.lease_owner) == token)
                .values(lease_owner=None, lease_until=None)
            )

        try:
            await self.db.write(release)
        except Exception:  # the lease runs out by itself
            log.warning("could not release the lease on upload %s", self.upload_id, exc_info=True)


class UploadService:
    def __init__(self, db: Database, store: BlobStore, settings: Settings) -> None:
        self.db = db
        self.store = store
        self.settings = settings
        self.allowed_types = {sniff.canonical(t) for t in settings.allowed_upload_types}

    @property
    def limits(self) -> housekeeping.Limits:
        s = self.settings
        return housekeeping.Limits(
            quota_bytes=s.upload_quota_bytes,
            upload_expiry=timedelta(hours=s.upload_expiry_hours),
            grace=timedelta(hours=s.blob_grace_hours),
        )

    def _state(self, upload: Upload) -> UploadState:
        return _state(upload, self.limits.upload_expiry)

    # --- create ------------------------------------------------------------------------------

    async def create(self, actor: Actor, length: str | None, metadata: str | None) -> UploadState:
        access.require_upload(actor)
        size = parse_count(length, "Upload-Length")
        if size > self.settings.max_upload_bytes:
            raise DomainError(ErrorCode.BLOB_TOO_LARGE, params={"max_bytes": self.settings.max_upload_bytes})
        meta = parse_metadata(metadata)
        sha256 = meta.get("sha256", "").strip().lower()
        if not SHA256_RE.fullmatch(sha256):
            raise _invalid("sha256")
        filename = _clean_filename(meta.get("filename", ""))
        declared = meta.get("filetype", "").strip() or (mimetypes.guess_type(filename)[0] or "")
        content_type = sniff.canonical(declared)
        if content_type not in self.allowed_types:
            raise DomainError(ErrorCode.BLOB_TYPE_NOT_ALLOWED, params={"content_type": declared or "?"})

        upload = Upload(
            id=uuid.uuid4().hex,
            sha256=sha256,
            size=size,
            content_type=content_type,
            filename=filename,
            created_by_id=actor.id,
        )
        limits, now = self.limits, utcnow()

        def admit(session: Session) -> Blob | None:
            housekeeping.check_quota(session, actor, size, now, limits)
            # dedupe only for someone who may read the blob: for anyone else it "does not exist"
            return access.readable_blob(session, actor, sha256)

        existing = await self.db.read(admit)
        if existing is not None:
            if existing.size != size:
                raise _invalid("Upload-Length")
            if sniff.canonical(existing.content_type) != content_type:
                raise DomainError(ErrorCode.BLOB_TYPE_NOT_ALLOWED, params={"content_type": declared})
            upload.offset = size
            upload.completed_at = utcnow()
        else:
            await anyio.to_thread.run_sync(self.store.create_partial, upload.id)

        def insert(session: Session) -> UploadState:
            session.add(upload)
            return self._state(upload)

        state = await self.db.write(insert)
        if not state.complete and size == 0:
            return await self._complete(upload)
        return state

    # --- status ------------------------------------------------------------------------------

    async def _own(self, actor: Actor, upload_id: str) -> Upload:
        if not UPLOAD_ID_RE.fullmatch(upload_id):
            raise DomainError(ErrorCode.UPLOAD_NOT_FOUND)
        upload = await self.db.read(lambda s: s.get(Upload, upload_id))
        if upload is None or upload.created_by_id != actor.id:
            raise DomainError(ErrorCode.UPLOAD_NOT_FOUND)  # someone else's looks like none at all
        if housekeeping.is_expired(upload, utcnow(), self.limits):
            await self._forget(upload.id)
            raise DomainError(ErrorCode.UPLOAD_NOT_FOUND)
        return upload

    async def status(self, actor: Actor, upload_id: str) -> UploadState:
        upload = await self._own(actor, upload_id)
        if upload.completed_at is None and upload.offset == upload.size:
            return await self._complete(upload)  # all bytes durable, completion interrupted
        return self._state(upload)

    # --- append ------------------------------------------------------------------------------

    async def append(
        self, actor: Actor, upload_id: str, offset: str | None, body: AsyncIterator[bytes]
    ) -> UploadState:
        upload = await self._own(actor, upload_id)
        if parse_count(offset, "Upload-Offset") != upload.offset:
            raise DomainError(ErrorCode.UPLOAD_OFFSET_MISMATCH, params={"offset": upload.offset})
        if upload.completed_at is not None:
            return self._state(upload)
        lease = await self._take_lease(upload.id)
        try:
            try:
                writer = await anyio.to_thread.run_sync(self.store.open_partial, upload.id, upload.offset)
            except PartialBusyError:
                raise DomainError(ErrorCode.UPLOAD_BUSY) from None
            except PartialMissingError as exc:  # the store lost confirmed bytes: restart from what is there
                await self._save_offset(upload, exc.size)
                raise DomainError(ErrorCode.UPLOAD_OFFSET_MISMATCH, params={"offset": exc.size}) from None

            interrupted = False
            try:
                interrupted = await self._receive(upload, writer, body, lease)
                await lease.renew(force=True)  # still ours: nobody else wrote meanwhile
                durable = await anyio.to_thread.run_sync(writer.commit)
            finally:
                await anyio.to_thread.run_sync(writer.close)
            if durable != upload.offset:
                await self._save_offset(upload, durable)
        finally:
            await lease.release()
        if interrupted:
            raise BodyInterrupted()
        if upload.offset == upload.size:
            return await self._complete(upload)
        return self._state(upload)

    async def _receive(
        self, upload: Upload, writer: PartialWriter, body: AsyncIterator[bytes], lease: _Lease
    ) -> bool:
        """Write the body; True when the client went away part-way (what came is kept)."""
        buffer = bytearray()
        interrupted = False
        try:
            async for piece in body:
                if writer.offset + len(buffer) + len(piece) > upload.size:
                    raise _invalid("more bytes than Upload-Length")
                buffer += piece
                if len(buffer) >= APPEND_BUFFER:
                    await anyio.to_thread.run_sync(writer.write, bytes(buffer))
                    buffer.clear()
                    await lease.renew()
        except BodyInterrupted:
            interrupted = True
        if buffer:
            await anyio.to_thread.run_sync(writer.write, bytes(buffer))
        return interrupted

    async def _take_lease(self, upload_id: str) -> _Lease:
        """With a store several replicas share, hold the ``uploads`` row for this request
        (UPLOAD_BUSY while another request, here or on another replica, holds it); a no-op lease
        for a store that locks by itself (``LocalBlobStore``: flock)."""
        lease = _Lease(self.db, upload_id, timedelta(seconds=self.settings.upload_lease_seconds))
        if getattr(self.store, "shared", False):
            await lease.take()
        return lease

    async def _save_offset(self, upload: Upload, durable: int) -> None:
        """Record a durable offset; only after ``commit`` returned it (or the disk showed it)."""
        previous = upload.offset

        def save(session: Session) -> int:
            result = session.execute(
                update(Upload)
                .where(col(Upload.id) == upload.id, col(Upload.offset) == previous)
                .values(offset=durable)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

        if await self.db.write(save) != 1:
            raise DomainError(ErrorCode.UPLOAD_NOT_FOUND)  # terminated meanwhile
        upload.offset = durable

    # --- complete ----------------------------------------------------------------------------

    async def _complete(self, upload: Upload) -> UploadState:
        await self._finalize(upload)
        return await self._record_complete(upload)

    async def _finalize(self, upload: Upload) -> None:
        """Move the content into place once it hashes to the declared SHA-256, its first bytes
        show the declared type and an image's header is within the pixel limit; a failed check
        deletes the partial and the upload."""

        def check(head: bytes) -> None:
            if not sniff.matches(upload.content_type, head):
                raise DomainError(
                    ErrorCode.BLOB_TYPE_NOT_ALLOWED, params={"content_type": upload.content_type}
                )

        max_pixels = self.settings.image_max_pixels

        def inspect(fh: BinaryIO) -> None:
            if not upload.content_type.startswith("image/"):
                return
            try:
                check_pixels(fh, max_pixels)  # the header only: nothing is decoded
            except ImageTooLargeError as exc:
                raise image_too_large(exc) from None

        try:
            lease = await self._take_lease(upload.id)
            try:
                await anyio.to_thread.run_sync(
                    self.store.finalize, upload.id, upload.sha256, upload.size, check, inspect
                )
            finally:
                await lease.release()
        except ChecksumMismatchError:
            await self._forget(upload.id)
            raise DomainError(ErrorCode.BLOB_CHECKSUM_MISMATCH) from None
        except PartialBusyError:
            raise DomainError(ErrorCode.UPLOAD_BUSY) from None
        except PartialMissingError:
            await self._forget(upload.id)
            raise DomainError(ErrorCode.UPLOAD_NOT_FOUND) from None
        except DomainError:
            await self._forget(upload.id)
            raise

    async def _record_complete(self, upload: Upload) -> UploadState:
        """The ``Blob`` row (unless the same content is there already) and the upload complete."""

        def record(session: Session) -> UploadState:
            if session.get(Blob, upload.sha256) is None:
                session.add(
                    Blob(
                        sha256=upload.sha256,
                        size=upload.size,
                        content_type=upload.content_type,
                        created_by_id=upload.created_by_id,
                    )
                )
                session.flush()
            row = session.get(Upload, upload.id)
            if row is None:
                raise DomainError(ErrorCode.UPLOAD_NOT_FOUND)
            row.offset = row.size
            row.completed_at = row.completed_at or utcnow()
            session.add(row)
            return self._state(row)

        try:
            return await self.db.write(record)
        except IntegrityError:  # the same content completed through another upload just now
            return await self.db.write(record)

    async def _forget(self, upload_id: str) -> None:
        def delete(session: Session) -> None:
            row = session.get(Upload, upload_id)
            if row is not None:
                session.delete(row)

        await self.db.write(delete)
        await anyio.to_thread.run_sync(self.store.discard_partial, upload_id)

    # --- terminate and read ----------------------------------------------------------------------

    async def terminate(self, actor: Actor, upload_id: str) -> None:
        """tus termination: the upload goes away; a completed blob stays (it may be referenced)."""
        upload = await self._own(actor, upload_id)
        await self._forget(upload.id)

    async def readable_blob(self, actor: Actor, sha256: str) -> Blob:
        """A complete blob ``actor`` may read (``backend.domain.blobs.access``); NOT_FOUND for
        one still uploading, never uploaded, or not theirs to see — the same answer."""
        sha256 = sha256.lower()
        if not SHA256_RE.fullmatch(sha256):
            raise DomainError(ErrorCode.NOT_FOUND)
        return await self.db.read(lambda s: access.load_readable_blob(s, actor, sha256))

    async def find_blob(self, sha256: str) -> Blob:
        """A complete blob, whoever asks (server-side use: documents, diagnoses); NOT_FOUND while
        it is still uploading, or never was. People read through ``readable_blob``."""
        sha256 = sha256.lower()
        blob = await self.db.read(lambda s: s.get(Blob, sha256)) if SHA256_RE.fullmatch(sha256) else None
        if blob is None:
            raise DomainError(ErrorCode.NOT_FOUND)
        return blob

    async def blob_content(self, blob: Blob) -> Iterator[bytes]:
        try:
            return await anyio.to_thread.run_sync(self.store.iter_blob, blob.sha256)
        except FileNotFoundError:
            raise DomainError(ErrorCode.NOT_FOUND) from None

    # --- server-side content (sealed PDFs, images for documents) -------------------------------

    async def read_bytes(self, sha256: str) -> bytes | None:
        """The whole content of a complete blob, or None when it is not (yet) here."""
        try:
            blob = await self.find_blob(sha256)
            chunks = await self.blob_content(blob)
        except DomainError:
            return None
        return await anyio.to_thread.run_sync(lambda: b"".join(chunks))

    async def put_bytes(self, data: bytes, content_type: str, created_by_id: uuid.UUID | None) -> str:
        """Store content the server made itself; the same path as an upload (partial, fsync,
        verified move), so the store holds one kind of blob. Returns its SHA-256."""
        sha256 = await anyio.to_thread.run_sync(store_bytes, self.store, data)

        def record(session: Session) -> None:
            if session.get(Blob, sha256) is None:
                session.add(
                    Blob(
                        sha256=sha256, size=len(data), content_type=content_type, created_by_id=created_by_id
                    )
                )

        with contextlib.suppress(IntegrityError):  # the same bytes recorded concurrently
            await self.db.write(record)
        return sha256

    # --- housekeeping ----------------------------------------------------------------------------

    async def sweep(self, now: datetime | None = None) -> SweepResult:
        """Delete expired incomplete uploads (rows and bytes) and blobs nothing references that
        are older than the grace period. A blob's row goes first, in a transaction that checks
        again that nothing references it; its bytes only after that committed."""
        now = now or utcnow()
        limits = self.limits
        uploads = 0
        for upload_id in await self.db.read(lambda s: housekeeping.expired_uploads(s, now, limits)):
            forget = partial(housekeeping.forget_upload, upload_id=upload_id, now=now, limits=limits)
            if await self.db.write(forget):
                await anyio.to_thread.run_sync(self.store.discard_partial, upload_id)
                uploads += 1
        blobs = freed = 0
        for sha in await self.db.read(lambda s: housekeeping.orphan_candidates(s, now, limits)):
            size = await self.db.write(partial(housekeeping.forget_blob, sha256=sha, now=now, limits=limits))
            if size is not None:
                await anyio.to_thread.run_sync(self.store.delete_blob, sha)
                blobs += 1
                freed += size
        if uploads or blobs:
            log.info(
                "blob sweep: %d expired uploads, %d unreferenced blobs (%d bytes)", uploads, blobs, freed
            )
        return SweepResult(uploads=uploads, blobs=blobs, freed_bytes=freed)


def image_too_large(exc: ImageTooLargeError) -> DomainError:
    return DomainError(
        ErrorCode.IMAGE_TOO_LARGE,
        params={
            "size": exc.size_text,
            "max_megapixels": f"{exc.max_pixels / 1_000_000:g}",
            "max_pixels": exc.max_pixels,
        },
    )
