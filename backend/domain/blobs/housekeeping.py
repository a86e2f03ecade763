"""Quotas per person, expiry of partial uploads, and what the sweep may delete.

- **Quota** (``upload_quota_bytes``): what a person has on the server that nothing uses yet —
  the declared sizes of their incomplete, unexpired uploads plus their blobs that no row
  references — may not exceed the quota with a new upload (UPLOAD_QUOTA_EXCEEDED). Blobs older
  than the grace period (and a day of slack) are left out: they are the sweep's.
- **Expiry** (``upload_expiry_hours``): an incomplete upload older than this is gone — refused
  as UPLOAD_NOT_FOUND (the client starts again) and deleted with its bytes by the sweep.
- **Sweep** (``blob_grace_hours``): a blob that no row references (``refs.REFERENCES``: photos,
  attachments, signature images, sealed PDFs, camera images) and is older than the grace period
  is deleted; the check is repeated for each blob in the transaction that deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from backend.domain.blobs.models import Blob, Upload
from backend.domain.blobs.refs import all_referenced, is_referenced, referenced_among
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.permissions import Actor

SWEEP_SLACK = timedelta(days=1)  # the sweep runs daily: an orphan lives at most this past its grace


@dataclass(frozen=True)
class Limits:
    quota_bytes: int
    upload_expiry: timedelta
    grace: timedelta


def is_expired(upload: Upload, now: datetime, limits: Limits) -> bool:
    return upload.completed_at is None and upload.created_at <= now - limits.upload_expiry


def usage(session: Session, user_id: object, now: datetime, limits: Limits) -> int:
    """Bytes the person holds that nothing uses: incomplete uploads and unreferenced blobs."""
    pending = session.exec(
        select(func.coalesce(func.sum(Upload.size), 0)).where(
            col(Upload.created_by_id) == user_id,
            col(Upload.completed_at).is_(None),
            col(Upload.created_at) > now - limits.upload_expiry,
        )
    ).one()
    recent = session.exec(
        select(Blob.sha256, Blob.size).where(
            col(Blob.created_by_id) == user_id,
            col(Blob.created_at) > now - limits.grace - SWEEP_SLACK,
        )
    ).all()
    used = referenced_among(session, [sha for sha, _ in recent])
    return int(pending) + sum(size for sha, size in recent if sha not in used)


def check_quota(session: Session, actor: Actor, size: int, now: datetime, limits: Limits) -> None:
    used = usage(session, actor.id, now, limits)
    if used + size > limits.quota_bytes:
        raise DomainError(
            ErrorCode.UPLOAD_QUOTA_EXCEEDED,
            params={"quota_bytes": limits.quota_bytes, "used_bytes": used, "size": size},
        )


# --- the sweep --------------------------------------------------------------------------------


def expired_uploads(session: Session, now: datetime, limits: Limits, limit: int = 1000) -> list[str]:
    stmt = (
        select(Upload.id)
        .where(col(Upload.completed_at).is_(None), col(Upload.created_at) <= now - limits.upload_expiry)
        .order_by(col(Upload.created_at))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def forget_upload(session: Session, upload_id: str, now: datetime, limits: Limits) -> bool:
    """Delete the upload row if it is (still) incomplete and expired; True when deleted."""
    result = session.execute(
        delete(Upload).where(
            col(Upload.id) == upload_id,
            col(Upload.completed_at).is_(None),
            col(Upload.created_at) <= now - limits.upload_expiry,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def orphan_candidates(session: Session, now: datetime, limits: Limits) -> list[str]:
    """Blobs older than the grace period that no row names (checked again one by one on delete)."""
    old = session.exec(select(Blob.sha256).where(col(Blob.created_at) <= now - limits.grace)).all()
    if not old:
        return []
    used = all_referenced(session)
    return sorted(sha for sha in old if sha not in used)


def forget_blob(session: Session, sha256: str, now: datetime, limits: Limits) -> int | None:
    """Delete the ``Blob`` row (and the finished uploads of it) when it is still unreferenced
    and past its grace; its size when deleted — then, and only then, its bytes may go."""
    blob = session.get(Blob, sha256, with_for_update=True)
    if blob is None or blob.created_at > now - limits.grace or is_referenced(session, sha256):
        return None
    session.execute(delete(Upload).where(col(Upload.sha256) == sha256, col(Upload.completed_at).is_not(None)))
    session.delete(blob)
    return blob.size
