"""The generated half of the authorisation matrix: every registered command × every role, over
syncPush (the path that reaches every command; GraphQL mutations run the same commands through
the same ``execute``), against the table below — written out by hand, not derived from
``backend.domain.people.permissions``, so a permission that moves shows up here as a failure.

The detailed rows (scope, own vs someone else's rows) are in ``test_authorization_matrix.py``
and ``tests/integration/test_scope.py``; this file guarantees that no command is missing.
"""

from __future__ import annotations

import pytest

from backend.db.engine import Database
from backend.domain.commands import load_all_commands
from tests.integration.conftest import World
from tests.sync.conftest import Push, env

SIGNERS = ("admin", "manager", "tech", "security", "unit_head")
SURVEYORS = ("admin", "tech", "security")
MANAGERS = ("admin", "manager")
WORKERS = ("admin", "manager", "tech")

# command → the roles allowed to run it
ALLOWED: dict[str, tuple[str, ...]] = {
    "account.setSigningPin": SIGNERS,
    "checklist.answer": WORKERS,
    "checklist.complete": WORKERS,
    "checklist.editTemplate": ("admin",),
    "cleaning.openExtra": WORKERS,
    "cleaning.openRound": MANAGERS,
    "conflict.resolve": SIGNERS,
    "device.acceptProposal": MANAGERS,
    "device.create": MANAGERS,
    "device.rejectProposal": MANAGERS,
    "device.setCredentials": MANAGERS,
    "device.update": MANAGERS,
    "diagnostics.openFault": WORKERS,
    "diagnostics.record": WORKERS,
    "diagnostics.setReference": WORKERS,
    "firmware.removeBaseline": ("admin",),
    "firmware.setBaseline": ("admin",),
    "minutes.create": SURVEYORS,
    "minutes.sign": SIGNERS,
    "minutes.withdraw": SURVEYORS,
    "passkey.register": SIGNERS,
    "passkey.revoke": SIGNERS,
    "checklist.openRecordingCheck": WORKERS,
    "site.addIpBlock": MANAGERS,
    "site.create": MANAGERS,
    "site.removeIpBlock": MANAGERS,
    "site.update": MANAGERS,
    "survey.addPoint": SURVEYORS,
    "survey.correct": SURVEYORS,
    "survey.recordApproval": MANAGERS,
    "survey.removePoint": SURVEYORS,
    "survey.request": MANAGERS,
    "survey.update": SURVEYORS,
    "survey.updatePoint": SURVEYORS,
    "workorder.addNote": WORKERS,
    "workorder.approve": MANAGERS,
    "workorder.assign": MANAGERS,
    "workorder.attach": WORKERS,
    "workorder.close": MANAGERS,
    "workorder.create": MANAGERS,
    "workorder.return": MANAGERS,
    "workorder.start": ("admin", "tech"),
    "workorder.submit": ("admin", "tech"),
    "workorder.update": WORKERS,
}
ROLES = ("admin", "manager", "tech", "security", "unit_head", "zabita")


def test_every_registered_command_has_a_row() -> None:
    assert set(ALLOWED) == set(load_all_commands().names())


@pytest.mark.parametrize("role", ROLES)
def test_each_command_is_refused_to_exactly_the_roles_outside_its_row(
    db: Database, world: World, push: Push, role: str
) -> None:
    registry = load_all_commands()
    names = sorted(ALLOWED)
    # empty arguments: an allowed role gets past the permission check and stops at validation
    # (or at the online-only rule); any other role is refused before its arguments are read
    replies = push(getattr(world, role), "m", [env("m", i + 1, n, {}) for i, n in enumerate(names)]).replies

    got = {name: reply.code for name, reply in zip(names, replies, strict=True)}
    expected = {
        name: "COMMAND_ONLINE_ONLY"
        if registry.get(name).online_only
        else ("VALIDATION_FAILED" if role in ALLOWED[name] else "PERMISSION_DENIED")
        for name in names
    }
    assert got == expected
