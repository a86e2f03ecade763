"""Run one decompression-bomb scenario in a fresh process and report its memory (tests only).

The PDF scenario also writes the document it got to ``<folder>/minutes.pdf``.

``python -m tests.bomb_child <upload|pdf|health> <folder>`` prints one JSON line:
``{"status": ..., "code": ..., "baseline_kib": ..., "peak_kib": ...}``. ``baseline_kib`` is the
process's peak resident size after the same path ran once with ordinary images (imports, fonts,
caches warmed up); ``peak_kib`` after the bomb. The difference is what the bomb cost.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import resource
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def peak_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def small_png(color: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _app(folder: Path) -> tuple[Any, Any, Any, Any]:
    from litestar.testing import TestClient

    from backend.app import create_app
    from backend.config import Settings
    from backend.db.engine import Database
    from backend.db.migrate import upgrade
    from tests.signing_support import pepper_setting, write_key_file

    url = f"sqlite:///{folder / 'saha.db'}"
    upgrade(url)
    dist = folder / "dist"
    dist.mkdir(exist_ok=True)
    (dist / "index.html").write_text("<!doctype html>", encoding="utf-8")
    settings = Settings(
        data_dir=folder / "data",
        database_url=url,
        frontend_dist=dist,
        demo_data=False,
        scheduler_enabled=False,
        signing_pin_key_path=write_key_file(folder / "keys"),
        signing_pepper=pepper_setting(),
    )
    db = Database(url)
    return TestClient(app=create_app(settings, db)), db, settings, url


def _token(db: Any, settings: Any, user: Any) -> str:
    from backend.domain.people.auth import issue_access_token

    return str(issue_access_token(user, settings, datetime.now(UTC))[0])


def _tus(client: Any, token: str, data: bytes, filetype: str = "image/png") -> tuple[int, str]:
    """A whole upload through /uploads/ in 4 MiB chunks; the last status and error code."""
    digest = hashlib.sha256(data).hexdigest()

    def b64(value: str) -> str:
        return base64.b64encode(value.encode()).decode()

    headers = {"authorization": f"Bearer {token}", "tus-resumable": "1.0.0"}
    created = client.post(
        "/uploads/",
        headers={
            **headers,
            "upload-length": str(len(data)),
            "upload-metadata": f"sha256 {b64(digest)},filetype {b64(filetype)},filename {b64('a.png')}",
        },
    )
    if created.status_code != 201:
        return created.status_code, created.json().get("code", "")
    location, offset = created.headers["location"], int(created.headers["upload-offset"])
    response = created
    while offset < len(data):
        part = data[offset : offset + 4 * 1024 * 1024]
        response = client.patch(
            location,
            content=part,
            headers={
                **headers,
                "content-type": "application/offset+octet-stream",
                "upload-offset": str(offset),
            },
        )
        if response.status_code != 204:
            return response.status_code, response.json().get("code", "")
        offset = int(response.headers["upload-offset"])
    return response.status_code, ""


def upload(folder: Path) -> dict[str, Any]:
    """A 13000 × 13000 PNG (0.5 MB) through the tus upload path."""
    from backend.domain.people.models import Role
    from tests.bombs import png_bomb
    from tests.factories import make_user

    bomb = png_bomb(13000, 13000)
    client, db, settings, _ = _app(folder)
    with client:
        tech = make_user(db, Role.TECHNICIAN)
        token = _token(db, settings, tech)
        assert _tus(client, token, small_png((10, 10, 10), (3000, 2000)))[0] == 204  # warm up
        baseline = peak_kib()
        status, code = _tus(client, token, bomb)
    return {"status": status, "code": code, "baseline_kib": baseline, "peak_kib": peak_kib()}


def _sealed_minutes(client: Any, db: Any, settings: Any, people: dict[str, Any], photos: list[bytes]) -> str:
    """Sealed minutes whose point photos are ``photos``, stored the way content that arrived before
    the upload check would be (the server's own write path). Returns the PDF's URL."""
    from backend.domain.surveys.models import Minutes
    from backend.integrations.blobs.store import LocalBlobStore
    from backend.services.uploads import UploadService
    from tests.factories import make_survey, minutes_hash, reload, run, sign_args

    service = UploadService(db, LocalBlobStore(settings.data_dir), settings)
    tech, security, unit_head = people["tech"], people["security"], people["unit_head"]
    # uploaded by the technician who then references them (only readable content may be referenced)
    hashes = [asyncio.run(service.put_bytes(p, "image/png", tech.id)) for p in photos]
    signature = small_png((250, 250, 250), (300, 100))
    image = asyncio.run(service.put_bytes(signature, "image/png", tech.id))
    survey = make_survey(db, people["manager"], people["site"], tech, security, unit_head)
    run(
        db,
        tech,
        "survey.update",
        {"surveyId": survey.id, "surveyDate": "2026-11-22", "conclusion": "UNFAVOURABLE"},
    )
    for i, sha in enumerate(hashes):
        run(
            db,
            tech,
            "survey.addPoint",
            {
                "id": uuid.uuid4(),
                "surveyId": survey.id,
                "position": i,
                "place": f"Nokta {i}",
                "areaType": "ENTRANCE",
                "mounting": "WALL",
                "photos": [sha],
            },
        )
    mid = uuid.uuid4()
    run(
        db,
        tech,
        "minutes.create",
        {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)},
    )
    minutes = reload(db, Minutes, mid)
    for role, person in (("TECHNICIAN", tech), ("SECURITY", security), ("UNIT_HEAD", unit_head)):
        run(db, tech, "minutes.sign", sign_args(minutes, role, person, image=image))
    return f"/api/minutes/{mid}.pdf"


def pdf(folder: Path) -> dict[str, Any]:
    """Sealed minutes with three 9000 × 9000 PNG photos (81 MP each): the PDF path."""
    from backend.domain.people.models import Role
    from tests.bombs import png_bomb
    from tests.factories import make_region, make_site, make_user, set_pin

    bombs = [png_bomb(9000, 9000, (c, 40, 40)) for c in (10, 20, 30)]
    client, db, settings, _ = _app(folder)
    with client:
        admin = make_user(db, Role.ADMIN)
        people: dict[str, Any] = {
            "manager": make_user(db, Role.MANAGER),
            "tech": make_user(db, Role.TECHNICIAN),
            "security": make_user(db, Role.SECURITY),
            "unit_head": make_user(db, Role.UNIT_HEAD),
            "site": make_site(db, admin, region=make_region(db)),
        }
        for key in ("tech", "security", "unit_head"):
            set_pin(db, people[key])
        headers = {"authorization": f"Bearer {_token(db, settings, people['manager'])}"}
        ordinary = [small_png((c, 90, 90), (4000, 3000)) for c in (10, 20, 30)]  # 12 MP phone photos
        warm = client.get(_sealed_minutes(client, db, settings, people, ordinary), headers=headers)
        assert warm.status_code == 200, warm.text
        url = _sealed_minutes(client, db, settings, people, bombs)
        baseline = peak_kib()
        response = client.get(url, headers=headers)
    if response.status_code == 200:
        (folder / "minutes.pdf").write_bytes(response.content)
    return {
        "status": response.status_code,
        "code": "" if response.status_code == 200 else response.json().get("code", ""),
        "baseline_kib": baseline,
        "peak_kib": peak_kib(),
    }


def health(folder: Path) -> dict[str, Any]:
    """Image health of a snapshot against a 20000 × 20000 reference (0.4 MB)."""
    from backend.integrations.imaging.health import assess
    from tests.bombs import png_bomb

    bomb = png_bomb(20000, 20000, (128, 128, 128))
    snapshot = small_png((120, 120, 120), (1920, 1080))
    assess(snapshot, snapshot)  # warm up
    baseline = peak_kib()
    report = assess(bomb, snapshot)
    return {
        "status": report.verdict,
        "code": ",".join(str(p) for p in report.problems),
        "message": report.message_tr,
        "baseline_kib": baseline,
        "peak_kib": peak_kib(),
    }


def main() -> None:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    result = {"upload": upload, "pdf": pdf, "health": health}[mode](folder)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
