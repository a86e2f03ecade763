"""The server's signing secrets, from configuration or generated once into the data folder.

- PIN transport key (P-256, PKCS#8 PEM): ``SAHA_SIGNING_PIN_KEY_PATH`` or
  ``<data_dir>/signing_pin_key.pem``. Phones seal PINs to its public half.
- Pepper of PIN verifiers (32 bytes, base64url): ``SAHA_SIGNING_PEPPER`` or
  ``<data_dir>/signing_pepper``. Without it a database copy cannot test a PIN.

Files are created with O_EXCL and mode 0600, so replicas starting together on one shared folder
agree on one key. Several replicas on separate machines must be given the same two secrets
(mount the files or set the variables), like ``SAHA_SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from backend.config import Settings
from backend.domain.signing.keys import PinTransportKey, SigningKeys
from backend.domain.signing.message import b64url, b64url_decode


def _create_exclusive(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first: use theirs
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _pin_key(settings: Settings) -> PinTransportKey:
    path = settings.signing_pin_key_path or settings.data_dir / "signing_pin_key.pem"
    if settings.signing_pin_key_path is None and not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        _create_exclusive(path, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    loaded = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey) or loaded.curve.name != "secp256r1":
        raise ValueError(f"{path}: the signing PIN key must be a P-256 (secp256r1) EC private key")
    return PinTransportKey(private_key=loaded)


def _pepper(settings: Settings) -> bytes:
    if settings.signing_pepper:
        value = b64url_decode(settings.signing_pepper)
    else:
        path = settings.data_dir / "signing_pepper"
        if not path.exists():
            _create_exclusive(path, b64url(secrets.token_bytes(32)).encode("ascii"))
        value = b64url_decode(path.read_text(encoding="ascii").strip())
    if len(value) < 32:
        raise ValueError("SAHA_SIGNING_PEPPER must be at least 32 bytes, base64url")
    return value


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def load_signing_keys(settings: Settings) -> SigningKeys:
    public = settings.effective_public_url
    rp_id = settings.webauthn_rp_id or (urlsplit(public).hostname or "localhost")
    origins = tuple(dict.fromkeys([_origin(public), *settings.webauthn_origins, *settings.allowed_origins]))
    ticket_key = hmac.new(
        settings.effective_secret_key().encode("utf-8"), b"saha passkey registration ticket", hashlib.sha256
    ).digest()
    return SigningKeys(
        rp_id=rp_id,
        rp_name="Saha · Görüntülü İzleme Sistemleri Birimi",
        origins=origins,
        allow_localhost=not settings.production,
        pin_key=_pin_key(settings),
        pepper=_pepper(settings),
        ticket_key=ticket_key,
    )
