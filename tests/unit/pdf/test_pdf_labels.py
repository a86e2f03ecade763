"""The minutes PDF names choices with the catalogue's Turkish labels (backend/domain/labels.py).

The PDF adapter may not import the domain (adapters sit below it, `make lint`), so it keeps its
own copy of the few labels a minutes document shows; this pins the copy to the catalogue."""

from __future__ import annotations

import pytest

from backend.domain.assets.models import AreaType, RecordingLocation
from backend.domain.choices import Choice
from backend.domain.labels import LABELS
from backend.domain.surveys.models import Conclusion, Mounting
from backend.integrations.pdf import minutes_pdf


@pytest.mark.parametrize(
    ("enum", "copy"),
    [
        (AreaType, minutes_pdf.AREA_TYPES),
        (Mounting, minutes_pdf.MOUNTINGS),
        (RecordingLocation, minutes_pdf.RECORDING_LOCATIONS),
        (Conclusion, minutes_pdf.CONCLUSIONS),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_the_pdf_shows_the_catalogue_labels(enum: type[Choice], copy: dict[str, str]) -> None:
    assert copy == {member.name: tr for member, (tr, _en) in LABELS[enum].items()}
