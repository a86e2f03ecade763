"""Encryption at rest for device credentials (AES-256-GCM).

The key is ``SAHA_CREDENTIALS_KEY`` (base64url, 32 bytes) or, by default, a key generated once
into ``<data_dir>/credentials_key`` (mode 0600) — separate from the token-signing secret, so
rotating one does not lose the other. Each value gets a fresh 96-bit nonce; the device id is the
associated data, so a ciphertext copied onto another device's row does not decrypt.
"""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class CredentialError(Exception):
    """A stored secret that cannot be decrypted (wrong key, tampered, or copied)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_key(configured: str | None, data_dir: Path) -> bytes:
    if configured:
        key = _unb64(configured)
        if len(key) != 32:
            raise ValueError("SAHA_CREDENTIALS_KEY must be 32 bytes, base64url")
        return key
    path = data_dir / "credentials_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(_b64(secrets.token_bytes(32)))
    return _unb64(path.read_text(encoding="ascii").strip())


class CredentialCipher:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, device_id: uuid.UUID, password: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return _b64(nonce + self._aead.encrypt(nonce, password.encode("utf-8"), device_id.bytes))

    def decrypt(self, device_id: uuid.UUID, secret: str) -> str:
        try:
            raw = _unb64(secret)
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], device_id.bytes).decode("utf-8")
        except (InvalidTag, ValueError) as exc:
            raise CredentialError("the stored device password cannot be decrypted") from exc
