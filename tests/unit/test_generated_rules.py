"""frontend/src/generated/rules.ts is what the exporter writes from the code now, and what it is
written from is complete."""

from __future__ import annotations

from backend.domain.choices import Choice
from backend.domain.commands import load_all_commands
from backend.domain.diagnostics.models import ProposalStatus
from backend.domain.errors import HTTP_STATUS, ErrorCode, http_status
from backend.domain.export import RULES_FILE, rules_ts
from backend.domain.labels import LABELS, label
from backend.domain.workorders.models import AttachmentKind, WorkOrderStatus
from backend.domain.workorders.rules import TRANSITIONS

# Domain enums no screen shows in words (yet).
UNLABELLED = {ProposalStatus, AttachmentKind}


def test_rules_ts_is_up_to_date() -> None:
    committed = RULES_FILE.read_text(encoding="utf-8")

    assert committed == rules_ts(), (
        "frontend/src/generated/rules.ts drifted: run `make generate` and commit it"
    )


def test_every_domain_enum_is_labelled_in_both_languages() -> None:
    load_all_commands()
    enums = set(_all_choices())
    assert set(LABELS) == enums - UNLABELLED
    for cls, words in LABELS.items():
        assert set(words) == set(cls), cls.__name__
        for tr, en in words.values():
            assert tr.strip(), cls.__name__
            assert en.strip(), cls.__name__
    assert label(WorkOrderStatus.SUBMITTED) == "Onay bekliyor"
    assert label(WorkOrderStatus.SUBMITTED, "en") == "Awaiting approval"


def test_each_lifecycle_step_is_its_command_under_the_same_permission() -> None:
    registry = load_all_commands()
    for action, transition in TRANSITIONS.items():
        assert registry.get(transition.command).permission == transition.permission, action


def test_http_statuses_are_refusals() -> None:
    assert all(400 <= status < 600 for status in HTTP_STATUS.values())
    assert http_status(ErrorCode.UPLOAD_BUSY) == 423
    assert http_status(ErrorCode.WORKORDER_FROZEN) == 400


def _all_choices() -> list[type[Choice]]:
    found: list[type[Choice]] = []
    pending = list(Choice.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found
