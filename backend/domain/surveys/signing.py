"""The pure parts of survey minutes: canonical content, its hash and the short verification code.
The PWA implements the same functions (``frontend/src/lib/minutes.ts``);
``tests/fixtures/minutes_vectors.json`` holds vectors both sides must reproduce. How signatures are
made and verified is ``backend.domain.signing`` (the same for every signed document).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

TEMPLATE = "saha.survey-minutes/1"


def canonical_json(content: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, non-ASCII kept as is: the same text JavaScript produces."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def verification_code(hash_hex: str) -> str:
    """Twelve base32 characters of the hash, grouped for reading aloud: ``ABCD-EFGH-JKLM``."""
    code = base64.b32encode(bytes.fromhex(hash_hex)[:10]).decode("ascii")[:12]
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}"


def normalize_code(text: str) -> str:
    """What a person typed (any case, spaces or dashes) → ``ABCD-EFGH-JKLM``, or '' if malformed."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != 12 or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for ch in raw):
        return ""
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"
