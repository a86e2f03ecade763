"""The survey minutes (keşif tutanağı) as an A4 PDF, rendered with WeasyPrint.

The layout lives in ``templates/minutes.html`` (filled with ``string.Template``) and
``templates/minutes.css``. Every value taken from the content, the signatures or the arguments
is HTML-escaped here before it reaches the template.

- No network and no file access while rendering: the URL fetcher accepts only ``data:`` URIs,
  and photos and signature images are embedded as ``data:`` URIs.
- Photos are re-encoded with Pillow as JPEG thumbnails (``THUMBNAIL_PX``, ``THUMBNAIL_QUALITY``)
  so a survey with many phone photos stays small; signature images are normalised to PNG of at
  most ``SIGNATURE_BOX``. Never the originals: every image is embedded as a downscaled copy.
- Images are decoded only after their header showed their size: more than ``max_pixels``
  (``Settings.image_max_pixels``) is not decoded at all and shows as "fotoğraf çok büyük" (a
  13000 × 13000 PNG of half a megabyte would otherwise take half a gigabyte to decode). JPEGs are
  decoded at reduced scale (``draft``); the thumbnail is made before anything else (EXIF
  rotation, colour conversion) touches the image, so only one full-size bitmap ever exists.
  A photo that is missing from ``photos`` shows as "fotoğraf yok", one that cannot be decoded
  as "fotoğraf okunamadı".
- Fonts: DejaVu Sans / DejaVu Sans Mono only (system fonts), so Turkish letters are embedded
  and come out right when the text is extracted.
- Metadata: besides Title, Subject and Keywords, the PDF Info dictionary gets the custom keys
  ``/SahaMinutesId``, ``/SahaContentHash``, ``/SahaVerificationCode`` and ``/SahaTemplate``
  (``document_info``), set by a WeasyPrint finisher; ``seal.seal_pdf`` may set them again
  (inside the signed revision) and ``seal.verify_pdf`` reads them back.

Rendering is blocking CPU work (a few hundred milliseconds): call it from a worker thread in
async code.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps

from backend.integrations.blobs.images import DEFAULT_MAX_PIXELS, ImageTooLargeError, decodable_size

MUNICIPALITY = "İZMİR BÜYÜKŞEHİR BELEDİYESİ"
DEPARTMENT = "Bilgi İşlem Dairesi Başkanlığı — Video Gözetim Sistemleri Birimi"
DIRECTIVE_REFS = "Yönerge md. 4(3), 7(1)"
TEMPLATE_ID = "saha.survey-minutes/1"
TIMEZONE = ZoneInfo("Europe/Istanbul")

THUMBNAIL_PX = 480
THUMBNAIL_QUALITY = 70
SIGNATURE_BOX = (600, 240)

NONE_TEXT = "—"
NO_PHOTO = "fotoğraf yok"
UNREADABLE_PHOTO = "fotoğraf okunamadı"
TOO_LARGE_PHOTO = "fotoğraf çok büyük"

AREA_TYPES = {
    "ENTRANCE": "Giriş",
    "LOBBY": "Lobi/hol",
    "PUBLIC_CORRIDOR": "Ortak koridor",
    "PARKING": "Otopark",
    "PERIMETER": "Bina çevresi",
    "STREET": "Cadde/sokak",
    "SQUARE": "Meydan",
    "PARK": "Park",
    "WAREHOUSE": "Depo",
    "CASHIER": "Vezne",
    "TECHNICAL_ROOM": "Teknik oda",
    "OFFICE": "Ofis",
    "WORK_ROOM": "Çalışma odası",
    "TOILET": "Tuvalet/lavabo",
    "CORRIDOR_TO_PRIVATE": "Özel alana açılan koridor",
}
MOUNTINGS = {"WALL": "Duvar", "CEILING": "Tavan", "POLE": "Direk", "FACADE": "Cephe", "OTHER": "Diğer"}
RECORDING_LOCATIONS = {
    "OWN_RECORDING_ROOM": "Kendi kayıt odası",
    "OWN_CABINET": "Kendi sistem kabini",
    "CENTRAL_SERVER": "Merkezi sunucu",
}
CONCLUSIONS = {"FAVOURABLE": "Olumlu", "UNFAVOURABLE": "Olumsuz"}
# Signature roles in the order they are shown, with their label and their key in content["parties"].
ROLES = {
    "TECHNICIAN": ("Teknisyen", "technician"),
    "SECURITY": ("Koruma Güvenlik Personeli", "security"),
    "UNIT_HEAD": ("Talep Eden Birim Amiri", "unitHead"),
}
SUPPORTED_LANGUAGES = ("tr",)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class SignatureBlock:
    """One party's signature as shown on the minutes."""

    role: str  # "TECHNICIAN" | "SECURITY" | "UNIT_HEAD"
    name: str  # the signer's full name
    signed_at: datetime  # tz-aware UTC (device clock)
    recorded_at: datetime  # tz-aware UTC (server clock)
    image: bytes | None  # the drawn signature (PNG, JPEG or WebP); None if not available
    method: str  # how it was proven: PASSKEY | PIN | PIN_V1 (backend.domain.signing)


# How each way of signing reads on the document.
METHOD_LABELS = {
    "PASSKEY": "Kendi cihazında passkey ile imzaladı",
    "PIN": "Kişisel PIN'i ile; sunucu doğruladı",
    "PIN_V1": "PIN ile (eski yöntem); sunucu doğruladı",
}


def render_minutes_pdf(
    content: Mapping[str, Any],
    *,
    content_hash: str,
    verification_code: str,
    signatures: Sequence[SignatureBlock],
    photos: Mapping[str, bytes],
    sealed_at: datetime | None,
    verify_url: str,
    lang: str = "tr",
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> bytes:
    """A4 PDF (WeasyPrint) of the survey minutes (keşif tutanağı).

    ``content`` is the canonical content (template ``saha.survey-minutes/1``, docs/surveys.md);
    ``photos`` maps a photo's SHA-256 to its bytes; images of more than ``max_pixels`` are not
    decoded. Only Turkish (``lang="tr"``) exists: the minutes are an official document; any
    other language raises ``ValueError``.
    """
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language for the minutes: {lang!r}")
    page = _build_html(
        content,
        content_hash=content_hash,
        verification_code=verification_code,
        signatures=signatures,
        photos=photos,
        sealed_at=sealed_at,
        verify_url=verify_url,
        lang=lang,
        max_pixels=max_pixels,
    )
    info = document_info(content, content_hash=content_hash, verification_code=verification_code)
    # Imported here: WeasyPrint takes most of a second to import and only this function needs it.
    import pydyf
    from weasyprint import HTML

    def add_info(_document: Any, pdf: Any) -> None:
        for key, value in info.items():
            pdf.info[key] = pydyf.String(value)

    pdf = HTML(string=page, url_fetcher=data_uri_fetcher()).write_pdf(finisher=add_info)
    assert isinstance(pdf, bytes)
    return pdf


def document_info(content: Mapping[str, Any], *, content_hash: str, verification_code: str) -> dict[str, str]:
    """The custom PDF Info keys that identify the minutes (also what to pass to ``seal_pdf``)."""
    return {
        "SahaMinutesId": _text(content.get("minutesId")),
        "SahaContentHash": content_hash,
        "SahaVerificationCode": verification_code,
        "SahaTemplate": _text(content.get("template") or TEMPLATE_ID),
    }


def data_uri_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL but ``data:`` (no network, no files)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True)


# --- HTML -------------------------------------------------------------------------------------


def _build_html(
    content: Mapping[str, Any],
    *,
    content_hash: str,
    verification_code: str,
    signatures: Sequence[SignatureBlock],
    photos: Mapping[str, bytes],
    sealed_at: datetime | None,
    verify_url: str,
    lang: str,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> str:
    site = _mapping(content.get("site"))
    request = _mapping(content.get("request"))
    recording = _mapping(content.get("recording"))
    signs = _mapping(content.get("signs"))
    work_order = _text(content.get("workOrderNumber"))
    revision = _text(content.get("revision"))
    sealed_text = _local_time(sealed_at) if sealed_at else f"{NONE_TEXT} (henüz mühürlenmedi)"
    values = {
        "lang": _e(lang),
        "css": _asset("minutes.css"),
        "title": _e(f"Ortak Keşif Tutanağı {work_order} (revizyon {revision})"),
        "description": _e(f"Ortak keşif tutanağı — {_text(site.get('name'))} — {work_order}"),
        "keywords": _e(f"keşif tutanağı, {work_order}, {verification_code}"),
        "municipality": _e(MUNICIPALITY),
        "department": _e(DEPARTMENT),
        "directive_refs": _e(DIRECTIVE_REFS),
        "minutes_id": _e(content.get("minutesId")),
        "content_hash": _e(content_hash),
        "verification_code": _e(verification_code),
        "verify_url": _e(verify_url),
        "template": _e(content.get("template") or TEMPLATE_ID),
        "work_order_number": _e(work_order),
        "revision": _e(revision),
        "supersedes": _e(content.get("supersedesId")),
        "survey_date": _e(_survey_date(content.get("surveyDate"))),
        "sealed_at": _e(sealed_text),
        "site_code": _e(site.get("code")),
        "site_name": _e(site.get("name")),
        "site_district": _e(site.get("district")),
        "site_address": _e(site.get("address")),
        "request_reason": _e(request.get("reason")),
        "requesting_unit": _e(request.get("requestingUnit")),
        "recording_location": _e(_label(RECORDING_LOCATIONS, recording.get("location"))),
        "recording_note": _e(recording.get("note")),
        "infrastructure_needs": _e(content.get("infrastructureNeeds")),
        "cabling_needs": _e(content.get("cablingNeeds")),
        "signs_count": _e(signs.get("count")),
        "signs_note": _e(signs.get("note")),
        "conclusion": _e(_label(CONCLUSIONS, content.get("conclusion"))),
        "conclusion_note": _e(content.get("conclusionNote")),
        "points": _points_table(content.get("points"), photos, max_pixels),
        "signatures": _signatures_table(_mapping(content.get("parties")), signatures, max_pixels),
        "seal_note": _seal_note(sealed_at, verification_code, verify_url, content.get("template")),
    }
    return Template(_asset("minutes.html")).substitute(values)


def _points_table(points: Any, photos: Mapping[str, bytes], max_pixels: int = DEFAULT_MAX_PIXELS) -> str:
    head = (
        "<table class='points'><thead><tr><th>No</th><th>Yer</th><th>Alan türü</th><th>Montaj</th>"
        "<th>Bakış yönü</th><th>Konum (GPS)</th><th>Fotoğraf</th></tr></thead><tbody>"
    )
    rows = []
    thumbnails: dict[str, str] = {}
    for point in points if isinstance(points, list) else []:
        p = _mapping(point)
        cells = [
            f"<td class='no'>{_e(p.get('no'))}</td>",
            f"<td class='text'>{_e(p.get('place'))}</td>",
            f"<td>{_e(_label(AREA_TYPES, p.get('areaType')))}</td>",
            f"<td>{_e(_label(MOUNTINGS, p.get('mounting')))}</td>",
            f"<td class='text'>{_e(p.get('viewDirection'))}</td>",
            f"<td class='gps mono'>{_e(_gps(p.get('latE6'), p.get('lonE6')))}</td>",
            f"<td class='photos'>{_photo_cell(p.get('photos'), photos, thumbnails, max_pixels)}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        rows.append("<tr><td colspan='7' class='muted'>Kamera noktası yok.</td></tr>")
    return head + "".join(rows) + "</tbody></table>"


def _photo_cell(
    hashes: Any, photos: Mapping[str, bytes], cache_: dict[str, str], max_pixels: int = DEFAULT_MAX_PIXELS
) -> str:
    parts = []
    for sha in hashes if isinstance(hashes, list) else []:
        key = str(sha)
        if key not in cache_:
            cache_[key] = _photo_html(key, photos.get(key), max_pixels)
        parts.append(cache_[key])
    return "".join(parts) or f"<div class='muted'>{_e(NO_PHOTO)}</div>"


def _photo_html(key: str, data: bytes | None, max_pixels: int) -> str:
    if data is None:
        return f"<div class='muted'>{_e(NO_PHOTO)}</div>"
    try:
        decodable_size(data, max_pixels)
    except ImageTooLargeError:
        return f"<div class='muted'>{_e(TOO_LARGE_PHOTO)}</div>"
    except ValueError:
        return f"<div class='muted'>{_e(UNREADABLE_PHOTO)}</div>"
    jpeg = _thumbnail(data, max_pixels)
    if jpeg is None:
        return f"<div class='muted'>{_e(UNREADABLE_PHOTO)}</div>"
    return f"<img src='{_data_uri('image/jpeg', jpeg)}' alt='{_e(key)}'>"


def _signatures_table(
    parties: Mapping[str, Any], signatures: Sequence[SignatureBlock], max_pixels: int = DEFAULT_MAX_PIXELS
) -> str:
    by_role = {s.role: s for s in signatures}
    roles = list(ROLES) + [s.role for s in signatures if s.role not in ROLES]
    cells = []
    for role in roles:
        label, party_key = ROLES.get(role, (role, ""))
        party = _mapping(parties.get(party_key)) if party_key else {}
        block = by_role.get(role)
        if block is None:
            cells.append(
                f"<td><div class='role'>{_e(label)}</div>"
                f"<div class='image'><span class='muted'>İmza bekleniyor</span></div>"
                f"<div class='name'>{_e(party.get('name'))}</div></td>"
            )
            continue
        png = _signature_png(block.image, max_pixels) if block.image else None
        image = (
            f"<img src='{_data_uri('image/png', png)}' alt='İmza'>"
            if png
            else "<span class='muted'>imza görüntüsü yok</span>"
        )
        cells.append(
            f"<td><div class='role'>{_e(label)}</div>"
            f"<div class='image'>{image}</div>"
            f"<div class='name'>{_e(block.name)}</div>"
            f"<div class='when'>İmza: {_e(_local_time(block.signed_at))}</div>"
            f"<div class='when'>Sunucuya ulaştı: {_e(_local_time(block.recorded_at))}</div>"
            f"<div class='when'>{_e(METHOD_LABELS.get(block.method, block.method))}</div></td>"
        )
    rows = ["<tr>" + "".join(cells[i : i + 3]) + "</tr>" for i in range(0, len(cells), 3)]
    return "<table class='signatures'>" + "".join(rows) + "</table>"


def _seal_note(sealed_at: datetime | None, code: str, verify_url: str, template: Any) -> str:
    verify = (
        f"Belgenin doğruluğu <span class='mono'>{_e(verify_url)}</span> adresinde "
        f"<span class='mono'>{_e(code)}</span> koduyla ya da PDF dosyası yüklenerek doğrulanabilir."
    )
    if sealed_at is None:
        return (
            "Bu tutanak henüz mühürlenmemiştir; üç tarafın imzası tamamlanınca kurum e-mührüyle "
            f"mühürlenir. {verify}"
        )
    return (
        f"Bu tutanak {_e(_local_time(sealed_at))} tarihinde tarafların PIN ile doğrulanmış imzaları "
        f"tamamlanarak kurum e-mührüyle elektronik olarak mühürlenmiştir. {verify} "
        f"Şablon: {_e(template or TEMPLATE_ID)}."
    )


# --- values -----------------------------------------------------------------------------------


def _e(value: Any) -> str:
    """Escaped text for HTML; an empty value shows as a dash."""
    if value is None or value == "":
        return NONE_TEXT
    if isinstance(value, bool):
        return "Evet" if value else "Hayır"
    return html.escape(str(value), quote=True)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _label(labels: Mapping[str, str], value: Any) -> str | None:
    if value is None:
        return None
    return labels.get(str(value), str(value))


def _survey_date(value: Any) -> str | None:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return None if value is None else str(value)


def _local_time(moment: datetime) -> str:
    """Europe/Istanbul wall time, e.g. ``22.11.2026 14:05`` (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE).strftime("%d.%m.%Y %H:%M")


def _gps(lat_e6: Any, lon_e6: Any) -> str | None:
    if not isinstance(lat_e6, int) or not isinstance(lon_e6, int):
        return None
    return f"{_micro_degrees(lat_e6)}, {_micro_degrees(lon_e6)}"


def _micro_degrees(value: int) -> str:
    whole, fraction = divmod(abs(value), 1_000_000)
    return f"{'-' if value < 0 else ''}{whole}.{fraction:06d}"


# --- images -----------------------------------------------------------------------------------


def _thumbnail(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> bytes | None:
    """A JPEG thumbnail (longest side ``THUMBNAIL_PX``), upright; None if the bytes are no image
    or one of more than ``max_pixels`` (then nothing is decoded)."""
    try:
        decodable_size(data, max_pixels)
        with Image.open(io.BytesIO(data)) as original:
            original.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))  # JPEG: decode at reduced scale
            original.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX), Image.Resampling.LANCZOS)  # in place
            image = ImageOps.exif_transpose(original)  # turns the thumbnail, not the original
            out = io.BytesIO()
            _on_white(image).save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
            return out.getvalue()
    except Exception:  # any decoding problem (truncated, unknown format, too large)
        return None


def _signature_png(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> bytes | None:
    """The drawn signature as PNG (transparency kept), at most ``SIGNATURE_BOX``; None if
    unreadable or of more than ``max_pixels`` (then nothing is decoded)."""
    try:
        decodable_size(data, max_pixels)
        with Image.open(io.BytesIO(data)) as original:
            original.draft("RGB", SIGNATURE_BOX)  # JPEG: decode at reduced scale
            original.thumbnail(SIGNATURE_BOX, Image.Resampling.LANCZOS)  # in place, before converting
            image = original.convert("RGBA")
            out = io.BytesIO()
            image.save(out, "PNG", optimize=True)
            return out.getvalue()
    except Exception:  # any decoding problem
        return None


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _data_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


@cache
def _asset(name: str) -> str:
    return (resources.files("backend.integrations.pdf") / "templates" / name).read_text(encoding="utf-8")
