"""POST /api/verify without a sign-in: rate limited per address, a smaller size cap, heavy
files refused before parsing, a bounded number of verifications at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from backend.config import Settings
from backend.db.engine import Database
from backend.http import minutes
from tests.integration.conftest import World
from tests.integration.peers import peer_client

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _frozen_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = datetime.now(UTC).replace(second=1)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return fixed  # type: ignore[return-value]

    monkeypatch.setattr(minutes, "datetime", Frozen)


async def test_anonymous_verification_is_rate_limited_per_address(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _frozen_minute(monkeypatch)
    settings.verify_rate_per_minute = 2
    async with peer_client(settings, db) as client:
        answers = [
            await client.post("/api/verify", content=PDF, headers={"x-test-peer": "203.0.113.9"})
            for _ in range(3)
        ]
        other = await client.post("/api/verify", content=PDF, headers={"x-test-peer": "198.51.100.7"})

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "RATE_LIMITED"
    assert answers[2].headers["retry-after"] == "59"
    assert "59" in answers[2].json()["message"]
    assert other.status_code == 200


async def test_anonymous_files_are_smaller_than_signed_in_ones(
    db: Database, settings: Settings, world: World
) -> None:
    settings.max_anonymous_verify_pdf_bytes = 1000
    big = PDF + b"%" + b"x" * 2000 + b"\n"
    async with peer_client(settings, db) as client:
        anonymous = await client.post("/api/verify", content=big)
        signed_in = await client.post(
            "/api/verify", content=big, headers={"authorization": f"Bearer {world.token(world.tech)}"}
        )

    assert anonymous.status_code == 413
    assert anonymous.json()["code"] == "LIMIT_EXCEEDED"
    assert signed_in.status_code == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"%PDF-1.7\n" + b"".join(b"%d 0 obj null endobj\n" % i for i in range(1, 3001)), "objects"),
        (b"%PDF-1.7\n1 0 obj << /Type /ObjStm /N 50000 /First 4 >> stream\nx\nendstream endobj\n", "objects"),
        (b"%PDF-1.7\n" + b"xref\n0 0\ntrailer <<>>\nstartxref\n9\n%%EOF\n" * 40, "revisions"),
    ],
    ids=["many-objects", "object-stream", "many-revisions"],
)
async def test_heavy_files_are_refused_before_parsing(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, body: bytes, reason: str
) -> None:
    settings.max_verify_pdf_objects = 1000
    settings.max_verify_pdf_revisions = 20
    parsed: list[int] = []
    from backend.services import documents as service

    monkeypatch.setattr(service, "verify_pdf", lambda *a: parsed.append(1))
    async with peer_client(settings, db) as client:
        response = await client.post("/api/verify", content=body)

    assert response.status_code == 413
    assert reason in response.json()["message"]
    assert parsed == []


async def test_verifications_run_a_bounded_number_at_once(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.verify_concurrency = 2
    settings.verify_rate_per_minute = 100
    from backend.services.documents import MinutesDocuments

    active = peak = 0
    full = asyncio.Event()  # the first verifications wait until as many run as the bound allows

    async def slow_verify(self: Any, data: bytes) -> dict[str, Any]:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        if active == settings.verify_concurrency:
            full.set()
        await full.wait()
        for _ in range(20):
            await asyncio.sleep(0)  # let the others in, if the bound let them
        active -= 1
        return {"ok": True}

    monkeypatch.setattr(MinutesDocuments, "verify_pdf", slow_verify)
    async with peer_client(settings, db) as client:
        answers = await asyncio.gather(*(client.post("/api/verify", content=PDF) for _ in range(8)))

    assert [a.status_code for a in answers] == [200] * 8
    assert peak == 2
