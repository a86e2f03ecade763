"""The server side of the rules the PWA applies too (frontend/src/lib/rules.test.ts runs the same
vectors): the lifecycle, editability, permission matching, the private-area rule, the texts of new
work orders, error messages and what a command's arguments may be."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backend.domain.assets.models import AreaType
from backend.domain.commands import load_all_commands, parse_input
from backend.domain.errors import DomainError, ErrorCode, render
from backend.domain.people.models import Role
from backend.domain.people.permissions import Actor
from backend.domain.surveys.commands import check_area
from backend.domain.workorders import texts
from backend.domain.workorders.models import Priority, WorkOrder, WorkOrderStatus, WorkOrderType
from backend.domain.workorders.rules import allowed_actions, check_editable

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "rules_vectors.json").read_text(encoding="utf-8")
)
ME = uuid.UUID("00000000-0000-4000-8000-00000000000a")
SOMEONE_ELSE = uuid.UUID("00000000-0000-4000-8000-00000000000b")


def _actor(role: str) -> Actor:
    return Actor(id=ME, username="x", full_name="X", role=Role[role], region_id=None)


def _work_order(status: str, assignee: uuid.UUID) -> WorkOrder:
    return WorkOrder(
        number="IE-2026-000001",
        type=WorkOrderType.FAULT,
        status=WorkOrderStatus[status],
        title="Kamera",
        site_id=uuid.uuid4(),
        priority=Priority.NORMAL,
        assignee_id=assignee,
    )


def test_the_lifecycle_vectors_cover_every_status_and_role() -> None:
    seen = {(v["status"], v["role"], v["assignee"]) for v in VECTORS["lifecycle"]}
    assert seen == {(s.name, r.name, mine) for s in WorkOrderStatus for r in Role for mine in (True, False)}


@pytest.mark.parametrize("vector", VECTORS["lifecycle"])
def test_allowed_actions(vector: dict[str, Any]) -> None:
    # given
    wo = _work_order(vector["status"], ME if vector["assignee"] else SOMEONE_ELSE)
    # when
    allowed = allowed_actions(wo, _actor(vector["role"]))
    # then
    assert [a.name for a in allowed] == vector["allowed"]


@pytest.mark.parametrize("vector", VECTORS["editable"])
def test_editable(vector: dict[str, Any]) -> None:
    wo = _work_order(vector["status"], ME)
    if vector["refusal"] is None:
        check_editable(wo)
        return
    with pytest.raises(DomainError) as err:
        check_editable(wo)
    assert err.value.code is ErrorCode(vector["refusal"])


@pytest.mark.parametrize("vector", VECTORS["permissions"])
def test_permission_matching(vector: dict[str, Any]) -> None:
    assert _actor(vector["role"]).can(vector["permission"]) is vector["granted"]


def test_private_area_vectors_cover_every_area_type() -> None:
    assert [v["area"] for v in VECTORS["privateAreas"]] == [a.name for a in AreaType]


@pytest.mark.parametrize("vector", VECTORS["privateAreas"])
def test_private_areas(vector: dict[str, Any]) -> None:
    area = AreaType[vector["area"]]
    if not vector["private"]:
        check_area(area)
        return
    with pytest.raises(DomainError) as err:
        check_area(area)
    assert err.value.code is ErrorCode.SURVEY_PRIVATE_AREA


@pytest.mark.parametrize("vector", VECTORS["texts"])
def test_work_order_texts(vector: dict[str, Any]) -> None:
    assert texts.fill(vector["name"], **vector["params"]) == vector["text"]


@pytest.mark.parametrize("vector", VECTORS["dates"])
def test_dates_in_texts(vector: dict[str, Any]) -> None:
    assert texts.day(date.fromisoformat(vector["date"])) == vector["text"]


@pytest.mark.parametrize("vector", VECTORS["errors"])
def test_error_messages(vector: dict[str, Any]) -> None:
    assert render(ErrorCode(vector["code"]), vector["lang"], **vector["params"]) == vector["text"]


@pytest.mark.parametrize("vector", VECTORS["args"], ids=lambda v: f"{v['command']}:{v['refused']}")
def test_command_arguments(vector: dict[str, Any]) -> None:
    # given
    model = load_all_commands().get(vector["command"]).input_model
    # when / then
    if vector["refused"] is None:
        parse_input(model, vector["args"])
        return
    with pytest.raises(DomainError) as err:
        parse_input(model, vector["args"])
    assert err.value.code is ErrorCode.VALIDATION_FAILED
    assert (err.value.field or "").split(".")[0] == vector["refused"]
