"""Demo: one joint survey walked to the end — filled in on site, frozen into minutes, signed by
the technician, the security staff and the unit head, and so sealed — so a newcomer can download
and verify the product's main document at once (as `mudur`: İş emirleri → Keşifler).

Everything goes through the real commands, with the same blob store and signing mechanism the
phones use: the point photo and the drawn signatures are blobs, each signature is the signer's
PIN sealed to the server's key (``backend.domain.signing``). The PDF is made on first request.
"""

from __future__ import annotations

import io
import math
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PIL import Image, ImageDraw

from backend.demo.data import (
    SEALED_SURVEY_FINDINGS,
    SEALED_SURVEY_POINTS,
    SEALED_SURVEY_REQUEST,
    SEALED_SURVEY_SIGNERS,
    SEALED_SURVEY_SITE,
)
from backend.domain.signing.keys import seal_pin_box
from backend.domain.signing.message import SignRequest
from backend.domain.surveys import signing as minutes_signing
from backend.domain.surveys.content import build_content, next_revision
from backend.domain.surveys.models import Survey

PutBlob = Callable[[bytes, str], str]  # (content, content type) → sha256


def _photo(rng: random.Random) -> bytes:
    """A small JPEG that looks like a photo of an entrance: sky, facade, a door."""
    img = Image.new("RGB", (640, 480), (150, 190, 225))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 300, 640, 480), fill=(120, 120, 118))
    d.rectangle((80, 120, 560, 360), fill=(214, 196, 160))
    for x in range(110, 540, 70):
        d.rectangle((x, 150, x + 40, 200), fill=(70, 95, 120))
    d.rectangle((270, 240, 370, 360), fill=(90, 60, 40))
    for _ in range(400):  # a little noise, as a camera has
        x, y = rng.randrange(640), rng.randrange(480)
        d.point((x, y), fill=(rng.randrange(256),) * 3)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _signature(rng: random.Random) -> bytes:
    """A drawn signature: one pen stroke, as the PWA's signature pad exports it (PNG)."""
    img = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    phase, amp = rng.uniform(0, 3), rng.uniform(25, 45)
    points = [(40 + i * 5, 100 + amp * math.sin(i / 9 + phase) * math.cos(i / 23)) for i in range(100)]
    d.line(points, fill=(20, 30, 60, 255), width=5, joint="curve")
    d.line([(points[-1][0] - 60, 150), (points[-1][0] + 10, 140)], fill=(20, 30, 60, 255), width=4)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def sealed_survey(
    run: Any,
    session: Any,
    *,
    users: dict[str, Any],
    site_ids: dict[str, uuid.UUID],
    actor_for: Callable[[Any], Any],
    put_blob: PutBlob,
    pin: str,
    rng: random.Random,
    now: datetime,
) -> uuid.UUID:
    """Runs the whole joint survey; returns the id of its sealed minutes."""
    manager, tech = actor_for(users["mudur"]), actor_for(users["teknisyen"])
    day = now - timedelta(days=6)
    survey = run(
        manager,
        "survey.request",
        {
            "site_id": site_ids[SEALED_SURVEY_SITE],
            **SEALED_SURVEY_REQUEST,
            "unit_head_id": users["birimamiri"].id,
            "technician_id": users["teknisyen"].id,
            "security_id": users["guvenlik"].id,
            "due_on": (day + timedelta(days=3)).date(),
        },
        day,
    )
    on_site = day + timedelta(days=1, hours=2)
    run(
        tech,
        "survey.update",
        {
            "survey_id": survey.id,
            "survey_date": on_site.date(),
            **SEALED_SURVEY_FINDINGS,
        },
        on_site,
    )
    photo = put_blob(_photo(rng), "image/jpeg")
    for position, (place, area, mounting, view, with_photo, lat, lon) in enumerate(SEALED_SURVEY_POINTS):
        run(
            tech,
            "survey.addPoint",
            {
                "id": uuid.uuid4(),
                "survey_id": survey.id,
                "position": position,
                "place": place,
                "area_type": area,
                "mounting": mounting,
                "view_direction": view,
                "photos": [photo] if with_photo else [],
                "lat_e6": lat,
                "lon_e6": lon,
                "accuracy_m": 8,
            },
            on_site,
        )
    session.flush()
    minutes_id = uuid.uuid4()
    fresh = session.get(Survey, survey.id)
    content = build_content(session, fresh, minutes_id=minutes_id, revision=next_revision(session, survey.id))
    digest = minutes_signing.content_hash(content)
    run(tech, "minutes.create", {"id": minutes_id, "survey_id": survey.id, "content_hash": digest}, on_site)
    keys = run.keys
    for offset, (username, role) in enumerate(SEALED_SURVEY_SIGNERS):
        signer = users[username]
        at = on_site + timedelta(minutes=20 + 5 * offset)
        image = put_blob(_signature(rng), "image/png")
        signed_at = at.isoformat().replace("+00:00", "Z")
        request = SignRequest("minutes", str(minutes_id), digest, role, str(signer.id), signed_at, image)
        box = seal_pin_box(keys.pin_key.public_raw, keys.pin_key.kid, pin, request.message())
        run(
            tech,  # all three signed on the technician's phone, each with their own PIN
            "minutes.sign",
            {
                "id": uuid.uuid4(),
                "minutes_id": minutes_id,
                "role": role,
                "signer_id": signer.id,
                "image_sha256": image,
                "content_hash": digest,
                "signed_at": signed_at,
                "proof": {"kind": "pin", "box": box},
            },
            at + timedelta(hours=2),  # reached the server when the phone was back online
        )
    return minutes_id
