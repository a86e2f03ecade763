"""Error catalogue, permissions table and command registry stay consistent."""

from __future__ import annotations

import re

import pytest

from backend.domain.commands import load_all_commands
from backend.domain.errors import MESSAGES, DomainError, ErrorCode, render
from backend.domain.people.models import Role
from backend.domain.people.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS
from backend.domain.workorders.rules import TRANSITIONS


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_has_turkish_and_english(code: ErrorCode) -> None:
    assert set(MESSAGES[code]) == {"tr", "en"}
    assert MESSAGES[code]["tr"] != MESSAGES[code]["en"]
    # the same placeholders in both languages
    assert set(re.findall(r"{(\w+)}", MESSAGES[code]["tr"])) == set(
        re.findall(r"{(\w+)}", MESSAGES[code]["en"])
    )


def test_render_fills_parameters_and_survives_missing_ones() -> None:
    assert render(ErrorCode.AUTH_THROTTLED, "tr", seconds=8) == (
        "Çok fazla hatalı giriş denemesi. Lütfen 8 saniye sonra tekrar deneyin."
    )
    assert "{seconds}" in render(ErrorCode.AUTH_THROTTLED, "tr")
    assert DomainError(ErrorCode.NOT_FOUND).message("xx") == MESSAGES[ErrorCode.NOT_FOUND]["tr"]


def test_permission_names_follow_area_verb() -> None:
    for permission in ALL_PERMISSIONS:
        assert re.fullmatch(r"[a-z]+\.[a-z]+", permission), permission


def test_every_role_has_permissions_from_the_catalogue() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    for perms in ROLE_PERMISSIONS.values():
        assert perms <= ALL_PERMISSIONS
    assert ROLE_PERMISSIONS[Role.ADMIN] == ALL_PERMISSIONS


def test_commands_declare_known_permissions_and_names() -> None:
    registry = load_all_commands()
    names = registry.names()
    assert {
        "workorder.create",
        "workorder.start",
        "workorder.addNote",
        "workorder.submit",
        "workorder.approve",
        "workorder.return",
        "workorder.close",
        "workorder.assign",
        "site.create",
        "site.addIpBlock",
        "device.create",
        "device.update",
    } <= set(names)
    for name in names:
        cmd = registry.get(name)
        assert re.fullmatch(r"[a-z]+\.[a-zA-Z]+", name)
        assert cmd.permission in ALL_PERMISSIONS, name
        assert cmd.description, f"{name} needs a docstring"
    for transition in TRANSITIONS.values():
        assert transition.permission in ALL_PERMISSIONS


def test_unknown_command_is_a_typed_error() -> None:
    with pytest.raises(DomainError) as err:
        load_all_commands().get("workorder.teleport")
    assert err.value.code is ErrorCode.COMMAND_UNKNOWN
