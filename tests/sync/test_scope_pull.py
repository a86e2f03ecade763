"""Pulls follow the same row scope as GraphQL: places-only views, people, and deletions."""

from __future__ import annotations

import uuid
from typing import Any

from backend.db.engine import Database
from backend.domain.assets.models import DeviceKind
from tests.factories import make_device, make_survey, run
from tests.integration.conftest import World


def _of(state: dict[tuple[str, str], dict[str, Any]], entity: str) -> dict[str, dict[str, Any]]:
    return {key: data for (kind, key), data in state.items() if kind == entity}


def test_zabita_pulls_cameras_as_places_and_only_themselves(
    db: Database, world: World, pull_all: Any
) -> None:
    recorder = make_device(db, world.admin, world.site_north, ip="10.1.1.70", kind=DeviceKind.RECORDER)

    state, _, _ = pull_all(world.zabita)

    devices = _of(state, "device")
    assert str(recorder.id) not in devices
    assert set(devices) == {str(world.cam_north.id), str(world.cam_south.id)}
    for data in devices.values():
        assert data["ipAddress"] is None
        assert data["onvifPort"] is None
        assert data["recorderId"] is None
        assert data["serialNumber"] == ""
        assert data["firmware"] == ""
        assert data["make"] == ""
    assert all(site["ipBlocks"] == [] for site in _of(state, "site").values())
    assert set(_of(state, "user")) == {str(world.zabita.id)}


def test_survey_parties_pull_their_survey_site_and_people_only(
    db: Database, world: World, pull_all: Any
) -> None:
    state, cursor, _ = pull_all(world.security)
    assert _of(state, "site") == {}
    assert set(_of(state, "user")) == {str(world.security.id)}

    # when a survey makes them party to work at the north site (the people's rows do not change)
    make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    state, _, _ = pull_all(world.security, cursor, state=state)

    assert set(_of(state, "site")) == {str(world.site_north.id)}
    assert set(_of(state, "device")) == {str(world.cam_north.id)}
    assert _of(state, "device")[str(world.cam_north.id)]["ipAddress"] is None
    people = set(_of(state, "user"))
    assert {str(world.tech.id), str(world.security.id), str(world.unit_head.id)} <= people
    assert str(world.tech_south.id) not in people
    assert str(world.zabita.id) not in people


def test_a_deletion_reaches_only_those_who_saw_the_row(db: Database, world: World, pull_all: Any) -> None:
    survey = make_survey(db, world.manager, world.site_north, world.tech, world.security, world.unit_head)
    point = uuid.uuid4()
    run(
        db,
        world.tech,
        "survey.addPoint",
        {"id": point, "surveyId": survey.id, "place": "Vezne", "areaType": "CASHIER", "mounting": "WALL"},
    )
    _, party_cursor, _ = pull_all(world.security)
    _, outsider_cursor, _ = pull_all(world.tech_south)

    run(db, world.tech, "survey.removePoint", {"pointId": point})
    _, _, party_pages = pull_all(world.security, party_cursor)
    _, _, outsider_pages = pull_all(world.tech_south, outsider_cursor)

    def deletions(pages: list[Any]) -> set[str]:
        return {str(c.id) for page in pages for c in page.changes if c.op == "delete"}

    assert deletions(party_pages) == {str(point)}
    assert deletions(outsider_pages) == set()
