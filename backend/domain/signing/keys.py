"""The server's signing secrets and relying-party identity, and the PIN box.

A *PIN box* is how a PIN travels from a phone to the server: ECDH (P-256) between a fresh key of
the phone and the server's PIN transport key, HKDF-SHA256 (salt = the phone's public point, info =
``saha-pinbox/1``), AES-256-GCM over the PIN with the signing message as associated data. The box
is bound to one signature (or to setting one person's PIN) and only the server can open it, so the
outbox of a shared phone, a party's pull or a copy of the database hold nothing to test a PIN
against. :func:`seal_pin_box` is the phone's side (``frontend/src/lib/signing.ts`` does the same
with WebCrypto), used by tests and the demo data.

The key files themselves are loaded by ``backend.integrations.signing_keys``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from backend.domain.signing.message import b64url, b64url_decode

PIN_BOX_VERSION = 1
PIN_BOX_INFO = b"saha-pinbox/1"
_MAX_CT = 64  # six digits + the 16-byte tag, with room


class PinBoxError(Exception):
    """A PIN box the server cannot open: ``reason`` is ``key`` (made for another server key),
    ``format`` or ``tampered`` (wrong associated data, i.e. another document, or altered)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PinTransportKey:
    private_key: ec.EllipticCurvePrivateKey

    @property
    def public_raw(self) -> bytes:
        """The uncompressed P-256 point (65 bytes): what WebCrypto imports as ``raw``."""
        return self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    @property
    def kid(self) -> str:
        return hashlib.sha256(self.public_raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKeys:
    """Everything signature verification needs from the server's configuration."""

    rp_id: str  # WebAuthn relying party id: the public host name (``localhost`` in development)
    rp_name: str
    origins: tuple[str, ...]  # origins a passkey assertion may come from
    allow_localhost: bool  # development: any http://localhost:<port> origin is accepted too
    pin_key: PinTransportKey
    pepper: bytes  # server-side secret of PIN verifiers
    ticket_key: bytes  # signs passkey registration tickets

    def origin_allowed(self, origin: str) -> bool:
        if origin in self.origins:
            return True
        if not self.allow_localhost:
            return False
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.hostname == "localhost" and not parts.path

    def public_pin_key(self) -> dict[str, str]:
        return {"kid": self.pin_key.kid, "publicKey": b64url(self.pin_key.public_raw)}


def open_pin_box(keys: SigningKeys, box: Any, aad: bytes) -> str:
    """The PIN inside ``box`` ({v, kid, epk, iv, ct}), if it was sealed for this server and ``aad``."""
    if not isinstance(box, dict):
        raise PinBoxError("format")
    if box.get("kid") != keys.pin_key.kid:
        raise PinBoxError("key")
    try:
        if box.get("v") != PIN_BOX_VERSION:
            raise ValueError("version")
        epk = b64url_decode(box["epk"])
        iv = b64url_decode(box["iv"])
        ct = b64url_decode(box["ct"])
        if len(epk) != 65 or len(iv) != 12 or not 16 < len(ct) <= _MAX_CT:
            raise ValueError("size")
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), epk)  # checks the curve
    except (KeyError, TypeError, ValueError):
        raise PinBoxError("format") from None
    shared = keys.pin_key.private_key.exchange(ec.ECDH(), peer)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk, info=PIN_BOX_INFO).derive(shared)
    try:
        plain = AESGCM(key).decrypt(iv, ct, aad)
    except InvalidTag:
        raise PinBoxError("tampered") from None
    try:
        return plain.decode("ascii")
    except UnicodeDecodeError:
        raise PinBoxError("format") from None


def seal_pin_box(
    public_raw: bytes,
    kid: str,
    pin: str,
    aad: bytes,
    *,
    ephemeral: ec.EllipticCurvePrivateKey | None = None,
    iv: bytes | None = None,
) -> dict[str, Any]:
    """What a phone sends: the PIN sealed for the server's key and bound to ``aad``."""
    eph = ephemeral or ec.generate_private_key(ec.SECP256R1())
    epk = eph.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    server = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_raw)
    shared = eph.exchange(ec.ECDH(), server)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk, info=PIN_BOX_INFO).derive(shared)
    nonce = iv or secrets.token_bytes(12)
    ct = AESGCM(key).encrypt(nonce, pin.encode("utf-8"), aad)
    return {"v": PIN_BOX_VERSION, "kid": kid, "epk": b64url(epk), "iv": b64url(nonce), "ct": b64url(ct)}
