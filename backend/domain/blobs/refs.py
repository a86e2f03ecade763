"""Which rows reference blobs, and who may see those rows: the one registry.

A blob (photo, drawn signature, sealed PDF, camera image) has no owner of its own; it belongs to
the rows that name its SHA-256. Three rules use this registry and nothing else:

- reading (``backend.domain.blobs.access``): a blob is readable by whoever may see a row that
  references it (the row scope below), or by its uploader while no row references it;
- quotas: what a person's unreferenced blobs weigh;
- the sweep: a blob no row references, older than the grace period, is deleted. A reference is
  anything in this table, whoever may see it — sealed PDFs and signature images included.

A new column that holds blob hashes adds its line to ``REFERENCES``; the test
``test_the_registry_knows_every_column_that_holds_blob_hashes`` (tests/integration/
test_blob_sweep.py) fails for a ``*sha256`` column or a photo list that is missing.

How a column holds hashes (``Kind``):

- ``HASH``: the column is one hash (or NULL);
- ``LIST``: a JSON list of hashes (``survey_points.photos``);
- ``JSON_TEXT``: a JSON document kept as text, hashes as JSON strings (``minutes.content``).

The row scopes are the entities' own: each line names its entity, and ``scope.scope_for`` decides
(camera images — diagnoses, references — only for those who see the technical side of devices).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, SQLModel, col, select

from backend.domain.diagnostics.models import DeviceReference, Diagnosis
from backend.domain.maintenance.models import ChecklistAnswer
from backend.domain.people.permissions import Actor
from backend.domain.scope import scope_for
from backend.domain.surveys.models import Minutes, MinutesSignature, SurveyPoint
from backend.domain.workorders.models import WorkOrderAttachment

Rule = Callable[[Actor], ColumnElement[bool]]


class Kind(enum.Enum):
    HASH = "hash"
    LIST = "list"
    JSON_TEXT = "json_text"


@dataclass(frozen=True)
class BlobRef:
    name: str  # "<entity>.<field>", for logs and tests
    entity: str  # the entity name in backend.domain.scope / the sync
    model: type[SQLModel]
    column: Any  # the model attribute holding the hash(es)
    kind: Kind

    def rows(self, actor: Actor) -> ColumnElement[bool]:
        """The rows of ``model`` the actor may see: the entity's own row scope."""
        return scope_for(self.entity, actor)

    def matches(self, sha256: str) -> ColumnElement[bool]:
        """Rows of ``model`` that reference ``sha256``."""
        if self.kind is Kind.HASH:
            condition: ColumnElement[bool] = col(self.column) == sha256
            return condition
        # A hash is 64 hex digits: no LIKE wildcard can appear in it. Quoted, so a longer hex
        # string that merely contains it does not count.
        return sa.cast(self.column, sa.Text).like(f'%"{sha256}"%')

    def hashes_in(self, value: Any) -> Iterator[str]:
        """The hashes one stored value names."""
        if value is None:
            return
        if self.kind is Kind.HASH:
            yield str(value)
        elif self.kind is Kind.LIST:
            yield from (str(v) for v in (value if isinstance(value, list) else json.loads(value)))
        else:
            yield from _json_strings(json.loads(value) if isinstance(value, str) else value)


def _json_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        if len(node) == 64:
            yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _json_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _json_strings(value)


REFERENCES: tuple[BlobRef, ...] = (
    BlobRef(
        "workOrderAttachment.blobSha256",
        "workOrderAttachment",
        WorkOrderAttachment,
        WorkOrderAttachment.blob_sha256,
        Kind.HASH,
    ),
    BlobRef(
        "surveyPoint.photos",
        "surveyPoint",
        SurveyPoint,
        SurveyPoint.photos,
        Kind.LIST,
    ),
    BlobRef(
        "checklistAnswer.photos",  # before/after photos of a checklist item
        "checklistAnswer",
        ChecklistAnswer,
        ChecklistAnswer.photos,
        Kind.LIST,
    ),
    BlobRef(
        "minutes.pdfSha256",
        "minutes",
        Minutes,
        Minutes.pdf_sha256,
        Kind.HASH,
    ),
    BlobRef(
        "minutes.content",  # the photos frozen into the minutes (also withdrawn ones)
        "minutes",
        Minutes,
        Minutes.content,
        Kind.JSON_TEXT,
    ),
    BlobRef(
        "minutesSignature.imageSha256",
        "minutesSignature",
        MinutesSignature,
        MinutesSignature.image_sha256,
        Kind.HASH,
    ),
    BlobRef(
        "deviceReference.imageSha256",
        "deviceReference",
        DeviceReference,
        DeviceReference.image_sha256,
        Kind.HASH,
    ),
    BlobRef(
        "diagnosis.snapshotSha256",
        "diagnosis",
        Diagnosis,
        Diagnosis.snapshot_sha256,
        Kind.HASH,
    ),
    BlobRef(
        "diagnosis.referenceSha256",
        "diagnosis",
        Diagnosis,
        Diagnosis.reference_sha256,
        Kind.HASH,
    ),
)

# Cheap lookups first: the text searches only run when no plain column matched.
_ORDERED = sorted(REFERENCES, key=lambda r: r.kind is not Kind.HASH)


def _any_row(ref: BlobRef, condition: ColumnElement[bool]) -> Any:
    # an explicit FROM: a condition folded to FALSE (a role that sees none) names no table
    return select(sa.literal(1)).select_from(ref.model).where(condition).exists()


def is_referenced(session: Session, sha256: str) -> bool:
    """Whether any row at all names ``sha256``."""
    return any(session.exec(select(_any_row(ref, ref.matches(sha256)))).one() for ref in _ORDERED)


def visibly_referenced(session: Session, actor: Actor, sha256: str) -> bool:
    """Whether a row ``actor`` may see names ``sha256``."""
    return any(
        session.exec(select(_any_row(ref, and_(ref.matches(sha256), ref.rows(actor))))).one()
        for ref in _ORDERED
    )


def referenced_among(session: Session, hashes: Iterable[str], chunk: int = 200) -> set[str]:
    """Those of ``hashes`` that some row names (one query per reference and chunk)."""
    wanted = sorted(set(hashes))
    found: set[str] = set()
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        for ref in REFERENCES:
            if ref.kind is Kind.HASH:
                stmt = select(ref.column).where(col(ref.column).in_(part))
            else:
                stmt = select(ref.column).where(or_(*(ref.matches(sha) for sha in part)))
            for value in session.exec(stmt):
                found.update(h for h in ref.hashes_in(value) if h in part)
    return found


def all_referenced(session: Session, batch: int = 1000) -> set[str]:
    """Every hash any row names (the sweep: one pass over each referencing column)."""
    found: set[str] = set()
    for ref in REFERENCES:
        stmt = select(ref.column).where(col(ref.column).is_not(None)).execution_options(yield_per=batch)
        for value in session.exec(stmt):
            found.update(ref.hashes_in(value))
    return found
