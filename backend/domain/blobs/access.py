"""Who may upload, and who may read a blob.

- **Upload**: people who write something that can carry a file — notes and attachments, survey
  photos, signatures, diagnoses, device references (``UPLOAD_PERMISSIONS``). Read-only roles
  (Zabıta) are refused with PERMISSION_DENIED (``blobs.upload``).
- **Read**: a blob is readable by whoever may see a row that references it
  (``backend.domain.blobs.refs``), and by its uploader while no row references it yet. Everyone
  else is told it does not exist (NOT_FOUND), the same answer as for a hash never uploaded, so
  the answer is no oracle. An *uploader* is whoever sent all of its bytes (the first upload made
  the ``Blob``; later ones of the same content are completed ``Upload`` rows): proof of holding
  the content, never just knowing its hash.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, exists, select

from backend.domain.blobs.models import Blob, Upload
from backend.domain.blobs.refs import is_referenced, visibly_referenced
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.permissions import Actor

UPLOAD = "blobs.upload"  # the name a refusal shows: any one of UPLOAD_PERMISSIONS grants it
UPLOAD_PERMISSIONS = frozenset(
    {p.WORKORDERS_NOTE, p.SURVEYS_WORK, p.MINUTES_SIGN, p.DIAGNOSTICS_RUN, p.DEVICES_MANAGE}
)


def may_upload(actor: Actor) -> bool:
    return bool(actor.permissions & UPLOAD_PERMISSIONS)


def require_upload(actor: Actor) -> None:
    if not may_upload(actor):
        raise DomainError(ErrorCode.PERMISSION_DENIED, params={"permission": UPLOAD})


def uploaded_by(session: Session, actor: Actor, blob: Blob) -> bool:
    """Whether ``actor`` sent this content (the first upload, or a later one of the same bytes)."""
    if blob.created_by_id == actor.id:
        return True
    completed = exists().where(
        col(Upload.sha256) == blob.sha256,
        col(Upload.created_by_id) == actor.id,
        col(Upload.completed_at).is_not(None),
    )
    return bool(session.exec(select(completed)).one())


def readable_blob(session: Session, actor: Actor, sha256: str) -> Blob | None:
    """The blob if ``actor`` may read it, else None (also when there is no such blob)."""
    blob = session.get(Blob, sha256)
    if blob is None:
        return None
    if visibly_referenced(session, actor, sha256):
        return blob
    if uploaded_by(session, actor, blob) and not is_referenced(session, sha256):
        return blob
    return None


def load_readable_blob(session: Session, actor: Actor, sha256: str) -> Blob:
    blob = readable_blob(session, actor, sha256)
    if blob is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return blob


def require_referable(session: Session, actor: Actor, hashes: Sequence[str], *, field: str) -> None:
    """A command may make a row reference content only if the person may read that content (or
    it is not there yet: the upload may still be running). Otherwise attaching a learnt hash to a
    row of one's own would be a way to read it."""
    for sha256 in hashes:
        if session.get(Blob, sha256) is not None and readable_blob(session, actor, sha256) is None:
            raise DomainError(ErrorCode.NOT_FOUND, field=field)
