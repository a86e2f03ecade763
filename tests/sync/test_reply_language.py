"""A refusal's message is rendered in the reader's language from language-free parameters: the
ledger keeps the choices a command named (a status, an area, a role …), never Turkish words, so
a reply replayed in English is English throughout (the catalogue's side: tests/unit/test_catalogue.py)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from backend.db.engine import Database
from backend.domain.diagnostics.queries import guard_target
from backend.domain.errors import DomainError, ErrorCode, render
from backend.domain.surveys.models import Minutes
from tests.factories import (
    fill_survey,
    make_device,
    make_survey,
    make_work_order,
    minutes_hash,
    reload,
    set_pin,
    sign_args,
)
from tests.integration.conftest import World
from tests.sync.conftest import Push, env

TURKISH = re.compile("[çğıİöşüÇĞÖŞÜ]")


def _wire(args: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in args.items()}


def _refusals(db: Database, world: World, push: Push) -> tuple[Any, list[Any]]:
    """One envelope for each refusal whose message names a choice: the manager's, the technician's."""
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    frozen = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    for seq, name in enumerate(("workorder.start", "workorder.submit"), start=1):
        push(world.tech, "setup", [env("setup", seq, name, {"workOrderId": str(frozen.id)})])
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    empty = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    fill_survey(db, world.tech, survey.id)
    mid = uuid.uuid4()
    create = {"id": str(mid), "surveyId": str(survey.id), "contentHash": minutes_hash(db, survey.id, mid)}
    assert (
        push(world.tech, "setup", [env("setup", 3, "minutes.create", create)]).replies[0].status == "applied"
    )
    minutes = reload(db, Minutes, mid)
    people = {"technicianId": str(world.tech.id), "securityId": str(world.tech.id)}
    request = {"siteId": str(world.site_north.id), "reason": "Kamera", "requestingUnit": "Birim", **people}
    wrong_role = env("m", 1, "survey.request", {**request, "unitHeadId": str(world.unit_head.id)})
    return wrong_role, [
        env("p", 1, "workorder.submit", {"workOrderId": str(wo.id)}),
        env("p", 2, "workorder.update", {"workOrderId": str(frozen.id), "title": "Yeni başlık"}),
        env(
            "p",
            3,
            "minutes.create",
            {"id": str(uuid.uuid4()), "surveyId": str(empty.id), "contentHash": "0" * 64},
        ),
        env("p", 4, "minutes.sign", _wire(sign_args(minutes, "SECURITY", world.tech))),
        env(
            "p",
            5,
            "survey.addPoint",
            {
                "id": str(uuid.uuid4()),
                "surveyId": str(empty.id),
                "place": "Kat 1",
                "areaType": "OFFICE",
                "mounting": "WALL",
            },
        ),
    ]


def _twice(push: Push, user: Any, client: str, batch: list[Any]) -> list[Any]:
    """Pushed, then replayed: the replay's replies come from the ledger."""
    push(user, client, batch)
    return push(user, client, batch).replies


def test_refusals_replayed_in_english_are_english(db: Database, world: World, push: Push) -> None:
    # given refusals whose messages name choices, pushed from a phone (the ledger keeps them)
    wrong_role, batch = _refusals(db, world, push)

    # when they are replayed and read in English
    replies = _twice(push, world.tech, "p", batch) + _twice(push, world.manager, "m", [wrong_role])

    # then every message is English (the people's own names aside) …
    assert [r.code for r in replies] == [
        "WORKORDER_ILLEGAL_TRANSITION",
        "WORKORDER_FROZEN",
        "SURVEY_INCOMPLETE",
        "MINUTES_WRONG_SIGNER",
        "SURVEY_PRIVATE_AREA",
        "SURVEY_WRONG_ROLE",
    ]
    names = (world.tech.full_name, world.security.full_name)
    english = [render(ErrorCode(r.code), "en", **r.params) for r in replies if r.code]
    for message in english:
        assert not TURKISH.search(re.sub("|".join(map(re.escape, names)), "", message)), message
    assert "'assigned' does not allow 'submit for approval'" in english[0]
    assert "'awaiting approval'" in english[1]
    assert "missing: the survey date, the conclusion." in english[2]
    assert "as “protection and security staff”" in english[3]
    assert "an office is a private area" in english[4]
    assert "must be protection and security staff." in english[5]
    # … and Turkish for a Turkish reader of the same stored replies
    turkish = [render(ErrorCode(r.code), "tr", **r.params) for r in replies if r.code]
    assert "'atandı' durumundayken 'onaya gönderme'" in turkish[0]
    assert "keşif tarihi, keşif sonucu eksik" in turkish[2]
    assert "ofis özel alandır" in turkish[4]


def test_a_refused_diagnosis_target_says_why_in_the_readers_language(db: Database, world: World) -> None:
    planned = make_device(db, world.admin, world.site_north)
    with db.read_session() as s, pytest.raises(DomainError) as err:
        guard_target(s, planned)

    assert err.value.params == {"reason": "out_of_service"}
    assert "connect to this device: the device is not in service." in err.value.message("en")
    assert "bağlanılmaz: cihaz hizmette değil." in err.value.message("tr")
