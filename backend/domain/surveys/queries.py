"""Reading survey minutes: the sealed document's parts, and public verification.

Verification (no sign-in) says whether a PDF or a verification code belongs to sealed minutes
Saha holds, and whose signatures they carry. Only what the printed document itself shows is
disclosed: numbers, site, unit, parties' names and roles, times.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.models import User
from backend.domain.people.permissions import Actor
from backend.domain.scope import load_in_scope, survey_scope
from backend.domain.surveys.content import point_order
from backend.domain.surveys.models import (
    Minutes,
    MinutesSignature,
    MinutesStatus,
    SignerRole,
    Survey,
    SurveyPoint,
)
from backend.domain.surveys.signing import normalize_code

ROLE_ORDER = {SignerRole.TECHNICIAN: 0, SignerRole.SECURITY: 1, SignerRole.UNIT_HEAD: 2}


@dataclass(frozen=True)
class SignatureView:
    role: SignerRole
    name: str
    signed_at: datetime
    recorded_at: datetime
    image_sha256: str
    method: str  # SignatureMethod name: PASSKEY | PIN | PIN_V1


@dataclass(frozen=True)
class SealedMinutes:
    """Everything the PDF is made of."""

    id: uuid.UUID
    content: dict[str, Any]
    content_hash: str
    verification_code: str
    sealed_at: datetime
    signatures: list[SignatureView]
    pdf_sha256: str | None
    blobs: list[str] = field(default_factory=list)  # photos and signature images it shows


def _signatures(session: Session, minutes_id: uuid.UUID) -> list[SignatureView]:
    rows = session.exec(
        select(MinutesSignature, User)
        .join(User, col(User.id) == col(MinutesSignature.signer_id))
        .where(MinutesSignature.minutes_id == minutes_id)
    ).all()
    out = [
        SignatureView(
            role=sig.role,
            name=user.full_name,
            signed_at=datetime.fromisoformat(sig.signed_at.replace("Z", "+00:00")),
            recorded_at=sig.recorded_at,
            image_sha256=sig.image_sha256,
            method=sig.method.name,
        )
        for sig, user in rows
    ]
    return sorted(out, key=lambda s: ROLE_ORDER[s.role])


def sealed_minutes(session: Session, actor: Actor, minutes_id: uuid.UUID) -> SealedMinutes:
    """The sealed minutes ``actor`` may see (NOT_FOUND otherwise; MINUTES_NOT_SEALED before)."""
    minutes = session.get(Minutes, minutes_id)
    if minutes is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="minutesId")
    load_in_scope(session, Survey, minutes.survey_id, survey_scope(actor), field="minutesId")
    if minutes.status is not MinutesStatus.SEALED or minutes.sealed_at is None:
        raise DomainError(ErrorCode.MINUTES_NOT_SEALED, field="minutesId")
    content = json.loads(minutes.content)
    signatures = _signatures(session, minutes.id)
    photos = [sha for point in content["points"] for sha in point["photos"]]
    return SealedMinutes(
        id=minutes.id,
        content=content,
        content_hash=minutes.content_hash,
        verification_code=minutes.verification_code,
        sealed_at=minutes.sealed_at,
        signatures=signatures,
        pdf_sha256=minutes.pdf_sha256,
        blobs=list(dict.fromkeys(photos + [s.image_sha256 for s in signatures])),
    )


def record_pdf(session: Session, minutes_id: uuid.UUID, pdf_sha256: str) -> str:
    """Keep the first sealed PDF made for these minutes; a concurrent second one loses.

    Written through the ORM, so the change log records it (``sync.changes``) and phones pull
    ``pdfSha256``: the row is read locked, so a concurrent second render waits and then finds the
    first one's PDF."""
    minutes = session.get(Minutes, minutes_id, with_for_update=True, populate_existing=True)
    if minutes is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="minutesId")
    if minutes.pdf_sha256 is None:
        minutes.pdf_sha256 = pdf_sha256
        minutes.version += 1
        session.add(minutes)
        session.flush()
    return minutes.pdf_sha256


# ---- public verification ---------------------------------------------------------------------

Verdict = Literal["VALID", "INVALID", "UNKNOWN"]

VERDICT_MESSAGES: dict[str, str] = {
    "VALID": "Belge geçerli: Saha'da kayıtlı, mühürlü bir keşif tutanağıdır ve değiştirilmemiştir.",
    "VALID_CODE": "Bu doğrulama kodu Saha'da kayıtlı, mühürlü bir keşif tutanağına aittir. "
    "Elinizdeki belgenin aynı olduğundan emin olmak için PDF dosyasını da doğrulatın.",
    "INVALID": "Belge geçersiz: {problem}",
    "UNKNOWN": "Bu kodla kayıtlı bir tutanak bulunamadı.",
}
PROBLEMS_TR: dict[str, str] = {
    "not a PDF": "dosya bir PDF değil.",
    "not signed": "belgede kurum mührü (elektronik imza) yok.",
    "modified after signing": "belge mühürlendikten sonra değiştirilmiş.",
    "unknown signer": "mühür Saha'nın kurum sertifikasına ait değil.",
    "invalid signature": "mühürdeki elektronik imza geçersiz.",
    "signature could not be checked": "mühür denetlenemedi (imza biçimi tanınmıyor).",
    "not our record": "mühür geçerli ama belge Saha'daki tutanak kaydıyla uyuşmuyor.",
}


@dataclass(frozen=True)
class PdfFacts:
    """What the PDF integration found in a file (``backend.integrations.pdf.seal.PdfCheck``)."""

    signed: bool
    intact: bool
    valid: bool
    signer: str | None
    signed_at: datetime | None
    problem: str | None
    minutes_id: str | None
    sha256: str


def find_by_code(session: Session, code: str) -> Minutes | None:
    normal = normalize_code(code)
    if not normal:
        return None
    return session.exec(
        select(Minutes).where(Minutes.verification_code == normal).order_by(col(Minutes.created_at).desc())
    ).first()


def _minutes_view(session: Session, minutes: Minutes) -> dict[str, Any]:
    content = json.loads(minutes.content)
    superseding = session.exec(select(Minutes).where(Minutes.supersedes_id == minutes.id)).first()
    supersedes = session.get(Minutes, minutes.supersedes_id) if minutes.supersedes_id else None
    sigs = _signatures(session, minutes.id) if minutes.status is MinutesStatus.SEALED else []
    return {
        "id": str(minutes.id),
        "verificationCode": minutes.verification_code,
        "contentHash": minutes.content_hash,
        "revision": minutes.revision,
        "status": minutes.status.name,
        "sealedAt": minutes.sealed_at.isoformat() if minutes.sealed_at else None,
        "workOrderNumber": content["workOrderNumber"],
        "siteName": content["site"]["name"],
        "requestingUnit": content["request"]["requestingUnit"],
        "conclusion": content["conclusion"],
        "supersedesCode": supersedes.verification_code if supersedes else None,
        "supersededByCode": superseding.verification_code
        if superseding and superseding.status is MinutesStatus.SEALED
        else None,
        "signatures": [
            {
                "role": s.role.name,
                "name": s.name,
                "signedAt": s.signed_at.isoformat(),
                "recordedAt": s.recorded_at.isoformat(),
                "method": s.method,
            }
            for s in sigs
        ],
    }


def _report(
    verdict: Verdict,
    message: str,
    code: str | None,
    pdf: dict[str, Any] | None,
    minutes: dict[str, Any] | None,
) -> dict[str, Any]:
    return {"verdict": verdict, "message": message, "code": code, "pdf": pdf, "minutes": minutes}


def verify_code(session: Session, code: str) -> dict[str, Any]:
    """Public: only sealed minutes are known here. A code of minutes still being signed (or
    withdrawn) answers exactly like a code that does not exist: nothing leaks before sealing."""
    minutes = find_by_code(session, code)
    normal = normalize_code(code) or None
    if minutes is None or minutes.status is not MinutesStatus.SEALED:
        return _report("UNKNOWN", VERDICT_MESSAGES["UNKNOWN"], normal, None, None)
    return _report("VALID", VERDICT_MESSAGES["VALID_CODE"], normal, None, _minutes_view(session, minutes))


def verify_document(session: Session, facts: PdfFacts) -> dict[str, Any]:
    """A PDF is valid when the institution's seal over it is intact and trusted, and it is the
    very file Saha made for sealed minutes (same SHA-256 as recorded)."""
    minutes = None
    if facts.minutes_id:
        try:
            minutes = session.get(Minutes, uuid.UUID(facts.minutes_id))
        except ValueError:
            minutes = None
    if minutes is not None and minutes.status is not MinutesStatus.SEALED:
        minutes = None  # a PDF naming unsealed minutes learns nothing about them
    matches = bool(minutes and minutes.pdf_sha256 == facts.sha256)
    pdf = {
        "signed": facts.signed,
        "intact": facts.intact,
        "valid": facts.valid,
        "signer": facts.signer,
        "signedAt": facts.signed_at.isoformat() if facts.signed_at else None,
        "problem": facts.problem,
        "matchesRecord": matches,
    }
    view = _minutes_view(session, minutes) if minutes else None
    code = minutes.verification_code if minutes else None
    problem = facts.problem or ("" if matches else "not our record")
    if facts.valid and matches and minutes is not None and minutes.status is MinutesStatus.SEALED:
        return _report("VALID", VERDICT_MESSAGES["VALID"], code, pdf, view)
    reason = PROBLEMS_TR.get(problem, problem)
    return _report("INVALID", VERDICT_MESSAGES["INVALID"].format(problem=reason), code, pdf, view)


# ---- lists for the GraphQL read side ---------------------------------------------------------


def find_survey(session: Session, actor: Actor, survey_id: uuid.UUID) -> Survey | None:
    return session.exec(select(Survey).where(Survey.id == survey_id, survey_scope(actor))).first()


def list_surveys(session: Session, actor: Actor, status: Any = None, limit: int = 50) -> list[Survey]:
    stmt = select(Survey).where(survey_scope(actor))
    if status is not None:
        stmt = stmt.where(Survey.status == status)
    return list(session.exec(stmt.order_by(col(Survey.updated_at).desc()).limit(limit)).all())


def points_of_surveys(session: Session, keys: Any) -> list[list[SurveyPoint]]:
    rows = session.exec(select(SurveyPoint).where(col(SurveyPoint.survey_id).in_(keys))).all()
    out: dict[uuid.UUID, list[SurveyPoint]] = {k: [] for k in keys}
    for row in sorted(rows, key=point_order):
        out[row.survey_id].append(row)
    return [out[k] for k in keys]


def minutes_of_surveys(session: Session, keys: Any) -> list[list[Minutes]]:
    rows = session.exec(
        select(Minutes).where(col(Minutes.survey_id).in_(keys)).order_by(col(Minutes.revision))
    ).all()
    out: dict[uuid.UUID, list[Minutes]] = {k: [] for k in keys}
    for row in rows:
        out[row.survey_id].append(row)
    return [out[k] for k in keys]


def signatures_of_minutes(session: Session, keys: Any) -> list[list[MinutesSignature]]:
    rows = session.exec(select(MinutesSignature).where(col(MinutesSignature.minutes_id).in_(keys))).all()
    out: dict[uuid.UUID, list[MinutesSignature]] = {k: [] for k in keys}
    for row in sorted(rows, key=lambda s: ROLE_ORDER[s.role]):
        out[row.minutes_id].append(row)
    return [out[k] for k in keys]
