"""What a signature covers: the signing message, the WebAuthn challenge made from it, base64url.

The PWA builds the same bytes (``frontend/src/lib/signing.ts``); ``tests/fixtures/
minutes_vectors.json`` ("signing") pins both sides. Pure: no database, no keys.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

SIGN_CONTEXT = "saha-sign/2"
# The AAD of an encrypted PIN that sets (rather than uses) a signing PIN.
PIN_SET_CONTEXT = "saha-pin-set/2"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (raises ValueError on anything else)."""
    if not isinstance(text, str) or any(c not in _B64URL for c in text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class SignRequest:
    """One signature to be made: which document, as which role, by whom, when, with which image."""

    document_kind: str  # "minutes" (survey minutes); later: damage minutes, release minutes …
    document_id: str
    content_hash: str
    role: str  # the role's GraphQL spelling: TECHNICIAN, SECURITY, UNIT_HEAD
    signer_id: str
    signed_at: str  # the signing device's clock, ISO 8601, exactly as sent
    image_sha256: str

    def message(self) -> bytes:
        parts = [
            SIGN_CONTEXT,
            self.document_kind,
            self.document_id,
            self.content_hash,
            self.role,
            self.signer_id,
            self.signed_at,
            self.image_sha256,
        ]
        return "\n".join(parts).encode("utf-8")

    def challenge(self) -> bytes:
        """The WebAuthn challenge of a passkey signature: SHA-256 of the message (32 bytes)."""
        return hashlib.sha256(self.message()).digest()


def pin_set_aad(user_id: str) -> bytes:
    return f"{PIN_SET_CONTEXT}\n{user_id}".encode()


def parse_signed_at(text: str) -> datetime | None:
    """The device time of a signature: ISO 8601 with a time zone (``…Z`` or ``+03:00``)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None
