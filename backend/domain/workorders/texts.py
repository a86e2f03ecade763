"""What Saha writes into the work orders a workflow opens (Turkish, as the unit writes them).

The PWA shows the same text while the command waits in its outbox: ``make generate`` exports
the templates to ``frontend/src/generated/rules.ts``, and ``tests/fixtures/rules_vectors.json``
pins how both sides fill them (placeholders, the title's length limit, dates).
"""

from __future__ import annotations

from datetime import date

# CreateWorkOrder.title's limit: a generated title is cut to it (in characters, not bytes).
TITLE_MAX = 160

TEMPLATES: dict[str, str] = {
    # survey.request: the survey work order of a unit's request (directive 4(3), 7(1))
    "surveyTitle": "Ortak keşif: {requestingUnit}",
    "surveyDescription": "{reason}\n\nTalep eden: {requestingUnit} ({unitHead})",
    # survey.recordApproval: the installation the approval (Olur) plans
    "installationTitle": "Kurulum: {site}",
    "installationDescription": (
        "Olur: {olurReference} ({olurDate}). Keşif: {surveyNumber}, talep eden: {requestingUnit}."
    ),
    # the monthly maintenance round of a site (directive 12(14), 16(1)) and an extra cleaning (16(2))
    "cleaningRoundTitle": "Aylık bakım ve temizlik {month}: {site}",
    "extraCleaningTitle": "Ek temizlik: {device} ({site})",
    "extraCleaningDescription": "{reason}",
}


def fill(name: str, **params: str) -> str:
    """Template ``name`` with its ``{placeholders}`` filled; titles are cut to TITLE_MAX."""
    text = TEMPLATES[name].format(**params)
    return text[:TITLE_MAX] if name.endswith("Title") else text


def day(value: date) -> str:
    """A calendar date as the texts write it: 05.12.2026."""
    return value.strftime("%d.%m.%Y")
