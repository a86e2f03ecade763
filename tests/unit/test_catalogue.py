"""Error catalogue, permissions table and command registry stay consistent."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from backend.domain.assets.models import AreaType
from backend.domain.commands import load_all_commands
from backend.domain.errors import MESSAGES, TERMS, DomainError, ErrorCode, render
from backend.domain.people.models import Role
from backend.domain.people.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS
from backend.domain.surveys.models import SignerRole
from backend.domain.workorders.models import WorkOrderStatus
from backend.domain.workorders.rules import TRANSITIONS, Action


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


# ---- English messages are English --------------------------------------------------------------

TURKISH_LETTERS = re.compile("[çğıİöşüÇĞÖŞÜ]")
TURKISH_WORDS = sorted({w for terms in TERMS.values() for w in terms["tr"].values()})
# what a parameter that names no choice carries: numbers, names, ids, English details
NEUTRAL: dict[str, Any] = {"person": "Pat Example", "ip": "10.1.1.10", "cidr": "10.1.1.0/24"}


def _placeholders(code: ErrorCode) -> list[str]:
    return sorted(set(re.findall(r"{(\w+)}", MESSAGES[code]["en"])))


def _parameter_sets(code: ErrorCode) -> list[dict[str, Any]]:
    """Every value of each placeholder that names a choice (and every pair of them, for lists),
    the others neutral (words may use the neutral ones too: an address)."""
    names = _placeholders(code)
    choices = {
        n: list(TERMS[n]["en"]) + [", ".join(pair) for pair in itertools.combinations(TERMS[n]["en"], 2)]
        for n in names
        if n in TERMS
    }
    base = {**NEUTRAL, **{n: NEUTRAL.get(n, 7) for n in names if n not in TERMS}}
    if not choices:
        return [base]
    keys = list(choices)
    return [{**base, **dict(zip(keys, combo, strict=True))} for combo in itertools.product(*choices.values())]


def _turkish(text: str) -> list[str]:
    found = TURKISH_LETTERS.findall(text)
    found += [w for w in TURKISH_WORDS if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]
    return found


@pytest.mark.parametrize("code", list(ErrorCode))
def test_english_messages_carry_no_turkish_whatever_the_parameters(code: ErrorCode) -> None:
    for params in _parameter_sets(code):
        # given the values a command passes (enum members or their stored values)
        message = render(code, "en", **params)

        # then the English message has no Turkish letter or word, and no placeholder left
        assert not _turkish(message), (code, params, message)
        assert "{" not in message, (code, params, message)
        # and the Turkish one names the same choices in Turkish
        turkish = render(code, "tr", **params)
        for name in set(params) & set(TERMS):
            for part in str(params[name]).split(", "):
                assert TERMS[name]["tr"][part].format(**params) in turkish, (code, name, part)


def test_every_choice_a_message_names_has_words_in_both_languages() -> None:
    expected = {
        "status": {s.value for s in WorkOrderStatus},
        "action": {a.value for a in Action},
        "area": {a.value for a in AreaType if a.is_private},
        "role": {r.value for r in Role},
        "missing": {"survey_date", "conclusion", "points", "recording_location", "sign_count"},
        "reason": {"out_of_service", "no_address", "outside_blocks"},
    }
    assert {s.value for s in SignerRole} <= expected["role"]  # signers are named with the same words
    assert set(TERMS) == set(expected)
    for name, values in expected.items():
        assert set(TERMS[name]) == {"tr", "en"}, name
        assert set(TERMS[name]["tr"]) == set(TERMS[name]["en"]) == values, name
    # a placeholder that names a choice means the same choice in every message that has it
    used = {n for code in ErrorCode for n in _placeholders(code)}
    assert set(TERMS) <= used


def test_a_choice_is_rendered_from_the_member_its_value_or_left_alone() -> None:
    code = ErrorCode.WORKORDER_ILLEGAL_TRANSITION
    by_member = render(code, "en", status=WorkOrderStatus.SUBMITTED, action=Action.SUBMIT)
    by_value = render(code, "en", status="submitted", action="submit")  # as stored in the ledger

    assert (
        by_member
        == by_value
        == ("A work order in status 'awaiting approval' does not allow 'submit for approval'.")
    )
    assert render(code, "tr", status="submitted", action="submit") == (
        "İş emri 'onay bekliyor' durumundayken 'onaya gönderme' yapılamaz."
    )
    # words recorded before choices were passed as values stay as they were
    assert "'onay bekliyor'" in render(code, "en", status="onay bekliyor", action="submit")
