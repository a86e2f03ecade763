"""The institution's seal: PAdES signing with pyHanko, verification that catches tampering, later
updates and foreign signers, and the sealing identity's configuration (demo, PEM, PKCS#12)."""

from __future__ import annotations

import io
import re
import shutil
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from backend.integrations.pdf.seal import (
    DEMO_CERT_FILE,
    DEMO_KEY_FILE,
    SealIdentity,
    load_seal_identity,
    seal_pdf,
    verify_pdf,
)
from tests.unit.pdf.samples import CONTENT_HASH, MINUTES_ID, VERIFICATION_CODE

METADATA = {
    "SahaMinutesId": MINUTES_ID,
    "SahaContentHash": CONTENT_HASH,
    "SahaVerificationCode": VERIFICATION_CODE,
}


def pem_pair(
    folder: Path, common_name: str
) -> tuple[Path, Path, ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed EC P-256 certificate and its key, written as PEM files into ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path, key, cert


@pytest.fixture(scope="module")
def sealed(minutes_pdf: bytes, seal_identity: SealIdentity) -> bytes:
    return seal_pdf(minutes_pdf, seal_identity, metadata=METADATA)


def signed_ranges(pdf: bytes) -> list[int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    return [int(v) for v in match.groups()]


def test_a_sealed_pdf_verifies(sealed: bytes, seal_identity: SealIdentity) -> None:
    # given: the minutes sealed with the institution's identity
    # when
    check = verify_pdf(sealed, seal_identity)
    # then
    assert check.signed is True
    assert check.intact is True
    assert check.valid is True
    assert check.problem is None
    assert check.signer == "Saha Demo Kurum Mührü"
    assert check.signed_at is not None
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert check.metadata == {**METADATA, "SahaTemplate": "saha.survey-minutes/1"}


def test_the_seal_covers_the_whole_file(sealed: bytes) -> None:
    # given
    start, first_len, second_start, second_len = signed_ranges(sealed)
    # when / then: the only gap is the /Contents hex string; the second range ends at the end of file
    assert start == 0
    assert sealed[first_len : first_len + 1] == b"<"
    assert sealed[second_start - 1 : second_start] == b">"
    assert second_start + second_len == len(sealed)


def test_one_flipped_byte_in_the_signed_range_breaks_the_seal(
    sealed: bytes, seal_identity: SealIdentity
) -> None:
    # given: one byte in the middle of the first signed range (page content, fonts, images) flipped
    _, first_len, _, _ = signed_ranges(sealed)
    position = first_len // 2
    tampered = bytearray(sealed)
    tampered[position] ^= 0x01
    # when
    check = verify_pdf(bytes(tampered), seal_identity)
    # then
    assert check.valid is False
    assert check.intact is False
    assert check.problem is not None


def test_a_forged_signature_value_is_an_invalid_signature(sealed: bytes, seal_identity: SealIdentity) -> None:
    # given: the last hex digit of the CMS blob in /Contents (the end of the ECDSA value) changed
    _, first_len, second_start, _ = signed_ranges(sealed)
    contents = sealed[first_len + 1 : second_start - 1]
    assert contents[:4] == b"3082"  # DER SEQUENCE with a two-byte length
    last = first_len + 1 + (4 + int(contents[4:8], 16)) * 2 - 1
    forged = bytearray(sealed)
    forged[last] = ord("1") if forged[last] == ord("0") else ord("0")
    # when
    check = verify_pdf(bytes(forged), seal_identity)
    # then: the document bytes are as signed, but the signature over them is not right
    assert check.intact is True
    assert check.valid is False
    assert check.problem == "invalid signature"


def test_an_unreadable_signature_blob_is_reported_not_raised(
    sealed: bytes, seal_identity: SealIdentity
) -> None:
    # given: /Contents overwritten with zeros
    _, first_len, second_start, _ = signed_ranges(sealed)
    blanked = sealed[: first_len + 1] + b"0" * (second_start - first_len - 2) + sealed[second_start - 1 :]
    # when
    check = verify_pdf(blanked, seal_identity)
    # then
    assert check.signed is True
    assert check.valid is False
    assert check.problem == "signature could not be checked"


def test_an_incremental_update_after_sealing_is_detected(sealed: bytes, seal_identity: SealIdentity) -> None:
    # given: someone appends a revision that changes the content hash in the Info dictionary
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    info = writer.trailer["/Info"]
    info[generic.NameObject("/SahaContentHash")] = generic.TextStringObject("f" * 64)
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    # when
    check = verify_pdf(out.getvalue(), seal_identity)
    # then: not intact, not valid; the metadata shown is what was sealed
    assert check.signed is True
    assert check.intact is False
    assert check.valid is False
    assert check.problem == "modified after signing"
    assert check.metadata["SahaContentHash"] == CONTENT_HASH


def test_a_seal_by_another_certificate_is_an_unknown_signer(
    minutes_pdf: bytes, seal_identity: SealIdentity, tmp_path: Path
) -> None:
    # given: the same minutes sealed by a look-alike, freshly generated self-signed certificate
    cert_path, key_path, _, _ = pem_pair(tmp_path, "Saha Demo Kurum Mührü")
    impostor = load_seal_identity(data_dir=tmp_path, cert_path=cert_path, key_path=key_path)
    forged = seal_pdf(minutes_pdf, impostor, metadata=METADATA)
    # when
    check = verify_pdf(forged, seal_identity)
    # then
    assert check.signed is True
    assert check.intact is True
    assert check.valid is False
    assert check.problem == "unknown signer"
    assert verify_pdf(forged, impostor).valid is True


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "not a PDF"),
        (b"this is not a pdf at all" * 100, "not a PDF"),
        (b"%PDF-1.7\n%%EOF garbage", "not a PDF"),
    ],
)
def test_garbage_is_reported_not_raised(data: bytes, problem: str, seal_identity: SealIdentity) -> None:
    # given / when
    check = verify_pdf(data, seal_identity)
    # then
    assert check.signed is False
    assert check.valid is False
    assert check.problem == problem


def test_a_truncated_sealed_pdf_is_reported_not_raised(sealed: bytes, seal_identity: SealIdentity) -> None:
    # given / when
    check = verify_pdf(sealed[: len(sealed) // 2], seal_identity)
    # then
    assert check.valid is False
    assert check.problem is not None


def test_an_unsealed_pdf_is_not_signed_but_shows_its_metadata(
    minutes_pdf: bytes, seal_identity: SealIdentity
) -> None:
    # given / when
    check = verify_pdf(minutes_pdf, seal_identity)
    # then
    assert check.signed is False
    assert check.valid is False
    assert check.problem == "not signed"
    assert check.metadata["SahaContentHash"] == CONTENT_HASH


def test_metadata_keys_must_be_plain_names(minutes_pdf: bytes, seal_identity: SealIdentity) -> None:
    # given / when / then
    with pytest.raises(ValueError, match="letters and digits"):
        seal_pdf(minutes_pdf, seal_identity, metadata={"Saha Minutes/Id": "x"})


async def test_seal_and_verify_work_inside_an_event_loop(
    minutes_pdf: bytes, seal_identity: SealIdentity
) -> None:
    # given: a running event loop (pyHanko's synchronous API calls asyncio.run)
    # when
    sealed = seal_pdf(minutes_pdf, seal_identity)
    check = verify_pdf(sealed, seal_identity)
    # then
    assert check.valid is True


def test_poppler_pdfsig_agrees_the_signature_is_valid(sealed: bytes, tmp_path: Path) -> None:
    # given
    exe = shutil.which("pdfsig")
    if exe is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    # when
    done = subprocess.run([exe, str(path)], capture_output=True, check=False)
    output = done.stdout.decode("utf-8")
    # then: the signature is valid and covers the whole file (the demo issuer is unknown to NSS)
    assert "Signature Validation: Signature is Valid." in output
    assert "Total document signed" in output
    assert "Signer Certificate Common Name: Saha Demo Kurum Mührü" in output
    assert "ETSI.CAdES.detached" in output


def test_the_demo_identity_is_generated_once_and_reused(tmp_path: Path) -> None:
    # given: no seal configured
    # when
    first = load_seal_identity(data_dir=tmp_path)
    key_file = tmp_path / "seal" / DEMO_KEY_FILE
    key_bytes = key_file.read_bytes()
    second = load_seal_identity(data_dir=tmp_path)
    # then
    assert first.fingerprint == second.fingerprint
    assert key_file.read_bytes() == key_bytes
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (tmp_path / "seal" / DEMO_CERT_FILE).exists()
    assert sorted(p.name for p in (tmp_path / "seal").iterdir()) == sorted([DEMO_CERT_FILE, DEMO_KEY_FILE])
    cert = x509.load_pem_x509_certificate((tmp_path / "seal" / DEMO_CERT_FILE).read_bytes())
    assert cert.subject.rfc4514_string() == "CN=Saha Demo Kurum Mührü,O=İzmir Büyükşehir Belediyesi,C=TR"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > timedelta(days=3650)
    assert first.subject == "Saha Demo Kurum Mührü"


def test_a_configured_pem_pair_is_used(tmp_path: Path) -> None:
    # given
    cert_path, key_path, _, cert = pem_pair(tmp_path / "conf", "Kurum Mührü Test")
    # when
    identity = load_seal_identity(data_dir=tmp_path, cert_path=cert_path, key_path=key_path)
    # then
    assert identity.subject == "Kurum Mührü Test"
    assert identity.fingerprint == cert.fingerprint(hashes.SHA256()).hex()
    assert not (tmp_path / "seal").exists()  # no demo certificate generated


def test_a_configured_pkcs12_file_is_used(tmp_path: Path) -> None:
    # given
    _, _, key, cert = pem_pair(tmp_path / "conf", "Kurum Mührü P12")
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, cert, None, serialization.BestAvailableEncryption(b"gizli-parola")
        )
    )
    # when
    identity = load_seal_identity(data_dir=tmp_path, pkcs12_path=p12, password="gizli-parola")
    # then
    assert identity.subject == "Kurum Mührü P12"


def test_half_or_mismatching_configuration_is_refused(tmp_path: Path) -> None:
    # given
    cert_a, _, _, _ = pem_pair(tmp_path / "a", "A")
    _, key_b, _, _ = pem_pair(tmp_path / "b", "B")
    # when / then
    with pytest.raises(ValueError, match="does not belong"):
        load_seal_identity(data_dir=tmp_path, cert_path=cert_a, key_path=key_b)
    with pytest.raises(ValueError, match="together"):
        load_seal_identity(data_dir=tmp_path, cert_path=cert_a)
