"""Fixtures shared by the PDF tests (rendered once per session: WeasyPrint takes ~0.5 s a document)."""

from __future__ import annotations

import pytest

from backend.integrations.pdf.seal import SealIdentity, load_seal_identity
from tests.unit.pdf.samples import render


@pytest.fixture(scope="session")
def minutes_pdf() -> bytes:
    return render()


@pytest.fixture(scope="session")
def seal_identity(tmp_path_factory: pytest.TempPathFactory) -> SealIdentity:
    return load_seal_identity(data_dir=tmp_path_factory.mktemp("data"))
