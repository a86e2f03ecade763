"""Sample material for the PDF tests: a realistic survey content, generated images, poppler helpers."""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from backend.integrations.pdf.minutes_pdf import SignatureBlock, render_minutes_pdf

CONTENT_HASH = "3f1a9c0be7d24c58a1e6f0b9d2c7e4a81b5d9f3c6e0a2b4d8f1c3e5a7b9d0f2e"
VERIFICATION_CODE = "H4NJ-YC7H-2QSB"
VERIFY_URL = f"http://127.0.0.1:8000/#/verify?code={VERIFICATION_CODE}"
MINUTES_ID = "0193c1a2-7d2e-7f00-8a3b-5e6f7a8b9c0d"
SIGNED_AT = datetime(2026, 11, 22, 11, 5, tzinfo=UTC)  # 14:05 in Istanbul
SEALED_AT = datetime(2026, 11, 22, 11, 40, tzinfo=UTC)


def jpeg(width: int, height: int, seed: int = 1) -> bytes:
    """A photo-like JPEG: a gradient with some noise (compresses like a real photo, roughly)."""
    rnd = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(width * height // 40):
        x, y = rnd.randrange(width), rnd.randrange(height)
        draw.point((x, y), fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def signature_png(seed: int = 1) -> bytes:
    """A drawn signature: a dark squiggle on a transparent canvas, like the PWA's pad."""
    rnd = random.Random(seed)
    image = Image.new("RGBA", (500, 180), (0, 0, 0, 0))
    points = [(20 + i * 23, 90 + rnd.randrange(-50, 50)) for i in range(20)]
    ImageDraw.Draw(image).line(points, fill=(10, 20, 90, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


PHOTO_ENTRANCE = jpeg(1600, 1200, seed=1)
PHOTO_CASHIER = jpeg(1200, 1600, seed=2)
MISSING_PHOTO = "0" * 64


def survey_content(points: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Canonical content (template saha.survey-minutes/1) of a 3-point survey in Karşıyaka."""
    if points is None:
        points = [
            {
                "areaType": "ENTRANCE",
                "id": "p-1",
                "latE6": 38459712,
                "lonE6": 27115603,
                "mounting": "FACADE",
                "no": 1,
                "photos": [sha(PHOTO_ENTRANCE)],
                "place": "Ana giriş kapısı üstü",
                "viewDirection": "Kapıdan içeri, güneye",
            },
            {
                "areaType": "CASHIER",
                "id": "p-2",
                "latE6": None,
                "lonE6": None,
                "mounting": "CEILING",
                "no": 2,
                "photos": [sha(PHOTO_CASHIER)],
                "place": "Zemin kat vezne <arka> & kasa",
                "viewDirection": "Vezne bankosu",
            },
            {
                "areaType": "PARKING",
                "id": "p-3",
                "latE6": -1500000,
                "lonE6": 27000001,
                "mounting": "POLE",
                "no": 3,
                "photos": [MISSING_PHOTO],
                "place": "Açık otopark, doğu köşe",
                "viewDirection": "Giriş bariyerine",
            },
        ]
    return {
        "cablingNeeds": "Cat6 kablo yaklaşık 60 m\nPVC boru 20 m",
        "conclusion": "FAVOURABLE",
        "conclusionNote": "Kamera montajı için uygundur.",
        "infrastructureNeeds": "Sistem kabininde 2U boş yer, 1 adet PoE anahtar",
        "minutesId": MINUTES_ID,
        "parties": {
            "security": {"id": "u-sec", "name": "Ayşe Çığ"},
            "technician": {"id": "u-tech", "name": "Şükrü Öztürk"},
            "unitHead": {"id": "u-head", "name": "İlkay Güneşoğlu"},
        },
        "points": points,
        "recording": {"location": "OWN_CABINET", "note": "Bodrum kattaki kabin"},
        "request": {
            "reason": "Vezne ve girişte güvenlik ihtiyacı",
            "requestingUnit": "Destek Hizmetleri Dairesi",
        },
        "revision": 2,
        "signs": {"count": 3, "note": "Giriş, vezne ve otopark girişine"},
        "site": {
            "address": "Bahariye Mah. Cemal Gürsel Cad. No:1 Karşıyaka/İzmir",
            "code": "KSK-0042",
            "district": "Karşıyaka",
            "name": "Karşıyaka Belediye Hizmet Binası",
        },
        "supersedesId": "0193c1a2-0000-7000-8000-000000000001",
        "surveyDate": "2026-11-20",
        "template": "saha.survey-minutes/1",
        "workOrderNumber": "IE-2026-000123",
    }


def all_signatures() -> list[SignatureBlock]:
    people = [("TECHNICIAN", "Şükrü Öztürk"), ("SECURITY", "Ayşe Çığ"), ("UNIT_HEAD", "İlkay Güneşoğlu")]
    return [
        SignatureBlock(
            role=role,
            name=name,
            signed_at=SIGNED_AT,
            recorded_at=SEALED_AT,
            image=signature_png(i),
            method=("PASSKEY", "PIN", "PIN_V1")[i % 3],
        )
        for i, (role, name) in enumerate(people)
    ]


def render(**overrides: Any) -> bytes:
    args: dict[str, Any] = {
        "content_hash": CONTENT_HASH,
        "verification_code": VERIFICATION_CODE,
        "signatures": all_signatures(),
        "photos": {sha(PHOTO_ENTRANCE): PHOTO_ENTRANCE, sha(PHOTO_CASHIER): PHOTO_CASHIER},
        "sealed_at": SEALED_AT,
        "verify_url": VERIFY_URL,
    }
    args.update(overrides)
    content = args.pop("content", None) or survey_content()
    return render_minutes_pdf(content, **args)


def pdf_text(pdf: bytes) -> str:
    """The text poppler's pdftotext extracts (UTF-8); skips the test when poppler is missing."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
