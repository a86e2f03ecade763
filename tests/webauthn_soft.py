"""A software WebAuthn platform authenticator (and browser) for tests.

``SoftAuthenticator`` plays ``navigator.credentials.create()`` / ``get()`` together with the
authenticator behind them, and returns exactly the JSON that ``@simplewebauthn/browser``'s
``startRegistration()`` / ``startAuthentication()`` post to the server
(``RegistrationResponseJSON`` / ``AuthenticationResponseJSON``: binary fields as base64url without
padding). Those dicts go straight into ``webauthn.verify_registration_response(credential=...)`` and
``webauthn.verify_authentication_response(credential=...)``.

What it models: one ES256 (P-256) key per credential, attestation format ``"none"``, AAGUID of
16 zero bytes, flags UP always, UV when the user is verified, AT on registration.

What it deliberately does not check, so that tests can build hostile responses: it does not refuse
an ``rp_id`` that does not match the origin, nor a user-verification requirement it cannot meet
(``user_verified=False`` simply produces UV=0 responses for the server to refuse).

Attack helpers:

* ``get(..., challenge=..., origin=..., rp_id=..., user_verified=...)`` override what a genuine
  browser would send, to model a replayed challenge, a phishing origin or a foreign RP ID.
* ``get(..., sign_with=other_key)`` forges an assertion: everything is what the genuine
  authenticator would send (credential id, user handle, next counter value), but the signature is
  made with ``other_key``, i.e. an attacker who knows the credential id but not its private key.
  The genuine credential's ``sign_count`` is left untouched because it never saw that ceremony.
* ``SoftCredential.sign_count`` is a plain field: set it lower to model a cloned authenticator
  whose counter went backwards.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ES256 = -7  # COSE algorithm identifier: ECDSA w/ SHA-256 on P-256
AAGUID = bytes(16)

FLAG_UP = 0x01  # user present
FLAG_UV = 0x04  # user verified
FLAG_AT = 0x40  # attested credential data included


def b64url(data: bytes) -> str:
    """Base64url without padding, as WebAuthn JSON serialises binary fields."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of ``b64url``; accepts input with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class WebAuthnDOMError(Exception):
    """What the browser would reject the ceremony with; ``name`` is the DOMException name
    (``NotAllowedError``, ``InvalidStateError``, ``NotSupportedError``)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass
class SoftCredential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey  # P-256 (ES256)
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        """The COSE_Key (EC2, ES256, P-256) as it appears in authenticatorData and as
        ``VerifiedRegistration.credential_public_key`` returns it."""
        return cose_ec2_public_key(self.private_key.public_key())


def cose_ec2_public_key(public_key: ec.EllipticCurvePublicKey) -> bytes:
    point = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    x, y = point[1:33], point[33:65]
    return cbor2.dumps({1: 2, 3: ES256, -1: 1, -2: x, -3: y})


def _client_data_json(ceremony: str, challenge: bytes, origin: str) -> bytes:
    # Same members, order and compact form as Chromium's serialisation.
    data = {"type": ceremony, "challenge": b64url(challenge), "origin": origin, "crossOrigin": False}
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def _authenticator_data(rp_id: str, flags: int, sign_count: int, attested: bytes = b"") -> bytes:
    return (
        hashlib.sha256(rp_id.encode("utf-8")).digest()
        + bytes([flags])
        + sign_count.to_bytes(4, "big")
        + attested
    )


def _sign(key: ec.EllipticCurvePrivateKey, auth_data: bytes, client_data: bytes) -> bytes:
    return key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))


class SoftAuthenticator:
    """A platform authenticator with its browser: ``create()`` registers, ``get()`` asserts.

    ``counter_step`` is added to a credential's counter on every assertion; ``0`` models synced
    passkeys (iCloud Keychain, Google Password Manager), which always report 0.
    """

    def __init__(
        self,
        *,
        rp_id: str = "localhost",
        origin: str = "http://localhost:8000",
        user_verified: bool = True,
        counter_step: int = 1,
    ) -> None:
        self.rp_id = rp_id
        self.origin = origin
        self.user_verified = user_verified
        self.counter_step = counter_step
        self.credentials: list[SoftCredential] = []

    def create(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Register a new ES256 credential from ``PublicKeyCredentialCreationOptionsJSON``
        (``json.loads(webauthn.options_to_json(webauthn.generate_registration_options(...)))``)
        and return the ``RegistrationResponseJSON`` the browser would post.

        Raises ``WebAuthnDOMError`` like the browser would: ``NotSupportedError`` when ES256 is not
        among ``pubKeyCredParams``, ``InvalidStateError`` when ``excludeCredentials`` names a
        credential this authenticator holds.
        """
        algs = [p.get("alg") for p in options.get("pubKeyCredParams", []) if p.get("type") == "public-key"]
        if ES256 not in algs:
            raise WebAuthnDOMError("NotSupportedError", f"only ES256 ({ES256}) is supported, got {algs}")
        rp_id = str(options.get("rp", {}).get("id") or self.rp_id)
        excluded = {b64url_decode(d["id"]) for d in options.get("excludeCredentials") or []}
        if any(c.credential_id in excluded and c.rp_id == rp_id for c in self.credentials):
            raise WebAuthnDOMError("InvalidStateError", "an excluded credential is already registered")

        credential = SoftCredential(
            credential_id=secrets.token_bytes(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp_id,
            user_handle=b64url_decode(options["user"]["id"]),
        )
        flags = FLAG_UP | FLAG_AT | (FLAG_UV if self.user_verified else 0)
        attested = (
            AAGUID
            + len(credential.credential_id).to_bytes(2, "big")
            + credential.credential_id
            + credential.cose_public_key()
        )
        auth_data = _authenticator_data(rp_id, flags, credential.sign_count, attested)
        client_data = _client_data_json("webauthn.create", b64url_decode(options["challenge"]), self.origin)
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        public_key_der = credential.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.credentials.append(credential)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "transports": ["internal"],
                "publicKeyAlgorithm": ES256,
                "publicKey": b64url(public_key_der),
                "authenticatorData": b64url(auth_data),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def credential(self, credential_id: bytes | None = None) -> SoftCredential:
        """The credential with ``credential_id``, or the first one; ``NotAllowedError`` if none."""
        for candidate in self.credentials:
            if credential_id is None or candidate.credential_id == credential_id:
                return candidate
        raise WebAuthnDOMError("NotAllowedError", "no matching credential on this authenticator")

    def get(
        self,
        *,
        challenge: bytes,
        credential_id: bytes | None = None,
        rp_id: str | None = None,
        origin: str | None = None,
        user_verified: bool | None = None,
        sign_with: ec.EllipticCurvePrivateKey | None = None,
    ) -> dict[str, Any]:
        """Assert with ``credential_id`` (default: the first credential) over the raw ``challenge``
        and return the ``AuthenticationResponseJSON`` the browser would post.

        ``rp_id`` (default: the credential's), ``origin`` (default: the authenticator's) and
        ``user_verified`` (default: the authenticator's) override what goes into the response.
        ``sign_with`` forges the assertion: it is signed with that key instead of the credential's,
        and the credential's ``sign_count`` is not advanced (the genuine authenticator never saw it).
        """
        credential = self.credential(credential_id)
        sign_count = credential.sign_count + self.counter_step
        if sign_with is None:
            credential.sign_count = sign_count
        verified = self.user_verified if user_verified is None else user_verified
        flags = FLAG_UP | (FLAG_UV if verified else 0)
        auth_data = _authenticator_data(rp_id or credential.rp_id, flags, sign_count)
        client_data = _client_data_json("webauthn.get", challenge, origin or self.origin)
        signature = _sign(sign_with or credential.private_key, auth_data, client_data)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(auth_data),
                "clientDataJSON": b64url(client_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
