"""Sealed minutes PDF: time and size for a survey with 10 camera points, each with a phone photo.

Measures the server's real path for making the document (``MinutesDocuments.render``: HTML,
photo thumbnails, WeasyPrint A4 layout, PAdES seal with pyHanko), then verifying it. Baseline in
the same run: the same minutes without photos (text, three signature images), so the ratio shows
what the photos cost.

    .venv/bin/python bench/bench_minutes_pdf.py [points] [repeats]
"""

from __future__ import annotations

import hashlib
import io
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from backend.config import Settings  # noqa: E402
from backend.domain.surveys import signing  # noqa: E402
from backend.domain.surveys.models import SignerRole  # noqa: E402
from backend.domain.surveys.queries import SealedMinutes, SignatureView  # noqa: E402
from backend.integrations.pdf.seal import verify_pdf  # noqa: E402
from backend.services.documents import MinutesDocuments  # noqa: E402


def phone_photo(seed: int) -> bytes:
    """A 1600x1200 JPEG with noise and shapes: compresses like a real photo (~0.5 MB)."""
    img = Image.effect_noise((1600, 1200), 60 + seed).convert("RGB")
    draw = ImageDraw.Draw(img)
    for i in range(12):
        x, y = (seed * 97 + i * 131) % 1400, (seed * 53 + i * 71) % 1000
        draw.rectangle((x, y, x + 200, y + 150), fill=((i * 40) % 255, (seed * 30) % 255, 120))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88)
    return out.getvalue()


def signature_png(seed: int) -> bytes:
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.line(
        [(20 + i * 25, 100 + ((i * seed * 37) % 80) - 40) for i in range(23)], fill=(20, 20, 90, 255), width=4
    )
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def sealed(points: int, photos: dict[str, bytes], signatures: dict[str, bytes]) -> SealedMinutes:
    shas = list(photos)
    content: dict[str, Any] = {
        "template": signing.TEMPLATE,
        "minutesId": str(uuid.uuid4()),
        "revision": 1,
        "supersedesId": None,
        "workOrderNumber": "IE-2026-000321",
        "site": {
            "code": "KNK-HB-01",
            "name": "Konak Belediye Hizmet Binası",
            "district": "Konak",
            "address": "Cumhuriyet Blv. No:1",
        },
        "request": {
            "reason": "Vezne ve giriş holü güvenliği için kamera talebi.",
            "requestingUnit": "Mali Hizmetler Dairesi Başkanlığı",
        },
        "surveyDate": "2026-11-22",
        "recording": {"location": "OWN_CABINET", "note": "Bodrum kattaki sistem kabini"},
        "infrastructureNeeds": "24 port PoE anahtar, UPS, kabin içi priz.",
        "cablingNeeds": "Cat6 toplam 320 m, kablo kanalı 60 m; asma tavan üzerinden.",
        "signs": {"count": 4, "note": "Giriş kapıları ve vezne üstü"},
        "conclusion": "FAVOURABLE",
        "conclusionNote": "Keşif olumludur; özel alanlara kamera önerilmemiştir (Yönerge 7(4)).",
        "points": [
            {
                "no": i + 1,
                "id": str(uuid.uuid4()),
                "place": f"Zemin kat nokta {i + 1} — ana giriş / vezne çevresi",
                "areaType": "CASHIER" if i % 3 == 0 else "ENTRANCE",
                "mounting": "CEILING" if i % 2 else "WALL",
                "viewDirection": "Kuzeydoğu, kapıya doğru",
                "photos": [shas[i]] if shas else [],
                "latE6": 38_418_000 + i * 13,
                "lonE6": 27_128_000 + i * 17,
            }
            for i in range(points)
        ],
        "parties": {
            "technician": {"id": str(uuid.uuid4()), "name": "Mehmet Yılmaz"},
            "security": {"id": str(uuid.uuid4()), "name": "Hüseyin Çelik"},
            "unitHead": {"id": str(uuid.uuid4()), "name": "Ayşe Öztürk"},
        },
    }
    digest = signing.content_hash(content)
    now = datetime.now(UTC)
    sig_shas = list(signatures)
    return SealedMinutes(
        id=uuid.UUID(content["minutesId"]),
        content=content,
        content_hash=digest,
        verification_code=signing.verification_code(digest),
        sealed_at=now,
        signatures=[
            SignatureView(
                role=role,
                name=name,
                signed_at=now,
                recorded_at=now,
                image_sha256=sig_shas[i],
                method=("PASSKEY", "PASSKEY", "PIN")[i],
            )
            for i, (role, name) in enumerate(
                [
                    (SignerRole.TECHNICIAN, "Mehmet Yılmaz"),
                    (SignerRole.SECURITY, "Hüseyin Çelik"),
                    (SignerRole.UNIT_HEAD, "Ayşe Öztürk"),
                ]
            )
        ],
        pdf_sha256=None,
    )


def measure(
    docs: MinutesDocuments, doc: SealedMinutes, images: dict[str, bytes], repeats: int
) -> tuple[float, int, bytes]:
    times, pdf = [], b""
    for _ in range(repeats):
        t0 = time.perf_counter()
        pdf = docs.render(doc, images)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(pdf), pdf


def main() -> None:
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    photos = {hashlib.sha256(p).hexdigest(): p for p in (phone_photo(i) for i in range(points))}
    sigs = {hashlib.sha256(s).hexdigest(): s for s in (signature_png(i + 1) for i in range(3))}
    with tempfile.TemporaryDirectory() as tmp:
        docs = MinutesDocuments(db=None, blobs=None, settings=Settings(data_dir=Path(tmp)))  # type: ignore[arg-type]
        _ = docs.identity  # the demo certificate, made once, outside the timing
        with_photos = sealed(points, photos, sigs)
        without = sealed(points, {}, sigs)
        docs.render(without, dict(sigs))  # warm-up: imports, fonts
        base_t, base_size, _ = measure(docs, without, dict(sigs), repeats)
        t, size, pdf = measure(docs, with_photos, {**photos, **sigs}, repeats)
        t0 = time.perf_counter()
        check = verify_pdf(pdf, docs.identity)
        verify_t = time.perf_counter() - t0
    photo_mb = sum(len(p) for p in photos.values()) / 1e6
    each = photo_mb / points
    print(
        f"minutes PDF, {points} camera points, one {each:.2f} MB photo each ({photo_mb:.1f} MB), 3 signatures"
    )
    print(f"  render + PAdES seal: {t * 1000:.0f} ms (median of {repeats}), PDF size {size / 1024:.0f} KiB")
    print(f"  baseline, same minutes without photos: {base_t * 1000:.0f} ms, {base_size / 1024:.0f} KiB")
    print(f"  ratio time {t / base_t:.2f}x, size {size / base_size:.2f}x")
    print(
        f"  verification of the sealed PDF: {verify_t * 1000:.0f} ms, "
        f"valid={check.valid} intact={check.intact}"
    )


if __name__ == "__main__":
    main()
