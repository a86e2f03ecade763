"""Survey and minutes commands (docs/surveys.md). Every rule of directive 4(3), 7(1), 7(4) and
of signed minutes is checked here, so the online mutations and the offline sync obey the same."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from sqlmodel import select

from backend.domain.assets.models import AreaType, RecordingLocation, Site
from backend.domain.blobs.access import require_referable
from backend.domain.commands import CommandContext, CommandInput, command
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.models import Role, User
from backend.domain.scope import load_in_scope, replay_of, survey_scope
from backend.domain.signing.message import SignRequest, parse_signed_at
from backend.domain.signing.verify import Proof, SignatureRefusedError, failure, verify_signature
from backend.domain.surveys import signing
from backend.domain.surveys.content import build_content, next_revision
from backend.domain.surveys.models import (
    REQUIRED_ROLES,
    Conclusion,
    Minutes,
    MinutesSignature,
    MinutesStatus,
    Mounting,
    SignatureRefusal,
    SignerRole,
    Survey,
    SurveyPoint,
    SurveyStatus,
)
from backend.domain.workorders import texts
from backend.domain.workorders.commands import CreateWorkOrder, create_work_order, record_note
from backend.domain.workorders.models import Priority, WorkOrder, WorkOrderType
from sync.conflicts import merge

Short = Annotated[str, StringConstraints(max_length=300)]
Note = Annotated[str, StringConstraints(max_length=1000)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Required = Annotated[str, StringConstraints(min_length=2, max_length=2000)]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

# ---- helpers -------------------------------------------------------------------------------


def _person(ctx: CommandContext, user_id: uuid.UUID, role: Role, field: str) -> User:
    user = ctx.session.get(User, user_id)
    if user is None or not user.is_active:
        raise DomainError(ErrorCode.NOT_FOUND, field=field)
    if user.role is not role:
        raise DomainError(
            ErrorCode.SURVEY_WRONG_ROLE,
            field=field,
            params={"person": user.full_name, "role": role},
        )
    return user


def _load(ctx: CommandContext, survey_id: uuid.UUID) -> Survey:
    return load_in_scope(
        ctx.session, Survey, survey_id, survey_scope(ctx.actor), field="surveyId", for_update=True
    )


def _editable(ctx: CommandContext, survey: Survey) -> Survey:
    """The survey's own parties may edit it while it is a draft."""
    if survey.status is SurveyStatus.AWAITING_SIGNATURES:
        raise DomainError(ErrorCode.SURVEY_LOCKED, field="surveyId")
    if survey.status in (SurveyStatus.SEALED, SurveyStatus.APPROVED):
        raise DomainError(ErrorCode.MINUTES_SEALED, field="surveyId")
    if ctx.actor.id not in (survey.technician_id, survey.security_id):
        raise DomainError(ErrorCode.SURVEY_NOT_PARTY, field="surveyId")
    return survey


def _touch(ctx: CommandContext, obj: Survey | SurveyPoint | Minutes) -> None:
    obj.version += 1
    if isinstance(obj, Survey):
        obj.updated_at = ctx.now
    ctx.session.add(obj)


def check_area(area_type: AreaType, field: str = "areaType") -> None:
    """Directive 7(4): no camera in a private area — cashier (vezne) areas excepted."""
    if area_type.is_private:
        raise DomainError(ErrorCode.SURVEY_PRIVATE_AREA, field=field, params={"area": area_type})


# ---- request ---------------------------------------------------------------------------------


class RequestSurvey(CommandInput):
    id: uuid.UUID | None = None  # the survey's id (client-chosen; replaying is harmless)
    work_order_id: uuid.UUID | None = None
    site_id: uuid.UUID
    reason: Required
    requesting_unit: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    unit_head_id: uuid.UUID
    technician_id: uuid.UUID
    security_id: uuid.UUID
    due_on: date | None = None


@command("survey.request", permission=p.SURVEYS_REQUEST, input=RequestSurvey)
def request_survey(ctx: CommandContext, inp: RequestSurvey) -> Survey:
    """A unit's request for cameras becomes a survey work order for a technician and a security
    staff member to survey jointly (directive 4(3), 7(1))."""
    if inp.id is not None and (existing := ctx.session.get(Survey, inp.id)) is not None:
        return _load(ctx, existing.id)
    unit_head = _person(ctx, inp.unit_head_id, Role.UNIT_HEAD, "unitHeadId")
    _person(ctx, inp.security_id, Role.SECURITY, "securityId")
    site = ctx.session.get(Site, inp.site_id)
    wo = create_work_order(
        ctx,
        CreateWorkOrder(
            id=inp.work_order_id,
            type=WorkOrderType.SURVEY,
            title=texts.fill("surveyTitle", requestingUnit=inp.requesting_unit),
            description=texts.fill(
                "surveyDescription",
                reason=inp.reason,
                requestingUnit=inp.requesting_unit,
                unitHead=unit_head.full_name,
            ),
            site_id=inp.site_id,
            priority=Priority.NORMAL,
            due_on=inp.due_on,
            assignee_id=inp.technician_id,
        ),
    )
    assert site is not None  # create_work_order checked it
    survey = Survey(
        id=inp.id or uuid.uuid4(),
        work_order_id=wo.id,
        site_id=site.id,
        reason=inp.reason,
        requesting_unit=inp.requesting_unit,
        unit_head_id=unit_head.id,
        technician_id=inp.technician_id,
        security_id=inp.security_id,
        recording_location=site.recording_location,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(survey)
    return survey


# ---- the survey on site ------------------------------------------------------------------------


class UpdateSurvey(CommandInput):
    survey_id: uuid.UUID
    survey_date: date | None = None
    recording_location: RecordingLocation | None = None
    recording_note: Note | None = None
    infrastructure_needs: Text | None = None
    cabling_needs: Text | None = None
    signs_needed: Annotated[int, Field(ge=0, le=500)] | None = None
    signs_note: Note | None = None
    conclusion: Conclusion | None = None
    conclusion_note: Text | None = None


SURVEY_ENTITY = "survey"


@command("survey.update", permission=p.SURVEYS_WORK, input=UpdateSurvey)
def update_survey(ctx: CommandContext, inp: UpdateSurvey) -> Survey:
    """Fill in the survey's findings. Two people edit one survey, often offline: a field someone
    else changed since the edit's base version keeps their value and becomes a conflict."""
    survey = _editable(ctx, _load(ctx, inp.survey_id))
    edits = inp.model_dump(exclude={"survey_id"}, exclude_none=True)
    outcome = merge(
        ctx.session,
        entity=SURVEY_ENTITY,
        obj=survey,
        edits=edits,
        base_version=ctx.base_version(SURVEY_ENTITY, survey.id),
        actor_id=ctx.actor.id,
        mutation_id=ctx.mutation_id,
    )
    if outcome.applied:
        _touch(ctx, survey)
    return survey


Photos = Annotated[list[Hash], Field(max_length=10)]
LatE6 = Annotated[int, Field(ge=-90_000_000, le=90_000_000)]
LonE6 = Annotated[int, Field(ge=-180_000_000, le=180_000_000)]
Accuracy = Annotated[int, Field(ge=0, le=100_000)]
Position = Annotated[int, Field(ge=0, le=10_000)]


class AddPoint(CommandInput):
    id: uuid.UUID
    survey_id: uuid.UUID
    position: Position = 0
    place: Annotated[str, StringConstraints(min_length=2, max_length=300)]
    area_type: AreaType
    mounting: Mounting
    view_direction: Short = ""
    photos: Photos = Field(default_factory=list)
    lat_e6: LatE6 | None = None
    lon_e6: LonE6 | None = None
    accuracy_m: Accuracy | None = None


class UpdatePoint(CommandInput):
    point_id: uuid.UUID
    position: Position | None = None
    place: Annotated[str, StringConstraints(min_length=2, max_length=300)] | None = None
    area_type: AreaType | None = None
    mounting: Mounting | None = None
    view_direction: Short | None = None
    photos: Photos | None = None
    lat_e6: LatE6 | None = None
    lon_e6: LonE6 | None = None
    accuracy_m: Accuracy | None = None


class PointRef(CommandInput):
    point_id: uuid.UUID


@command("survey.addPoint", permission=p.SURVEYS_WORK, input=AddPoint)
def add_point(ctx: CommandContext, inp: AddPoint) -> SurveyPoint:
    """Propose a camera point: where, what kind of area, mounting, view, photos, position."""
    if (existing := replay_of(ctx.session, SurveyPoint, inp.id, ctx.actor, "surveyPoint")) is not None:
        return existing
    survey = _editable(ctx, _load(ctx, inp.survey_id))
    check_area(inp.area_type)
    point = SurveyPoint(
        **inp.model_dump(exclude={"survey_id"}),
        survey_id=survey.id,
        created_by_id=ctx.actor.id,
        created_at=ctx.now,
    )
    require_referable(ctx.session, ctx.actor, point.photos, field="photos")
    ctx.session.add(point)
    _touch(ctx, survey)
    return point


def _point(ctx: CommandContext, point_id: uuid.UUID) -> tuple[SurveyPoint, Survey]:
    point = ctx.session.get(SurveyPoint, point_id)
    if point is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="pointId")
    survey = load_in_scope(
        ctx.session, Survey, point.survey_id, survey_scope(ctx.actor), field="pointId", for_update=True
    )
    return point, _editable(ctx, survey)


@command("survey.updatePoint", permission=p.SURVEYS_WORK, input=UpdatePoint)
def update_point(ctx: CommandContext, inp: UpdatePoint) -> SurveyPoint:
    """Change a proposed camera point."""
    point, survey = _point(ctx, inp.point_id)
    edits = inp.model_dump(exclude={"point_id"}, exclude_none=True)
    if "area_type" in edits:
        check_area(edits["area_type"])
    require_referable(ctx.session, ctx.actor, edits.get("photos") or [], field="photos")
    for key, value in edits.items():
        setattr(point, key, value)
    _touch(ctx, point)
    _touch(ctx, survey)
    return point


@command("survey.removePoint", permission=p.SURVEYS_WORK, input=PointRef)
def remove_point(ctx: CommandContext, inp: PointRef) -> Survey:
    """Drop a proposed camera point."""
    point, survey = _point(ctx, inp.point_id)
    ctx.session.delete(point)
    _touch(ctx, survey)
    return survey


# ---- minutes ---------------------------------------------------------------------------------


class CreateMinutes(CommandInput):
    id: uuid.UUID
    survey_id: uuid.UUID
    content_hash: Hash


def _missing(content: dict[str, Any]) -> list[str]:
    """What the minutes still need (the catalogue's words for each: ``errors.TERMS["missing"]``)."""
    missing = []
    if not content["surveyDate"]:
        missing.append("survey_date")
    if not content["conclusion"]:
        missing.append("conclusion")
    if content["conclusion"] == Conclusion.FAVOURABLE.name:
        if not content["points"]:
            missing.append("points")
        if not content["recording"]["location"]:
            missing.append("recording_location")
        if content["signs"]["count"] is None:
            missing.append("sign_count")
    return missing


@command("minutes.create", permission=p.SURVEYS_WORK, input=CreateMinutes)
def create_minutes(ctx: CommandContext, inp: CreateMinutes) -> Minutes:
    """Freeze the survey into minutes for the three parties to sign. The phone sends the hash of
    the document it shows; the server builds its own and refuses if they differ."""
    if (existing := replay_of(ctx.session, Minutes, inp.id, ctx.actor, "minutes")) is not None:
        return existing
    survey = _editable(ctx, _load(ctx, inp.survey_id))
    revision = next_revision(ctx.session, survey.id)
    content = build_content(ctx.session, survey, minutes_id=inp.id, revision=revision)
    if missing := _missing(content):
        raise DomainError(
            ErrorCode.SURVEY_INCOMPLETE, field="surveyId", params={"missing": ", ".join(missing)}
        )
    digest = signing.content_hash(content)
    if digest != inp.content_hash:
        raise DomainError(ErrorCode.MINUTES_CONTENT_MISMATCH, field="contentHash")
    minutes = Minutes(
        id=inp.id,
        survey_id=survey.id,
        revision=revision,
        template_version=signing.TEMPLATE,
        content=signing.canonical_json(content),
        content_hash=digest,
        verification_code=signing.verification_code(digest),
        status=MinutesStatus.AWAITING_SIGNATURES,
        supersedes_id=survey.corrects_minutes_id,
        created_by_id=ctx.actor.id,
        created_at=ctx.now,
    )
    ctx.session.add(minutes)
    survey.status = SurveyStatus.AWAITING_SIGNATURES
    _touch(ctx, survey)
    ctx.session.flush()
    record_note(
        ctx,
        survey.work_order_id,
        f"Keşif tutanağı düzenlendi (rev. {revision}, {minutes.verification_code}).",
    )
    return minutes


def _minutes(ctx: CommandContext, minutes_id: uuid.UUID) -> tuple[Minutes, Survey]:
    minutes = ctx.session.get(Minutes, minutes_id, with_for_update=True)
    if minutes is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="minutesId")
    survey = load_in_scope(
        ctx.session, Survey, minutes.survey_id, survey_scope(ctx.actor), field="minutesId", for_update=True
    )
    if minutes.status is MinutesStatus.SEALED:
        raise DomainError(ErrorCode.MINUTES_SEALED, field="minutesId")
    if minutes.status is MinutesStatus.WITHDRAWN:
        raise DomainError(ErrorCode.MINUTES_WITHDRAWN, field="minutesId")
    return minutes, survey


class SignMinutes(CommandInput):
    id: uuid.UUID
    minutes_id: uuid.UUID
    role: SignerRole
    signer_id: uuid.UUID
    image_sha256: Hash
    content_hash: Hash
    signed_at: Annotated[str, StringConstraints(min_length=10, max_length=40)]
    # {kind: "passkey", credential} or {kind: "pin", box}; a string is the retired PIN proof
    proof: Proof | Annotated[str, StringConstraints(max_length=200)]


MINUTES_DOCUMENT = "minutes"


def _signer_for(survey: Survey, role: SignerRole) -> uuid.UUID:
    return {
        SignerRole.TECHNICIAN: survey.technician_id,
        SignerRole.SECURITY: survey.security_id,
        SignerRole.UNIT_HEAD: survey.unit_head_id,
    }[role]


@command("minutes.sign", permission=p.MINUTES_SIGN, input=SignMinutes)
def sign_minutes(ctx: CommandContext, inp: SignMinutes) -> MinutesSignature:
    """A party signs: the drawn image plus a proof over this document's hash, role, signer, time
    and image — the signer's passkey assertion (on their own phone) or their PIN sealed to the
    server (on any phone). The server verifies it here; a refused one is recorded so that the
    signer and the sender see why. With all three signatures the minutes are sealed."""
    if (
        existing := replay_of(ctx.session, MinutesSignature, inp.id, ctx.actor, "minutesSignature")
    ) is not None:
        return existing
    minutes, survey = _minutes(ctx, inp.minutes_id)
    require_referable(ctx.session, ctx.actor, [inp.image_sha256], field="imageSha256")
    signer = ctx.session.get(User, inp.signer_id)
    if signer is None or _signer_for(survey, inp.role) != signer.id:
        name = signer.full_name if signer else str(inp.signer_id)
        raise DomainError(
            ErrorCode.MINUTES_WRONG_SIGNER, field="signerId", params={"person": name, "role": inp.role}
        )
    if inp.content_hash != minutes.content_hash:
        raise DomainError(ErrorCode.MINUTES_CONTENT_MISMATCH, field="contentHash")
    signed = {
        s.role
        for s in ctx.session.exec(select(MinutesSignature).where(MinutesSignature.minutes_id == minutes.id))
    }
    if inp.role in signed:
        raise DomainError(ErrorCode.MINUTES_ALREADY_SIGNED, field="role", params={"role": inp.role})
    if parse_signed_at(inp.signed_at) is None:
        raise DomainError(ErrorCode.MINUTES_SIGNED_AT_INVALID, field="signedAt")
    if isinstance(inp.proof, str):
        raise DomainError(ErrorCode.SIGNATURE_SCHEME_RETIRED, field="proof")
    request = SignRequest(
        document_kind=MINUTES_DOCUMENT,
        document_id=str(minutes.id),
        content_hash=minutes.content_hash,
        role=inp.role.name,
        signer_id=str(signer.id),
        signed_at=inp.signed_at,
        image_sha256=inp.image_sha256,
    )
    try:
        verified = verify_signature(
            ctx.session,
            ctx.require_signing(),
            request,
            inp.proof,
            captured_by_id=ctx.actor.id,
            now=ctx.now,
        )
    except SignatureRefusedError as refused:
        raise _refusal(ctx, minutes, inp, signer, refused) from None
    signature = MinutesSignature(
        id=inp.id,
        minutes_id=minutes.id,
        role=inp.role,
        signer_id=signer.id,
        image_sha256=inp.image_sha256,
        content_hash=minutes.content_hash,
        signed_at=inp.signed_at,
        method=verified.method,
        recorded_at=ctx.now,
        captured_by_id=ctx.actor.id,
    )
    ctx.session.add(signature)
    verified.evidence.signature_id = signature.id
    ctx.session.add(verified.evidence)
    if signed | {inp.role} >= set(REQUIRED_ROLES):
        minutes.status = MinutesStatus.SEALED
        minutes.sealed_at = ctx.now
        survey.status = SurveyStatus.SEALED
        _touch(ctx, survey)
        ctx.session.flush()
        record_note(
            ctx,
            survey.work_order_id,
            f"Keşif tutanağı üç tarafça imzalandı ve mühürlendi ({minutes.verification_code}).",
        )
    _touch(ctx, minutes)
    return signature


def _refusal(
    ctx: CommandContext, minutes: Minutes, inp: SignMinutes, signer: User, refused: SignatureRefusedError
) -> DomainError:
    """The command's refusal, keeping (after the rollback) a record the signer and the sender see
    and, for a wrong PIN, a count towards pausing PIN signatures in that name from this sender."""
    refusal = SignatureRefusal(
        minutes_id=minutes.id,
        role=inp.role,
        signer_id=signer.id,
        captured_by_id=ctx.actor.id,
        code=refused.code.value,
        at=ctx.now,
    )
    guess = failure(signer.id, ctx.actor.id, ctx.now) if refused.guess else None

    def keep(session: Any) -> None:
        session.add(refusal)
        if guess is not None:
            session.add(guess)

    params = {"person": signer.full_name, "detail": "", **refused.params}
    return DomainError(refused.code, field="proof", params=params, keep=keep)


class WithdrawMinutes(CommandInput):
    minutes_id: uuid.UUID
    reason: Annotated[str, StringConstraints(min_length=2, max_length=2000)]


@command("minutes.withdraw", permission=p.SURVEYS_WORK, input=WithdrawMinutes)
def withdraw_minutes(ctx: CommandContext, inp: WithdrawMinutes) -> Minutes:
    """Take back minutes not yet sealed (a mistake, a refused signature): the survey is editable
    again and the next minutes get a new revision."""
    minutes, survey = _minutes(ctx, inp.minutes_id)
    if ctx.actor.id not in (survey.technician_id, survey.security_id):
        raise DomainError(ErrorCode.SURVEY_NOT_PARTY, field="minutesId")
    minutes.status = MinutesStatus.WITHDRAWN
    minutes.withdrawn_reason = inp.reason
    _touch(ctx, minutes)
    survey.status = SurveyStatus.DRAFT
    _touch(ctx, survey)
    ctx.session.flush()
    record_note(ctx, survey.work_order_id, f"Keşif tutanağı geri çekildi: {inp.reason}")
    return minutes


class CorrectSurvey(CommandInput):
    survey_id: uuid.UUID
    reason: Annotated[str, StringConstraints(min_length=2, max_length=2000)]


@command("survey.correct", permission=p.SURVEYS_WORK, input=CorrectSurvey)
def correct_survey(ctx: CommandContext, inp: CorrectSurvey) -> Survey:
    """Sealed minutes never change: a correction reopens the survey, and its next minutes
    reference the sealed ones they correct."""
    survey = _load(ctx, inp.survey_id)
    if survey.status is not SurveyStatus.SEALED:
        raise DomainError(ErrorCode.SURVEY_NOT_SEALED, field="surveyId")
    if ctx.actor.id not in (survey.technician_id, survey.security_id):
        raise DomainError(ErrorCode.SURVEY_NOT_PARTY, field="surveyId")
    sealed = ctx.session.exec(
        select(Minutes)
        .where(Minutes.survey_id == survey.id, Minutes.status == MinutesStatus.SEALED)
        .order_by(Minutes.revision.desc())  # type: ignore[attr-defined]
    ).first()
    assert sealed is not None
    survey.corrects_minutes_id = sealed.id
    survey.status = SurveyStatus.DRAFT
    _touch(ctx, survey)
    record_note(ctx, survey.work_order_id, f"Düzeltme için keşif yeniden açıldı: {inp.reason}")
    return survey


class RecordApproval(CommandInput):
    survey_id: uuid.UUID
    olur_reference: Annotated[str, StringConstraints(min_length=2, max_length=120)]
    olur_date: date
    installation_work_order_id: uuid.UUID | None = None


@command("survey.recordApproval", permission=p.SURVEYS_APPROVE, input=RecordApproval)
def record_approval(ctx: CommandContext, inp: RecordApproval) -> Survey:
    """Record the approval (Olur) of a favourable, sealed survey; the installation enters
    planning as a new work order (directive 7(1))."""
    survey = _load(ctx, inp.survey_id)
    if survey.status is SurveyStatus.APPROVED:
        return survey
    if survey.status is not SurveyStatus.SEALED:
        raise DomainError(ErrorCode.SURVEY_NOT_SEALED, field="surveyId")
    if survey.conclusion is not Conclusion.FAVOURABLE:
        raise DomainError(ErrorCode.SURVEY_NOT_FAVOURABLE, field="surveyId")
    site = ctx.session.get(Site, survey.site_id)
    survey_wo = ctx.session.get(WorkOrder, survey.work_order_id)
    assert site is not None
    assert survey_wo is not None
    installation = create_work_order(
        ctx,
        CreateWorkOrder(
            id=inp.installation_work_order_id,
            type=WorkOrderType.INSTALLATION,
            title=texts.fill("installationTitle", site=site.name),
            description=texts.fill(
                "installationDescription",
                olurReference=inp.olur_reference,
                olurDate=texts.day(inp.olur_date),
                surveyNumber=survey_wo.number,
                requestingUnit=survey.requesting_unit,
            ),
            site_id=site.id,
        ),
    )
    survey.olur_reference = inp.olur_reference
    survey.olur_date = inp.olur_date
    survey.installation_work_order_id = installation.id
    survey.status = SurveyStatus.APPROVED
    _touch(ctx, survey)
    ctx.session.flush()
    record_note(
        ctx,
        survey.work_order_id,
        f"Olur kaydedildi ({inp.olur_reference}); kurulum iş emri {installation.number}.",
    )
    return survey
