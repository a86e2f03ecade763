"""Joint surveys and their minutes, through the domain commands (docs/surveys.md)."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlmodel import Session, select

from backend.db.engine import Database
from backend.domain.assets.models import AreaType
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.models import User
from backend.domain.surveys import signing
from backend.domain.surveys.models import Minutes, MinutesSignature, MinutesStatus, Survey, SurveyStatus
from backend.domain.workorders.models import WorkOrder, WorkOrderType
from tests.factories import fill_survey, make_survey, minutes_hash, reload, run, set_pin, sign_args
from tests.integration.conftest import World
from tests.signing_support import pin_set_box


def _refused(code: ErrorCode, fn, *args, **kwargs) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    assert info.value.code is code
    return info.value


@pytest.fixture
def survey(db: Database, world: World) -> Survey:
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    return make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)


def _make_minutes(db: Database, world: World, survey: Survey) -> Minutes:
    mid = uuid.uuid4()
    return run(
        db,
        world.tech,
        "minutes.create",
        {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)},
    )


def _seal(db: Database, world: World, survey: Survey) -> Minutes:
    fill_survey(db, world.tech, survey.id)
    minutes = _make_minutes(db, world, survey)
    run(db, world.tech, "minutes.sign", sign_args(minutes, "TECHNICIAN", world.tech))
    run(db, world.tech, "minutes.sign", sign_args(minutes, "SECURITY", world.security))
    run(db, world.tech, "minutes.sign", sign_args(minutes, "UNIT_HEAD", world.unit_head))
    return reload(db, Minutes, minutes.id)


def test_request_creates_a_survey_work_order_for_both_parties(
    db: Database, world: World, survey: Survey
) -> None:
    # then
    wo = reload(db, WorkOrder, survey.work_order_id)
    assert wo.type is WorkOrderType.SURVEY
    assert wo.assignee_id == world.tech.id
    assert survey.status is SurveyStatus.DRAFT
    # the security staff member sees it too (row scope), another technician does not
    run(db, world.security, "survey.update", {"surveyId": survey.id, "signsNeeded": 1})
    _refused(
        ErrorCode.NOT_FOUND,
        run,
        db,
        world.tech_south,
        "survey.update",
        {"surveyId": survey.id, "signsNeeded": 1},
    )


def test_request_checks_each_party_has_the_right_role(db: Database, world: World) -> None:
    err = _refused(
        ErrorCode.SURVEY_WRONG_ROLE,
        make_survey,
        db,
        world.manager,
        world.site_north,
        world.tech,
        world.tech_south,  # a technician as "security staff"
        world.unit_head,
    )
    assert err.field == "securityId"


@pytest.mark.parametrize("area", sorted(a.name for a in AreaType if a.is_private))
def test_every_private_area_is_refused(db: Database, world: World, survey: Survey, area: str) -> None:
    # when / then
    err = _refused(
        ErrorCode.SURVEY_PRIVATE_AREA,
        run,
        db,
        world.tech,
        "survey.addPoint",
        {
            "id": uuid.uuid4(),
            "surveyId": survey.id,
            "place": "Müdür odası",
            "areaType": area,
            "mounting": "WALL",
        },
    )
    assert "7(4)" in err.message("tr")
    assert err.field == "areaType"
    assert reload(db, Survey, survey.id).version == survey.version  # nothing changed


def test_cashier_is_the_exception_and_a_point_cannot_be_moved_into_a_private_area(
    db: Database, world: World, survey: Survey
) -> None:
    point = run(
        db,
        world.tech,
        "survey.addPoint",
        {
            "id": uuid.uuid4(),
            "surveyId": survey.id,
            "place": "Vezne",
            "areaType": "CASHIER",
            "mounting": "CEILING",
        },
    )
    assert point.area_type is AreaType.CASHIER
    _refused(
        ErrorCode.SURVEY_PRIVATE_AREA,
        run,
        db,
        world.tech,
        "survey.updatePoint",
        {"pointId": point.id, "areaType": "TOILET"},
    )


def test_only_the_parties_edit_a_survey(db: Database, world: World, survey: Survey) -> None:
    _refused(
        ErrorCode.SURVEY_NOT_PARTY,
        run,
        db,
        world.admin,
        "survey.update",
        {"surveyId": survey.id, "signsNeeded": 3},
    )
    _refused(
        ErrorCode.PERMISSION_DENIED,
        run,
        db,
        world.unit_head,
        "survey.update",
        {"surveyId": survey.id, "signsNeeded": 3},
    )


def test_minutes_need_a_complete_survey_and_the_same_content(
    db: Database, world: World, survey: Survey
) -> None:
    mid = uuid.uuid4()
    err = _refused(
        ErrorCode.SURVEY_INCOMPLETE,
        run,
        db,
        world.tech,
        "minutes.create",
        {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)},
    )
    assert "keşif sonucu" in err.message("tr")
    fill_survey(db, world.tech, survey.id)
    _refused(
        ErrorCode.MINUTES_CONTENT_MISMATCH,
        run,
        db,
        world.tech,
        "minutes.create",
        {"id": mid, "surveyId": survey.id, "contentHash": "0" * 64},
    )


def test_minutes_freeze_the_survey_until_withdrawn(db: Database, world: World, survey: Survey) -> None:
    fill_survey(db, world.tech, survey.id)
    minutes = _make_minutes(db, world, survey)
    content = json.loads(minutes.content)
    assert content["template"] == signing.TEMPLATE
    assert [p["no"] for p in content["points"]] == [1, 2]
    assert minutes.verification_code == signing.verification_code(minutes.content_hash)
    _refused(
        ErrorCode.SURVEY_LOCKED,
        run,
        db,
        world.security,
        "survey.update",
        {"surveyId": survey.id, "signsNeeded": 5},
    )
    run(db, world.security, "minutes.withdraw", {"minutesId": minutes.id, "reason": "Nokta eksik"})
    run(db, world.security, "survey.update", {"surveyId": survey.id, "signsNeeded": 5})
    again = _make_minutes(db, world, survey)
    assert again.revision == 2


def test_three_verified_signatures_seal_the_minutes(db: Database, world: World, survey: Survey) -> None:
    # when
    minutes = _seal(db, world, survey)
    # then
    assert minutes.status is MinutesStatus.SEALED
    assert minutes.sealed_at is not None
    assert reload(db, Survey, survey.id).status is SurveyStatus.SEALED
    with db.read_session() as s:
        sigs = s.exec(select(MinutesSignature).where(MinutesSignature.minutes_id == minutes.id)).all()
    assert {(x.role.name, x.signer_id, x.captured_by_id) for x in sigs} == {
        ("TECHNICIAN", world.tech.id, world.tech.id),
        ("SECURITY", world.security.id, world.tech.id),  # co-signed on the technician's phone
        ("UNIT_HEAD", world.unit_head.id, world.tech.id),
    }
    assert all(x.content_hash == minutes.content_hash for x in sigs)


def test_a_co_signature_with_the_wrong_pin_is_rejected(db: Database, world: World, survey: Survey) -> None:
    fill_survey(db, world.tech, survey.id)
    minutes = _make_minutes(db, world, survey)
    err = _refused(
        ErrorCode.SIGNATURE_PIN_WRONG,
        run,
        db,
        world.tech,
        "minutes.sign",
        sign_args(minutes, "SECURITY", world.security, pin="000000"),
    )
    assert world.security.full_name in err.message("tr")
    # a sealed PIN made for another image or time does not open for this one (its AAD differs)
    args = sign_args(minutes, "SECURITY", world.security)
    for tampered in ({"imageSha256": "ef" * 32}, {"signedAt": "2026-11-23T10:00:00.000Z"}):
        _refused(
            ErrorCode.MINUTES_SIGNATURE_INVALID, run, db, world.tech, "minutes.sign", {**args, **tampered}
        )
    _refused(
        ErrorCode.MINUTES_WRONG_SIGNER, run, db, world.tech, "minutes.sign", {**args, "role": "UNIT_HEAD"}
    )
    with db.read_session() as s:
        assert s.exec(select(MinutesSignature)).all() == []


def test_a_signer_without_a_pin_cannot_sign(db: Database, world: World) -> None:
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    fill_survey(db, world.tech, survey.id)
    minutes = _make_minutes(db, world, survey)
    _refused(
        ErrorCode.MINUTES_SIGNER_NO_PIN,
        run,
        db,
        world.tech,
        "minutes.sign",
        sign_args(minutes, "TECHNICIAN", world.tech),
    )


def test_sealed_minutes_refuse_every_later_command(db: Database, world: World, survey: Survey) -> None:
    minutes = _seal(db, world, survey)
    point_id = json.loads(minutes.content)["points"][0]["id"]
    attempts = [
        (world.tech, "survey.update", {"surveyId": survey.id, "signsNeeded": 9}),
        (
            world.tech,
            "survey.addPoint",
            {
                "id": uuid.uuid4(),
                "surveyId": survey.id,
                "place": "Yeni",
                "areaType": "LOBBY",
                "mounting": "WALL",
            },
        ),
        (world.tech, "survey.updatePoint", {"pointId": point_id, "place": "Değişti"}),
        (world.tech, "survey.removePoint", {"pointId": point_id}),
        (world.tech, "minutes.sign", sign_args(minutes, "SECURITY", world.security)),
        (world.security, "minutes.withdraw", {"minutesId": minutes.id, "reason": "geç"}),
        (world.tech, "minutes.create", {"id": uuid.uuid4(), "surveyId": survey.id, "contentHash": "0" * 64}),
    ]
    for actor, name, args in attempts:
        _refused(ErrorCode.MINUTES_SEALED, run, db, actor, name, args)
    assert reload(db, Minutes, minutes.id).model_dump() == minutes.model_dump()


def test_the_flush_guard_keeps_sealed_rows_unchanged_whatever_the_code_path(
    db: Database, world: World, survey: Survey
) -> None:
    minutes = _seal(db, world, survey)

    def rewrite_content(s: Session) -> None:
        row = s.get(Minutes, minutes.id)
        assert row is not None
        row.content = row.content.replace("Nokta 1", "Nokta X")

    def drop_a_signature(s: Session) -> None:
        s.delete(s.exec(select(MinutesSignature).where(MinutesSignature.minutes_id == minutes.id)).first())

    for tamper in (rewrite_content, drop_a_signature):
        with pytest.raises(DomainError) as info:
            db.run_write(tamper)
        assert info.value.code is ErrorCode.MINUTES_SEALED
    # recording the sealed PDF once is allowed
    with db.write_session() as s:
        row = s.get(Minutes, minutes.id)
        assert row is not None
        row.pdf_sha256 = "f" * 64
    assert reload(db, Minutes, minutes.id).content == minutes.content


def test_a_correction_is_new_minutes_referencing_the_sealed_ones(
    db: Database, world: World, survey: Survey
) -> None:
    sealed = _seal(db, world, survey)
    run(db, world.tech, "survey.correct", {"surveyId": survey.id, "reason": "Nokta 2 yanlış yazılmış"})
    run(db, world.tech, "survey.update", {"surveyId": survey.id, "cablingNeeds": "Cat6 60 m"})
    correction = _make_minutes(db, world, survey)
    assert correction.supersedes_id == sealed.id
    assert correction.revision == 2
    assert json.loads(correction.content)["supersedesId"] == str(sealed.id)
    assert reload(db, Minutes, sealed.id).content == sealed.content


def test_approval_of_a_favourable_sealed_survey_plans_the_installation(
    db: Database, world: World, survey: Survey
) -> None:
    fill_survey(db, world.tech, survey.id)
    _refused(
        ErrorCode.SURVEY_NOT_SEALED,
        run,
        db,
        world.manager,
        "survey.recordApproval",
        {"surveyId": survey.id, "olurReference": "E-123", "olurDate": "2026-11-25"},
    )
    _seal_existing = _make_minutes(db, world, survey)
    for role, person in (
        ("TECHNICIAN", world.tech),
        ("SECURITY", world.security),
        ("UNIT_HEAD", world.unit_head),
    ):
        run(db, world.tech, "minutes.sign", sign_args(_seal_existing, role, person))
    _refused(
        ErrorCode.PERMISSION_DENIED,
        run,
        db,
        world.tech,
        "survey.recordApproval",
        {"surveyId": survey.id, "olurReference": "E-123", "olurDate": "2026-11-25"},
    )
    # when
    approved = run(
        db,
        world.manager,
        "survey.recordApproval",
        {"surveyId": survey.id, "olurReference": "E-123", "olurDate": "2026-11-25"},
    )
    # then
    assert approved.status is SurveyStatus.APPROVED
    assert approved.olur_reference == "E-123"
    installation = reload(db, WorkOrder, approved.installation_work_order_id)
    assert installation.type is WorkOrderType.INSTALLATION
    assert "E-123" in installation.description


def test_an_unfavourable_survey_gets_no_approval(db: Database, world: World, survey: Survey) -> None:
    run(
        db,
        world.tech,
        "survey.update",
        {"surveyId": survey.id, "surveyDate": "2026-11-22", "conclusion": "UNFAVOURABLE"},
    )
    minutes = _make_minutes(db, world, survey)
    for role, person in (
        ("TECHNICIAN", world.tech),
        ("SECURITY", world.security),
        ("UNIT_HEAD", world.unit_head),
    ):
        run(db, world.tech, "minutes.sign", sign_args(minutes, role, person))
    _refused(
        ErrorCode.SURVEY_NOT_FAVOURABLE,
        run,
        db,
        world.manager,
        "survey.recordApproval",
        {"surveyId": survey.id, "olurReference": "E-1", "olurDate": "2026-11-25"},
    )


def test_pin_data_is_validated(db: Database, world: World) -> None:
    # a box that is not one
    _refused(
        ErrorCode.VALIDATION_FAILED,
        run,
        db,
        world.tech,
        "account.setSigningPin",
        {"pinBox": {"v": 1, "kid": "short", "epk": "", "iv": "", "ct": ""}},
        reauthenticated=True,
    )
    # without the password of this request (e.g. replayed from an outbox)
    _refused(
        ErrorCode.AUTH_PASSWORD_CONFIRM_REQUIRED,
        run,
        db,
        world.tech,
        "account.setSigningPin",
        {"pinBox": pin_set_box(world.tech.id, "482916")},
    )
    # not six digits, and guessable patterns
    for pin, code in (
        ("12345", ErrorCode.SIGNING_PIN_INVALID),
        ("12a456", ErrorCode.SIGNING_PIN_INVALID),
        ("123456", ErrorCode.SIGNING_PIN_WEAK),
        ("987654", ErrorCode.SIGNING_PIN_WEAK),
        ("000000", ErrorCode.SIGNING_PIN_WEAK),
        ("121212", ErrorCode.SIGNING_PIN_WEAK),
        ("901234", ErrorCode.SIGNING_PIN_WEAK),
    ):
        _refused(
            code,
            run,
            db,
            world.tech,
            "account.setSigningPin",
            {"pinBox": pin_set_box(world.tech.id, pin)},
            reauthenticated=True,
        )
    # a box sealed for another person's account does not set this one's PIN
    _refused(
        ErrorCode.SIGNING_PIN_INVALID,
        run,
        db,
        world.tech,
        "account.setSigningPin",
        {"pinBox": pin_set_box(world.security.id, "482916")},
        reauthenticated=True,
    )
    assert reload(db, User, world.tech.id).signing_pin_set_at is None
