"""The software authenticator in tests/webauthn_soft.py against the real verifier (py_webauthn).

Every response it produces must be accepted by ``webauthn.verify_*_response``, and every tampered
one must be refused by it, with the exception class a server would have to catch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import webauthn
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.authentication.verify_authentication_response import VerifiedAuthentication
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AttestationFormat,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

from tests.webauthn_soft import (
    SoftAuthenticator,
    WebAuthnDOMError,
    b64url,
    b64url_decode,
)

RP_ID = "localhost"
ORIGIN = "http://localhost:8000"
USER_ID = b"user-0001"
CHALLENGE = b"server-chosen challenge, 32+ B.."


def registration_options(**extra: Any) -> dict[str, Any]:
    options = webauthn.generate_registration_options(
        rp_id=RP_ID,
        rp_name="Saha",
        user_name="teknisyen",
        user_id=USER_ID,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        **extra,
    )
    parsed: dict[str, Any] = json.loads(webauthn.options_to_json(options))
    return parsed


def verify_registration(response: dict[str, Any], options: dict[str, Any]) -> VerifiedRegistration:
    return webauthn.verify_registration_response(
        credential=response,
        expected_challenge=b64url_decode(options["challenge"]),
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )


@dataclass
class Registered:
    authenticator: SoftAuthenticator
    registration: VerifiedRegistration

    def verify(self, assertion: dict[str, Any], *, stored_sign_count: int = 0) -> VerifiedAuthentication:
        return webauthn.verify_authentication_response(
            credential=assertion,
            expected_challenge=CHALLENGE,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=self.registration.credential_public_key,
            credential_current_sign_count=stored_sign_count,
            require_user_verification=True,
        )


def register(authenticator: SoftAuthenticator) -> Registered:
    options = registration_options()
    return Registered(authenticator, verify_registration(authenticator.create(options), options))


@pytest.fixture
def registered() -> Registered:
    return register(SoftAuthenticator())


# --- helpers -----------------------------------------------------------------------------------


def test_b64url_has_no_padding_and_round_trips() -> None:
    # given
    data = b"\xfb\xff\x00a"

    # when
    text = b64url(data)

    # then
    assert text == "-_8AYQ"
    assert b64url_decode(text) == data
    assert b64url_decode(text + "==") == data


# --- registration ------------------------------------------------------------------------------


def test_create_returns_registration_response_json_like_simplewebauthn_browser() -> None:
    # given
    authenticator = SoftAuthenticator()
    options = registration_options()

    # when
    response = authenticator.create(options)

    # then
    credential = authenticator.credentials[0]
    assert response["id"] == response["rawId"] == b64url(credential.credential_id)
    assert response["type"] == "public-key"
    assert response["authenticatorAttachment"] == "platform"
    assert response["clientExtensionResults"] == {}
    body = response["response"]
    assert body["transports"] == ["internal"]
    assert body["publicKeyAlgorithm"] == -7
    assert not any("=" in value for value in body.values() if isinstance(value, str))
    assert json.loads(b64url_decode(body["clientDataJSON"])) == {
        "type": "webauthn.create",
        "challenge": options["challenge"],
        "origin": ORIGIN,
        "crossOrigin": False,
    }
    assert credential.user_handle == USER_ID
    assert credential.rp_id == RP_ID


def test_registration_verifies_and_yields_the_credential_id_and_public_key() -> None:
    # given
    authenticator = SoftAuthenticator()
    options = registration_options()

    # when
    verified = verify_registration(authenticator.create(options), options)

    # then
    credential = authenticator.credentials[0]
    assert verified.credential_id == credential.credential_id
    assert verified.credential_public_key == credential.cose_public_key()
    assert verified.fmt == AttestationFormat.NONE
    assert verified.aaguid == "00000000-0000-0000-0000-000000000000"
    assert verified.user_verified is True
    assert verified.sign_count == 0


def test_registration_without_user_verification_is_refused_when_required() -> None:
    # given
    options = registration_options()
    response = SoftAuthenticator(user_verified=False).create(options)

    # when / then
    with pytest.raises(InvalidRegistrationResponse, match="User verification is required"):
        verify_registration(response, options)


def test_registration_over_another_challenge_is_refused() -> None:
    # given
    response = SoftAuthenticator().create(registration_options())

    # when / then
    with pytest.raises(InvalidRegistrationResponse, match="challenge was not expected"):
        verify_registration(response, registration_options())


def test_registration_from_another_origin_is_refused() -> None:
    # given
    options = registration_options()
    response = SoftAuthenticator(origin="https://saha.example.net").create(options)

    # when / then
    with pytest.raises(InvalidRegistrationResponse, match="Unexpected client data origin"):
        verify_registration(response, options)


def test_create_refuses_an_excluded_credential_it_already_holds(registered: Registered) -> None:
    # given
    options = registration_options(
        exclude_credentials=[PublicKeyCredentialDescriptor(id=registered.registration.credential_id)]
    )

    # when / then
    with pytest.raises(WebAuthnDOMError) as refused:
        registered.authenticator.create(options)
    assert refused.value.name == "InvalidStateError"
    assert len(registered.authenticator.credentials) == 1


def test_create_refuses_options_without_es256() -> None:
    # given
    options = registration_options()
    options["pubKeyCredParams"] = [{"type": "public-key", "alg": -257}]

    # when / then
    with pytest.raises(WebAuthnDOMError) as refused:
        SoftAuthenticator().create(options)
    assert refused.value.name == "NotSupportedError"


# --- authentication ----------------------------------------------------------------------------


def test_assertion_verifies_and_reports_the_new_sign_count(registered: Registered) -> None:
    # given
    first = registered.verify(registered.authenticator.get(challenge=CHALLENGE))

    # when
    second = registered.verify(
        registered.authenticator.get(challenge=CHALLENGE), stored_sign_count=first.new_sign_count
    )

    # then
    assert first.credential_id == registered.registration.credential_id
    assert (first.new_sign_count, second.new_sign_count) == (1, 2)
    assert second.user_verified is True


def test_assertion_json_is_authentication_response_json(registered: Registered) -> None:
    # given
    credential = registered.authenticator.credentials[0]

    # when
    assertion = registered.authenticator.get(challenge=CHALLENGE, credential_id=credential.credential_id)

    # then
    assert assertion["id"] == assertion["rawId"] == b64url(credential.credential_id)
    assert assertion["type"] == "public-key"
    assert assertion["authenticatorAttachment"] == "platform"
    assert assertion["clientExtensionResults"] == {}
    assert set(assertion["response"]) == {"authenticatorData", "clientDataJSON", "signature", "userHandle"}
    assert b64url_decode(assertion["response"]["userHandle"]) == USER_ID
    assert json.loads(b64url_decode(assertion["response"]["clientDataJSON"])) == {
        "type": "webauthn.get",
        "challenge": b64url(CHALLENGE),
        "origin": ORIGIN,
        "crossOrigin": False,
    }


def test_get_without_credentials_is_not_allowed() -> None:
    # given
    authenticator = SoftAuthenticator()

    # when / then
    with pytest.raises(WebAuthnDOMError) as refused:
        authenticator.get(challenge=CHALLENGE)
    assert refused.value.name == "NotAllowedError"


def test_synced_passkey_always_reporting_zero_verifies_while_stored_count_is_zero() -> None:
    # given
    registered = register(SoftAuthenticator(counter_step=0))
    registered.verify(registered.authenticator.get(challenge=CHALLENGE))

    # when
    verified = registered.verify(registered.authenticator.get(challenge=CHALLENGE))

    # then
    assert verified.new_sign_count == 0


def test_zero_counter_is_refused_once_a_positive_count_was_stored() -> None:
    # given
    registered = register(SoftAuthenticator(counter_step=0))
    assertion = registered.authenticator.get(challenge=CHALLENGE)

    # when / then
    with pytest.raises(InvalidAuthenticationResponse, match="sign count of 0 was not greater than"):
        registered.verify(assertion, stored_sign_count=3)


@pytest.mark.parametrize(
    ("tampering", "message"),
    [
        ({"challenge": b"a replayed, older challenge....."}, "challenge was not expected challenge"),
        ({"origin": "https://saha.example.net"}, "Unexpected client data origin"),
        ({"rp_id": "saha.example.net"}, "Unexpected RP ID hash"),
        ({"user_verified": False}, "User verification is required"),
        ({"sign_with": ec.generate_private_key(ec.SECP256R1())}, "Could not verify authentication signature"),
    ],
    ids=["wrong-challenge", "wrong-origin", "wrong-rp-id", "user-not-verified", "signed-by-another-key"],
)
def test_tampered_assertion_is_refused(
    registered: Registered, tampering: dict[str, Any], message: str
) -> None:
    # given
    arguments: dict[str, Any] = {"challenge": CHALLENGE, **tampering}
    assertion = registered.authenticator.get(**arguments)

    # when / then
    with pytest.raises(InvalidAuthenticationResponse, match=message):
        registered.verify(assertion)


def test_forged_assertion_does_not_advance_the_genuine_counter(registered: Registered) -> None:
    # given
    attacker_key = ec.generate_private_key(ec.SECP256R1())

    # when
    registered.authenticator.get(challenge=CHALLENGE, sign_with=attacker_key)

    # then
    assert registered.authenticator.credentials[0].sign_count == 0
    assert registered.verify(registered.authenticator.get(challenge=CHALLENGE)).new_sign_count == 1


def test_counter_that_does_not_increase_over_the_stored_count_is_refused(registered: Registered) -> None:
    # given: the server already saw count 5; a cloned authenticator reports 2
    registered.authenticator.credentials[0].sign_count = 1
    assertion = registered.authenticator.get(challenge=CHALLENGE)

    # when / then
    with pytest.raises(
        InvalidAuthenticationResponse, match="sign count of 2 was not greater than current count of 5"
    ):
        registered.verify(assertion, stored_sign_count=5)


def test_replaying_the_same_assertion_is_refused_by_the_counter(registered: Registered) -> None:
    # given
    assertion = registered.authenticator.get(challenge=CHALLENGE)
    stored = registered.verify(assertion).new_sign_count

    # when / then
    with pytest.raises(InvalidAuthenticationResponse, match="was not greater than current count of 1"):
        registered.verify(assertion, stored_sign_count=stored)
