"""Surveys through the offline sync: the privacy rule and "signed is sealed" (invariant 6) hold
for queued, replayed and late commands exactly as for online ones."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlmodel import select

from backend.db.engine import Database
from backend.domain.signing.verify import LOCK_RULES
from backend.domain.surveys.models import Minutes, MinutesSignature, MinutesStatus, Survey, SurveyPoint
from tests.factories import fill_survey, make_survey, minutes_hash, reload, set_pin, sign_args
from tests.integration.conftest import World
from tests.sync.conftest import Push, env


def _wire(args: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in args.items()}


def _survey(db: Database, world: World) -> Survey:
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    survey: Survey = make_survey(
        db, world.manager, world.site_north, world.tech, world.security, world.unit_head
    )
    return survey


def _point(survey: Survey, area: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "surveyId": str(survey.id),
        "place": "Kat 1",
        "areaType": area,
        "mounting": "WALL",
    }


def test_private_areas_are_refused_through_sync_and_vezne_applies(
    db: Database, world: World, push: Push
) -> None:
    # given a survey and a phone that queued points offline
    survey = _survey(db, world)
    areas = ["OFFICE", "work_room", "TOILET", "CORRIDOR_TO_PRIVATE", "CASHIER"]
    batch = [env("tech-phone", i, "survey.addPoint", _point(survey, a)) for i, a in enumerate(areas, start=1)]

    # when
    result = push(world.tech, "tech-phone", batch)

    # then the four private areas are rejected with the rule named, the cashier point applies
    assert [r.status for r in result.replies] == ["rejected"] * 4 + ["applied"]
    assert {r.code for r in result.replies[:4]} == {"SURVEY_PRIVATE_AREA"}
    with db.read_session() as s:
        points = s.exec(select(SurveyPoint).where(SurveyPoint.survey_id == survey.id)).all()
    assert [p.area_type.name for p in points] == ["CASHIER"]


def _seal_through_sync(db: Database, world: World, push: Push, survey: Survey) -> tuple[Minutes, list[Any]]:
    fill_survey(db, world.tech, survey.id)
    mid = uuid.uuid4()
    create = env(
        "tech-phone",
        1,
        "minutes.create",
        {"id": str(mid), "surveyId": str(survey.id), "contentHash": minutes_hash(db, survey.id, mid)},
    )
    assert push(world.tech, "tech-phone", [create]).replies[0].status == "applied"
    minutes = reload(db, Minutes, mid)
    signs = [
        env("tech-phone", 2 + i, "minutes.sign", _wire(sign_args(minutes, role, person)))
        for i, (role, person) in enumerate(
            (("TECHNICIAN", world.tech), ("SECURITY", world.security), ("UNIT_HEAD", world.unit_head))
        )
    ]
    result = push(world.tech, "tech-phone", signs)
    assert [r.status for r in result.replies] == ["applied"] * 3
    return reload(db, Minutes, mid), [create, *signs]


def test_commands_queued_before_sealing_are_refused_when_they_arrive_after(
    db: Database, world: World, push: Push
) -> None:
    # given the security staff's phone queued edits offline while the technician's phone sealed
    survey = _survey(db, world)
    point_id = None
    late = [
        env("security-phone", 1, "survey.update", {"surveyId": str(survey.id), "signsNeeded": 7}),
        env("security-phone", 2, "survey.addPoint", _point(survey, "LOBBY")),
    ]
    minutes, _ = _seal_through_sync(db, world, push, survey)
    assert minutes.status is MinutesStatus.SEALED
    point_id = json.loads(minutes.content)["points"][0]["id"]
    late.append(env("security-phone", 3, "survey.removePoint", {"pointId": point_id}))

    # when the late phone comes online
    result = push(world.security, "security-phone", late)

    # then every one is refused as sealed, and nothing about the minutes or the survey changed
    assert [(r.status, r.code) for r in result.replies] == [("rejected", "MINUTES_SEALED")] * 3
    after = reload(db, Minutes, minutes.id)
    assert after.model_dump() == minutes.model_dump()
    assert reload(db, Survey, survey.id).signs_needed == 2
    assert reload(db, SurveyPoint, uuid.UUID(point_id)) is not None


def test_replaying_the_sealing_batch_changes_nothing_and_a_new_signature_is_refused(
    db: Database, world: World, push: Push
) -> None:
    survey = _survey(db, world)
    minutes, batch = _seal_through_sync(db, world, push, survey)
    with db.read_session() as s:
        before = sorted(x.model_dump_json() for x in s.exec(select(MinutesSignature)).all())

    # when the whole batch is replayed (lost acknowledgement), and another phone signs again
    replay = push(world.tech, "tech-phone", batch)
    extra = push(
        world.unit_head,
        "head-phone",
        [env("head-phone", 1, "minutes.sign", _wire(sign_args(minutes, "UNIT_HEAD", world.unit_head)))],
    )

    # then
    assert [r.status for r in replay.replies] == ["applied"] * 4
    assert (extra.replies[0].status, extra.replies[0].code) == ("rejected", "MINUTES_SEALED")
    with db.read_session() as s:
        assert sorted(x.model_dump_json() for x in s.exec(select(MinutesSignature)).all()) == before


def test_an_unverifiable_co_signature_is_rejected_with_the_signers_name(
    db: Database, world: World, push: Push
) -> None:
    survey = _survey(db, world)
    fill_survey(db, world.tech, survey.id)
    mid = uuid.uuid4()
    push(
        world.tech,
        "tech-phone",
        [
            env(
                "tech-phone",
                1,
                "minutes.create",
                {"id": str(mid), "surveyId": str(survey.id), "contentHash": minutes_hash(db, survey.id, mid)},
            )
        ],
    )
    minutes = reload(db, Minutes, mid)
    bad = _wire(sign_args(minutes, "SECURITY", world.security, pin="111111"))

    result = push(world.tech, "tech-phone", [env("tech-phone", 2, "minutes.sign", bad)])

    reply = result.replies[0]
    assert (reply.status, reply.code, reply.field) == ("rejected", "SIGNATURE_PIN_WRONG", "proof")
    assert reply.params["person"] == world.security.full_name
    assert reload(db, Minutes, mid).status is MinutesStatus.AWAITING_SIGNATURES


def test_parties_pull_the_survey_and_never_a_pin_verifier(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    survey = _survey(db, world)
    minutes, _ = _seal_through_sync(db, world, push, survey)

    for person in (world.security, world.unit_head):
        state, _, _ = pull_all(person)
        assert ("survey", str(survey.id)) in state
        assert ("minutes", str(minutes.id)) in state
        assert ("workOrder", str(survey.work_order_id)) in state
        assert sum(1 for kind, _ in state if kind == "minutesSignature") == 3
        me = state[("user", str(person.id))]
        assert me["signingPinSetAt"]
        assert not {"signingSalt", "signingIterations", "signingKey"} & set(me)
    state, _, _ = pull_all(world.tech_south)
    assert ("survey", str(survey.id)) not in state


MAX_REFUSALS = LOCK_RULES[0][0]


def test_a_refused_co_signature_is_kept_for_the_signer_and_guessing_from_one_sender_pauses_only_it(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    # given minutes awaiting signatures on the technician's phone
    survey = _survey(db, world)
    fill_survey(db, world.tech, survey.id)
    mid = uuid.uuid4()
    create = {"id": str(mid), "surveyId": str(survey.id), "contentHash": minutes_hash(db, survey.id, mid)}
    push(world.tech, "tech-phone", [env("tech-phone", 1, "minutes.create", create)])
    minutes = reload(db, Minutes, mid)

    # when someone tries PINs for the security staff member, then the right PIN
    guesses = [
        env(
            "tech-phone",
            2 + i,
            "minutes.sign",
            _wire(sign_args(minutes, "SECURITY", world.security, pin=f"00000{i}")),
        )
        for i in range(MAX_REFUSALS)
    ]
    right = env(
        "tech-phone", 2 + MAX_REFUSALS, "minutes.sign", _wire(sign_args(minutes, "SECURITY", world.security))
    )
    result = push(world.tech, "tech-phone", [*guesses, right])

    # then each guess is refused and recorded, and then signing in their name is paused
    assert [r.code for r in result.replies] == ["SIGNATURE_PIN_WRONG"] * MAX_REFUSALS + [
        "MINUTES_SIGNER_LOCKED"
    ]
    with db.read_session() as s:
        assert s.exec(select(MinutesSignature)).all() == []
    # and the security staff member's own phone learns of it through the sync
    state, _, _ = pull_all(world.security)
    refusals = [data for (kind, _), data in state.items() if kind == "signatureRefusal"]
    assert (
        sorted(r["code"] for r in refusals)
        == ["MINUTES_SIGNER_LOCKED"] + ["SIGNATURE_PIN_WRONG"] * MAX_REFUSALS
    )
    assert {(r["signerId"], r["capturedById"], r["role"]) for r in refusals} == {
        (str(world.security.id), str(world.tech.id), "SECURITY")
    }
    # a technician elsewhere does not
    state, _, _ = pull_all(world.tech_south)
    assert not [k for k in state if k[0] == "signatureRefusal"]

    # and the pause holds for the sender only: the security staff sign on their own phone
    own = push(
        world.security,
        "security-phone",
        [env("security-phone", 1, "minutes.sign", _wire(sign_args(minutes, "SECURITY", world.security)))],
    )
    assert own.replies[0].status == "applied", own.replies[0]


def test_a_survey_conflict_between_the_two_parties_is_resolved_by_the_security_staff(
    db: Database, world: World, push: Push
) -> None:
    from sync.models import Conflict

    # given both parties edited the same field offline from version 1
    survey = _survey(db, world)
    base = {f"survey:{survey.id}": survey.version}
    tech_edit = {"surveyId": str(survey.id), "cablingNeeds": "Cat6 40 m"}
    sec_edit = {"surveyId": str(survey.id), "cablingNeeds": "Cat6 60 m, kanal ile"}
    push(world.tech, "tech-phone", [env("tech-phone", 1, "survey.update", tech_edit, base=base)])
    push(world.security, "sec-phone", [env("sec-phone", 1, "survey.update", sec_edit, base=base)])
    with db.read_session() as s:
        conflict = s.exec(select(Conflict).where(Conflict.entity == "survey")).one()
    assert reload(db, Survey, survey.id).cabling_needs == "Cat6 40 m"

    # when the security staff member takes their own value
    result = push(
        world.security,
        "sec-phone",
        [env("sec-phone", 2, "conflict.resolve", {"conflictId": str(conflict.id), "choice": "take_client"})],
    )

    # then it is written through the survey's own rules
    assert result.replies[0].status == "applied"
    assert reload(db, Survey, survey.id).cabling_needs == "Cat6 60 m, kanal ile"
    assert reload(db, Conflict, conflict.id).resolution == "took_client"
