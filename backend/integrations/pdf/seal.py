"""The institution's electronic seal on PDFs (pyHanko): load the sealing identity, seal, verify.

- **Identity**: the sealing certificate and key come from configuration (PEM certificate + key,
  or PKCS#12). Without configuration a self-signed demo certificate ("Saha Demo Kurum Mührü",
  EC P-256, 10 years) is generated once into ``<data_dir>/seal/`` (key file mode 0600) and
  reused; two processes starting at once end up with the same files (create-if-absent by
  ``os.link``).
- **Seal**: one PAdES baseline B-B signature (ETSI.CAdES.detached, SHA-256, no time stamp) over the
  whole file, made as a *certification* signature that allows no later changes (DocMDP P=1).
  ``metadata`` entries become custom keys of the PDF Info dictionary (``/SahaMinutesId`` …) in
  the same incremental update as the signature, so the signature covers them.
- **Verify**: the last signature of the file must cover the entire file, be intact and
  cryptographically valid, and chain to the identity's certificate (the only trust root; no
  network fetching). ``verify_pdf`` never raises on bad input.

pyHanko's synchronous entry points call ``asyncio.run``; ``seal_pdf`` and ``verify_pdf`` run them
in a helper thread when called from a running event loop, but they still block it: call them
from a worker thread in async code.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import re
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

DEMO_COMMON_NAME = "Saha Demo Kurum Mührü"
DEMO_ORGANIZATION = "İzmir Büyükşehir Belediyesi"
DEMO_COUNTRY = "TR"
DEMO_VALIDITY = timedelta(days=3652)
SEAL_DIR = "seal"
DEMO_CERT_FILE = "seal-cert.pem"
DEMO_KEY_FILE = "seal-key.pem"
SEAL_FIELD = "SahaKurumMuhru"
METADATA_PREFIX = "Saha"
UNCHECKABLE = "signature could not be checked"

_METADATA_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
# A seal certificate may carry either usage; pyHanko's default demands non-repudiation only.
_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})

T = TypeVar("T")


@dataclass(frozen=True)
class SealIdentity:
    """The institution's sealing key and certificate (with any chain certificates)."""

    signer: signers.SimpleSigner = field(repr=False)
    certificate: asn1_x509.Certificate

    @property
    def subject(self) -> str:
        """The certificate subject's common name, else the whole subject, human-readable."""
        return _subject_text(self.certificate)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (DER), lowercase hex."""
        return hashlib.sha256(self.certificate.dump()).hexdigest()


@dataclass(frozen=True)
class PdfCheck:
    """What ``verify_pdf`` found."""

    signed: bool  # has at least one signature
    intact: bool  # the signed bytes are unmodified and the signature covers the whole file
    valid: bool  # intact, cryptographically valid and trusted (chains to the identity's certificate)
    signer: str | None  # signer subject (human-readable)
    signed_at: datetime | None  # signing time claimed by the signer
    metadata: dict[str, str]  # the Saha* Info keys of the signed revision (of the file if unsigned)
    problem: str | None  # short English reason when not valid


def load_seal_identity(
    *,
    data_dir: Path,
    cert_path: Path | None = None,
    key_path: Path | None = None,
    pkcs12_path: Path | None = None,
    password: str | None = None,
) -> SealIdentity:
    """The institution's sealing certificate from configuration (PEM cert+key, or PKCS#12).

    When none is configured, a self-signed demo certificate (CN "Saha Demo Kurum Mührü",
    O "İzmir Büyükşehir Belediyesi", C TR, EC P-256, 10 years) is generated once into
    ``data_dir/seal/`` (key file mode 0600) and reused. ``password`` decrypts the PKCS#12 file or
    the PEM key. Raises ``ValueError`` on a half or mismatching configuration.
    """
    secret = password.encode("utf-8") if password is not None else None
    if pkcs12_path is not None:
        if cert_path is not None or key_path is not None:
            raise ValueError("configure the seal either as PKCS#12 or as a PEM certificate and key")
        key, cert, chain = pkcs12.load_key_and_certificates(pkcs12_path.read_bytes(), secret)
        if key is None or cert is None:
            raise ValueError(f"{pkcs12_path} holds no private key and certificate")
        return _identity(key, cert, chain)
    if (cert_path is None) != (key_path is None):
        raise ValueError("the seal certificate and its key are configured together")
    if cert_path is not None and key_path is not None:
        certs = x509.load_pem_x509_certificates(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), secret)
        return _identity(key, certs[0], certs[1:])
    return _demo_identity(data_dir / SEAL_DIR)


class SealConfigurationError(RuntimeError):
    """Production mode without a usable institution seal certificate."""


SEAL_SETTINGS_HINT = (
    "set SAHA_SEAL_CERT_PATH and SAHA_SEAL_KEY_PATH (PEM certificate and key) or "
    "SAHA_SEAL_PKCS12_PATH (with SAHA_SEAL_KEY_PASSWORD if it has one)"
)


def seal_configured(cert_path: Path | None, key_path: Path | None, pkcs12_path: Path | None) -> bool:
    """Whether an institution certificate is configured (else the demo seal is used)."""
    return pkcs12_path is not None or (cert_path is not None and key_path is not None)


def check_seal_at_start(
    *,
    production: bool,
    data_dir: Path,
    cert_path: Path | None,
    key_path: Path | None,
    pkcs12_path: Path | None,
    password: str | None,
) -> SealIdentity | None:
    """The start-up check. Production: the configured certificate must load (and match its
    key), else ``SealConfigurationError`` names the settings — a self-signed demo seal on documents
    an institution stands behind is never made silently. Outside production: None (the demo
    seal is made on first use; the caller warns)."""
    if not production:
        return None
    if not seal_configured(cert_path, key_path, pkcs12_path):
        raise SealConfigurationError(
            f"production mode needs the institution's seal certificate: {SEAL_SETTINGS_HINT}. "
            "The self-signed demo seal is only for trying Saha (SAHA_PRODUCTION=false)."
        )
    try:
        return load_seal_identity(
            data_dir=data_dir,
            cert_path=cert_path,
            key_path=key_path,
            pkcs12_path=pkcs12_path,
            password=password,
        )
    except (OSError, ValueError, TypeError) as exc:
        raise SealConfigurationError(
            f"the configured seal certificate cannot be used ({exc}): {SEAL_SETTINGS_HINT}"
        ) from exc


def seal_pdf(
    pdf: bytes,
    identity: SealIdentity,
    *,
    metadata: Mapping[str, str] | None = None,
    reason: str = "Keşif tutanağı mühürlendi",
    location: str = "İzmir",
) -> bytes:
    """PAdES baseline (B-B) signature by the institution over the whole PDF (pyHanko).

    ``metadata`` (e.g. ``{"SahaMinutesId": …, "SahaContentHash": …, "SahaVerificationCode": …}``)
    goes into the document's Info dictionary before signing, so it is covered by the signature.
    Keys are letters and digits (a PDF name without escapes); ``ValueError`` otherwise.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if metadata:
        _set_info(writer, metadata)
    signature_meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    out = io.BytesIO()
    _off_loop(lambda: signers.sign_pdf(writer, signature_meta, signer=identity.signer, output=out))
    return out.getvalue()


def verify_pdf(pdf: bytes, identity: SealIdentity) -> PdfCheck:
    """Check the seal of ``pdf`` against ``identity``.

    Never raises on bad input (garbage bytes, truncated PDF, PDF without signature): returns a
    ``PdfCheck`` with ``problem`` set ("not a PDF", "not signed", "modified after signing",
    "invalid signature", "unknown signer", "signature could not be checked").
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        reader.root  # noqa: B018  # the catalog must resolve, or this is no PDF we can read
    except Exception:  # any parse error
        return PdfCheck(False, False, False, None, None, {}, "not a PDF")
    try:
        embedded = reader.embedded_signatures
    except Exception:  # a signature field or dictionary that cannot be read
        return PdfCheck(True, False, False, None, None, _latest_info(reader), UNCHECKABLE)
    if not embedded:
        return PdfCheck(False, False, False, None, None, _latest_info(reader), "not signed")
    signature = embedded[-1]  # the seal is the last thing added; a later update shows as coverage
    metadata = _signed_info(reader, signature.signed_revision)
    context = ValidationContext(trust_roots=[identity.certificate], allow_fetching=False)
    try:
        status = _off_loop(
            lambda: validate_pdf_signature(signature, context, key_usage_settings=_KEY_USAGE, skip_diff=True)
        )
    except Exception:  # malformed signature dictionary or CMS blob
        signer = None
        with contextlib.suppress(Exception):
            signer = _subject_text(signature.signer_cert)
        return PdfCheck(True, False, False, signer, None, metadata, UNCHECKABLE)
    intact = bool(status.intact) and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    valid = intact and bool(status.valid) and bool(status.trusted)
    problem = None
    if not intact:
        problem = "modified after signing"
    elif not status.valid:
        problem = "invalid signature"
    elif not status.trusted:
        problem = "unknown signer"
    signed_at = status.signer_reported_dt
    return PdfCheck(
        signed=True,
        intact=intact,
        valid=valid,
        signer=_subject_text(status.signing_cert),
        signed_at=signed_at.astimezone(UTC) if signed_at else None,
        metadata=metadata,
        problem=problem,
    )


# --- identity ---------------------------------------------------------------------------------


def _identity(key: Any, cert: x509.Certificate, chain: list[x509.Certificate]) -> SealIdentity:
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ValueError("the seal certificate does not belong to the private key")
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    registry = SimpleCertificateStore.from_certs([signing_cert, *others])  # type: ignore[no-untyped-call]
    signer = signers.SimpleSigner(signing_cert=signing_cert, signing_key=signing_key, cert_registry=registry)
    return SealIdentity(signer=signer, certificate=signing_cert)


def _demo_identity(folder: Path) -> SealIdentity:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file, cert_file = folder / DEMO_KEY_FILE, folder / DEMO_CERT_FILE
    if not key_file.exists():
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _create_once(key_file, pem, mode=0o600)
    key = serialization.load_pem_private_key(key_file.read_bytes(), None)
    if not cert_file.exists():
        _create_once(cert_file, _demo_certificate(key).public_bytes(serialization.Encoding.PEM), 0o644)
    return _identity(key, x509.load_pem_x509_certificate(cert_file.read_bytes()), [])


def _demo_certificate(key: Any) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, DEMO_COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_COMMON_NAME),
        ]
    )
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + DEMO_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _create_once(path: Path, data: bytes, mode: int) -> None:
    """Write ``path`` unless it exists; whoever links first wins, the others keep the winner's file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _subject_text(cert: asn1_x509.Certificate) -> str:
    names = cert.subject.native
    common_name = names.get("common_name") if isinstance(names, dict) else None
    return str(common_name) if common_name else str(cert.subject.human_friendly)


# --- PDF details ------------------------------------------------------------------------------


def _set_info(writer: IncrementalPdfFileWriter, metadata: Mapping[str, str]) -> None:
    for key in metadata:
        if not _METADATA_KEY.match(key):
            raise ValueError(f"metadata key must be letters and digits: {key!r}")
    try:
        info = writer.trailer["/Info"]
    except KeyError:
        info = None
    if not isinstance(info, generic.DictionaryObject):
        info = generic.DictionaryObject()  # type: ignore[no-untyped-call]  # pyHanko leaves it untyped
        writer.set_info(info)
    for key, value in metadata.items():
        info[generic.NameObject("/" + key)] = generic.TextStringObject(value)
    writer.update_container(info)


def _signed_info(reader: PdfFileReader, revision: int) -> dict[str, str]:
    """The Saha* Info keys as they were in the signed revision (not as a later update has them)."""
    try:
        resolver = reader.get_historical_resolver(revision)
        ref = resolver.trailer_view.raw_get("/Info")
        info = resolver.get_object(ref.reference) if isinstance(ref, generic.IndirectObject) else ref
    except Exception:  # no or broken Info dictionary: metadata is informative only
        return {}
    return _read_info(info)


def _latest_info(reader: PdfFileReader) -> dict[str, str]:
    try:
        info = reader.trailer["/Info"]
    except Exception:  # no or broken Info dictionary
        return {}
    return _read_info(info)


def _read_info(info: Any) -> dict[str, str]:
    """The Saha* keys of an Info dictionary."""
    if not isinstance(info, generic.DictionaryObject):
        return {}
    found = {}
    for raw_key in info:
        key = str(raw_key).removeprefix("/")
        if key.startswith(METADATA_PREFIX):
            with contextlib.suppress(Exception):
                value = info[raw_key]
                if isinstance(value, generic.ByteStringObject):
                    found[key] = bytes(value).decode("latin-1")
                else:
                    found[key] = str(value)
    return found


def _off_loop(work: Callable[[], T]) -> T:
    """Run ``work`` here, or in a helper thread when this thread runs an event loop (pyHanko's
    synchronous API calls ``asyncio.run``, which refuses to run inside one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
