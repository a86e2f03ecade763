"""Signed is sealed (docs/architecture.md, sync invariant 6), enforced below the commands.

The commands refuse to touch sealed minutes; this flush guard makes the rule hold for any code
path: a sealed minutes row never changes again except for recording its sealed PDF once, and its
signatures are never added, changed or removed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.surveys.models import Minutes, MinutesSignature, MinutesStatus

# What may still be written on sealed minutes: the PDF made after sealing (once), its version bump.
_AFTER_SEAL = frozenset({"pdf_sha256", "version"})


def _was_sealed(minutes: Minutes) -> bool:
    """Sealed before this flush (sealing itself, in this flush, is allowed)."""
    state = inspect(minutes)
    if state.pending or state.transient:
        return False
    history = state.attrs.status.history
    before = history.deleted[0] if history.deleted else minutes.status
    return bool(before == MinutesStatus.SEALED)


def _changed(obj: Any) -> set[str]:
    state = inspect(obj)
    return {a.key for a in state.attrs if a.history.has_changes()}


def _guard(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted) + list(session.new):
        if isinstance(obj, Minutes):
            if obj in session.new or not _was_sealed(obj):
                continue
            if obj in session.deleted or not _changed(obj) <= _AFTER_SEAL:
                raise DomainError(ErrorCode.MINUTES_SEALED, field="minutesId")
            if "pdf_sha256" in _changed(obj) and inspect(obj).attrs.pdf_sha256.history.deleted not in (
                [],
                [None],
            ):
                raise DomainError(ErrorCode.MINUTES_SEALED, field="minutesId")
        elif isinstance(obj, MinutesSignature):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            minutes = session.get(Minutes, obj.minutes_id)
            if minutes is not None and _was_sealed(minutes):
                raise DomainError(ErrorCode.MINUTES_SEALED, field="minutesId")


def install_seal_guard() -> None:
    if not event.contains(Session, "before_flush", _guard):
        event.listen(Session, "before_flush", _guard)
