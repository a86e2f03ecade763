"""What a file is, judged by its first bytes (magic numbers), never by its name.

Only the types the app accepts by default have a signature here. A type configured in
``allowed_upload_types`` without a signature is accepted as declared (see ``matches``).
"""

from __future__ import annotations

HEAD_BYTES = 64

# ISO-BMFF major brands of HEIF/HEIC stills (and image sequences) as phones write them.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


def detect(head: bytes) -> str | None:
    """The content type the bytes show, or None when they show none we know."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/avif" if head[8:12] == b"avif" else "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


# Declared types that share one signature family.
_SAME = {"image/heif": "image/heic", "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
KNOWN_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/avif", "application/pdf"}


def canonical(content_type: str) -> str:
    base = content_type.split(";")[0].strip().lower()
    return _SAME.get(base, base)


def matches(declared: str, head: bytes) -> bool:
    """Whether content starting with ``head`` is what ``declared`` says. Types we have a
    signature for must show it; anything that looks like an image or PDF must be declared as
    such (a JPEG declared as ``text/plain`` is refused too); other types pass."""
    want = canonical(declared)
    found = detect(head)
    if want in KNOWN_TYPES:
        return found == want
    return found is None
