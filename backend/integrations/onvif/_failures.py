"""What went wrong talking to a device, as a typed kind and a plain Turkish (and English) sentence.

One classifier, :func:`classify`, turns any exception met during a diagnosis into a
:class:`Failure`: timeouts, refused or dropped connections, TLS errors, redirects (refused, never
followed), answers over the byte cap, answers that are not well-formed XML (or carry a DTD),
empty answers, HTTP errors, refused credentials, SOAP faults. Messages never carry Python
internals (class names, reprs, tracebacks) or raw device bytes; the evidence keeps the kind, the
class name for engineers and a sanitised, short detail.

The transport and the probe raise :class:`FailureError` themselves when they refuse something
(a redirect, an oversized or malformed answer, an address in a refused range); the per-call and
overall time limits raise :class:`CallTimeoutError` and :class:`DeadlineExceededError`.
"""

from __future__ import annotations

import re
import socket
import ssl
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FailureKind(StrEnum):
    TIMEOUT = "timeout"
    DEADLINE = "deadline"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION_LOST = "connection_lost"
    UNREACHABLE = "unreachable"
    DNS = "dns"
    TLS = "tls"
    REDIRECT_REFUSED = "redirect_refused"
    TOO_LARGE = "answer_too_large"
    BAD_XML = "bad_xml"
    EMPTY_ANSWER = "empty_answer"
    HTTP_ERROR = "http_error"
    CREDENTIALS_REFUSED = "credentials_refused"
    SOAP_FAULT = "soap_fault"
    NOT_SUPPORTED = "not_supported"
    ADDRESS_REFUSED = "address_refused"
    UNEXPECTED = "unexpected"


class FailureError(Exception):
    """A refusal or failure the ONVIF client recognised itself; ``details`` are JSON-able."""

    kind: FailureKind

    def __init__(self, kind: FailureKind, **details: Any) -> None:
        super().__init__(kind.value)
        self.kind = kind
        self.details = details


class CallTimeoutError(FailureError):
    """One call did not finish within its own limit."""

    def __init__(self, what: str, seconds: float) -> None:
        super().__init__(FailureKind.TIMEOUT, call=what, timeout_s=round(seconds, 3))
        self.what = what
        self.seconds = seconds


class DeadlineExceededError(CallTimeoutError):
    """The diagnosis as a whole ran out of time while ``what`` was running (or before it began)."""

    def __init__(self, what: str, deadline: float) -> None:
        super().__init__(what, deadline)
        self.kind = FailureKind.DEADLINE
        self.details = {"call": what, "deadline_s": round(deadline, 3)}


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    message_tr: str
    message_en: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_evidence(self) -> dict[str, Any]:
        return {**self.evidence, "failure": self.kind.value, "message_en": self.message_en}


# ---- sanitising ----------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def printable(value: object, limit: int = 120) -> str:
    """Device text made safe to show: control and format characters dropped, spaces collapsed, cut."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else str(value)
    kept = "".join(
        ch if ch.isprintable() and ch != "\ufffd" else " "
        for ch in text[: limit * 4]
        if unicodedata.category(ch) != "Cf"
    )
    kept = _SPACE.sub(" ", kept).strip()
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(n / 1024))} KB"


# ---- messages ------------------------------------------------------------------------------------


def _messages(kind: FailureKind, what: str, d: dict[str, Any]) -> tuple[str, str]:
    call_tr = f"{what}: " if what else ""
    call_en = f"{what}: " if what else ""
    status = d.get("http_status")
    dtd = d.get("reason") == "dtd"
    fault = f" ({d['fault']})." if d.get("fault") else "."
    if kind is FailureKind.TIMEOUT:
        s = f"{d.get('timeout_s', 0):g}".replace(".", ",")
        return (
            f"{call_tr}Cihaz {s} sn içinde yanıt vermedi.",
            f"{call_en}The device did not answer within {d.get('timeout_s', 0):g} s.",
        )
    if kind is FailureKind.DEADLINE:
        s = f"{d.get('deadline_s', 0):g}"
        return (
            f"{call_tr}Teşhis için ayrılan toplam süre ({s.replace('.', ',')} sn) doldu; cihaz çok yavaş "
            "yanıt veriyor.",
            f"{call_en}The overall diagnosis deadline ({s} s) ran out; the device answers too slowly.",
        )
    table: dict[FailureKind, tuple[str, str]] = {
        FailureKind.CONNECTION_REFUSED: (
            "Cihaz bağlantıyı reddetti (bu portta hizmet yok).",
            "The device refused the connection (no service on this port).",
        ),
        FailureKind.CONNECTION_LOST: (
            "Cihaz bağlantıyı yanıt vermeden kapattı.",
            "The device closed the connection without answering.",
        ),
        FailureKind.UNREACHABLE: (
            "Cihaza ağ üzerinden ulaşılamadı.",
            "The device could not be reached over the network.",
        ),
        FailureKind.DNS: (
            "Cihaz adresi çözümlenemedi: adres yanlış ya da DNS erişilemiyor.",
            "The device address could not be resolved: wrong address or DNS unreachable.",
        ),
        FailureKind.TLS: (
            "Cihazla güvenli (TLS/HTTPS) bağlantı kurulamadı: sertifika ya da şifreleme hatası.",
            "No secure (TLS/HTTPS) connection to the device: certificate or encryption error.",
        ),
        FailureKind.REDIRECT_REFUSED: (
            f"Cihaz isteği başka bir adrese yönlendirdi (HTTP {status}); güvenlik için yönlendirme "
            "izlenmedi.",
            f"The device redirected the request (HTTP {status}); the redirect was refused for safety.",
        ),
        FailureKind.TOO_LARGE: (
            f"Cihazın yanıtı {_size(int(d.get('limit', 0)))} sınırını aştı; okuma durduruldu.",
            f"The device's answer exceeded the {_size(int(d.get('limit', 0)))} limit; reading stopped.",
        ),
        FailureKind.BAD_XML: (
            "Cihazın yanıtı geçerli bir XML/SOAP belgesi değil "
            + ("(DTD/varlık bildirimi içeriyor, reddedildi)." if dtd else "(bozuk ya da yarım kalmış)."),
            "The device's answer is not a valid XML/SOAP document "
            + ("(it carries a DTD/entity declarations, refused)." if dtd else "(malformed or truncated)."),
        ),
        FailureKind.EMPTY_ANSWER: (
            f"Cihaz boş yanıt döndürdü (HTTP {status}).",
            f"The device returned an empty answer (HTTP {status}).",
        ),
        FailureKind.HTTP_ERROR: (
            f"Cihaz HTTP {status} hatası döndürdü.",
            f"The device answered with HTTP error {status}.",
        ),
        FailureKind.CREDENTIALS_REFUSED: (
            "Kullanıcı adı/parola kabul edilmedi.",
            "The username/password was refused.",
        ),
        FailureKind.SOAP_FAULT: (
            f"Cihaz isteği bir SOAP hatasıyla reddetti{fault}",
            f"The device refused the request with a SOAP fault{fault}",
        ),
        FailureKind.NOT_SUPPORTED: (
            "Cihaz bu işlemi desteklemiyor.",
            "The device does not support this operation.",
        ),
        FailureKind.ADDRESS_REFUSED: (
            f"{d.get('address', 'Bu adres')} adresi {d.get('range', 'izin verilmeyen')} aralığında ya da "
            "cihazın kendi adresi değil; Saha bu adrese bağlanmaz.",
            f"Address {d.get('address', '?')} is in the {d.get('range', 'refused')} range or is not the "
            "device's own address; Saha does not connect there.",
        ),
        FailureKind.UNEXPECTED: (
            "Beklenmeyen bir yazılım hatası oluştu; ayrıntı sunucu günlüğünde.",
            "An unexpected software error occurred; see the server log.",
        ),
    }
    tr, en = table[kind]
    return call_tr + tr, call_en + en


# ---- the classifier ------------------------------------------------------------------------------

_AIOHTTP_LOST = (
    "ServerDisconnectedError",
    "ClientConnectionResetError",
    "ClientPayloadError",
    "ServerConnectionError",
    "ClientOSError",
)


_CONNECTION_LOST = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


def _kind_of(exc: BaseException, details: dict[str, Any]) -> FailureKind:
    """The kind of ``exc`` (``details`` gains what the messages cite): our own failures, then
    the device's SOAP answers, the network, and answers that are no valid SOAP, in that order."""
    from backend.integrations.onvif import _soap

    if isinstance(exc, FailureError):
        details.update(exc.details)
        return exc.kind
    exc = _soap.unwrap(exc)
    if isinstance(exc, FailureError):
        details.update(exc.details)
        return exc.kind
    if isinstance(exc, TimeoutError):
        return FailureKind.TIMEOUT
    for judge in (_soap_kind, _network_kind, _answer_kind):
        kind = judge(exc, details)
        if kind is not None:
            return kind
    return FailureKind.UNEXPECTED


def _soap_kind(exc: BaseException, details: dict[str, Any]) -> FailureKind | None:
    """The device answered with a SOAP fault (or an HTTP refusal of the credentials)."""
    from backend.integrations.onvif import _soap

    if _soap.is_auth_error(exc):
        status = _soap.http_status(exc)
        if status is not None:
            details["http_status"] = status
        return FailureKind.CREDENTIALS_REFUSED
    if _soap.is_unsupported(exc):
        return FailureKind.NOT_SUPPORTED
    if _soap.is_fault(exc):
        codes = _soap.fault_subcodes(exc)
        reason = printable(getattr(exc, "message", "") or "", 120)
        details["fault"] = printable(", ".join(codes), 80) if codes else reason
        return FailureKind.SOAP_FAULT
    return None


def _network_kind(exc: BaseException, _details: dict[str, Any]) -> FailureKind | None:
    """No answer: TLS, name resolution, a refused, failed or lost connection."""
    name = type(exc).__name__
    # certificate and TLS errors (aiohttp's wrap ssl.SSLError and are OSErrors themselves)
    if isinstance(exc, ssl.SSLError) or "SSL" in name or "Certificate" in name:
        return FailureKind.TLS
    if isinstance(exc, socket.gaierror):
        return FailureKind.DNS
    if isinstance(exc, ConnectionRefusedError):
        return FailureKind.CONNECTION_REFUSED
    if name == "ClientConnectorError":  # aiohttp: could not open the connection
        cause = getattr(exc, "os_error", None)
        if isinstance(cause, ConnectionRefusedError):
            return FailureKind.CONNECTION_REFUSED
        if isinstance(cause, socket.gaierror):
            return FailureKind.DNS
        return FailureKind.UNREACHABLE
    if (
        isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError)
        or name in _AIOHTTP_LOST
    ):
        return FailureKind.CONNECTION_LOST
    if isinstance(exc, OSError):
        return FailureKind.UNREACHABLE
    return None


def _answer_kind(exc: BaseException, details: dict[str, Any]) -> FailureKind | None:
    """An answer that is no valid SOAP: broken XML, an HTTP error status, a schema mismatch."""
    from backend.integrations.onvif import _soap

    name = type(exc).__name__
    if name in ("XMLSyntaxError", "DTDForbidden", "EntitiesForbidden", "ParseError"):
        details.setdefault("reason", "dtd" if "Forbidden" in name else "syntax")
        return FailureKind.BAD_XML
    if name == "TransportError":  # zeep: an HTTP error status, or an answer zeep could not parse
        status = _soap.http_status(exc)
        if status is not None:
            details["http_status"] = status
        if "invalid XML" in str(getattr(exc, "message", "") or exc):
            details.setdefault("reason", "syntax")
            return FailureKind.BAD_XML
        return FailureKind.HTTP_ERROR
    if name in ("ValidationError", "XMLParseError", "LookupError", "UnexpectedElementError"):
        details.setdefault("reason", "schema")
        return FailureKind.BAD_XML
    return None


def classify(exc: BaseException, *, what: str = "") -> Failure:
    """The kind of ``exc``, a Turkish and an English sentence, and evidence without device bytes."""
    details: dict[str, Any] = {}
    kind = _kind_of(exc, details)
    if isinstance(exc, CallTimeoutError) and not what:
        what = exc.what
    tr, en = _messages(kind, printable(what, 60), details)
    evidence: dict[str, Any] = {"error": type(exc).__name__}
    evidence.update({k: v for k, v in details.items() if v is None or isinstance(v, str | int | float)})
    if what:
        evidence.setdefault("call", printable(what, 60))
    return Failure(kind, tr, en, evidence)


__all__ = [
    "CallTimeoutError",
    "DeadlineExceededError",
    "Failure",
    "FailureError",
    "FailureKind",
    "classify",
    "printable",
]
