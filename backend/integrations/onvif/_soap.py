"""The edge to onvif-zeep-async and zeep: a quiet import, error classification, plain data.

onvif-zeep-async calls ``logging.basicConfig(level=INFO)`` when imported, which would give an
application without its own logging set-up a root handler at INFO — every library's chatter on
stderr. It is imported here, lazily, with ``basicConfig`` disabled for the duration of the import.
The library raises authentication failures as ``zeep.exceptions.Fault`` (a ``ter:NotAuthorized``
subcode, or only a reason text such as "Sender not authorized") or as a ``TransportError`` with
HTTP 401; :func:`is_auth_error` recognises all of them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_IMPORT_LOCK = threading.Lock()

NS_DEVICE = "http://www.onvif.org/ver10/device/wsdl"
NS_MEDIA = "http://www.onvif.org/ver10/media/wsdl"
NS_PTZ = "http://www.onvif.org/ver20/ptz/wsdl"
NS_SEARCH = "http://www.onvif.org/ver10/search/wsdl"
NS_RECORDING = "http://www.onvif.org/ver10/recording/wsdl"

_AUTH_SUBCODES = frozenset(
    {"NotAuthorized", "FailedAuthentication", "InvalidSecurity", "SenderNotAuthorized"}
)
_AUTH_TEXT = re.compile(
    r"not\s*authori[sz]ed|unauthori[sz]ed|authenticat|access\s*denied|forbidden|\b401\b", re.I
)
_UNSUPPORTED_SUBCODES = frozenset({"ActionNotSupported", "NotSupported", "NoSuchService", "UnknownAction"})
_UNSUPPORTED_TEXT = re.compile(
    r"not\s*(?:supported|implemented)|unsupported|unknown\s*(?:action|operation|method)|no\s*such", re.I
)
_SECRET_QUERY_KEYS = frozenset(
    {"user", "username", "usr", "pass", "password", "pwd", "passwd", "auth", "token"}
)


@contextlib.contextmanager
def _basic_config_disabled() -> Iterator[None]:
    with _IMPORT_LOCK:
        original = logging.basicConfig
        logging.basicConfig = lambda *args, **kwargs: None
        try:
            yield
        finally:
            logging.basicConfig = original


def onvif_camera_class() -> Any:
    """``onvif.ONVIFCamera``, imported without touching the root logger."""
    if "onvif.client" not in sys.modules:
        with _basic_config_disabled():
            import onvif.client  # noqa: F401  (imported for its side effect on sys.modules)
    return sys.modules["onvif.client"].ONVIFCamera


def onvif_error_class() -> type[Exception]:
    onvif_camera_class()
    error: type[Exception] = sys.modules["onvif.exceptions"].ONVIFError
    return error


def fault_subcodes(exc: BaseException) -> list[str]:
    subcodes = getattr(exc, "subcodes", None) or []
    names = []
    for code in subcodes:
        text = getattr(code, "localname", None) or str(code)
        names.append(text.rsplit("}", 1)[-1].rsplit(":", 1)[-1])
    return names


def _fault_text(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message if message is not None else exc)


def http_status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
    return status if isinstance(status, int) and status > 0 else None


def is_fault(exc: BaseException) -> bool:
    from zeep.exceptions import Fault

    return isinstance(exc, Fault)


def unwrap(exc: BaseException) -> BaseException:
    """The error onvif-zeep-async wrapped in ``ONVIFError`` (raised while building a request)."""
    while type(exc).__name__ == "ONVIFError" and exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


_unwrap = unwrap


def is_auth_error(exc: BaseException) -> bool:
    """A refused credential, however the device says it."""
    from zeep.exceptions import Fault, TransportError

    exc = _unwrap(exc)

    if getattr(exc, "kind", None) == "credentials_refused":  # _failures.FailureError
        return True
    if isinstance(exc, TransportError):
        return http_status(exc) in (401, 403)
    if isinstance(exc, Fault):
        if _AUTH_SUBCODES.intersection(fault_subcodes(exc)):
            return True
        return bool(_AUTH_TEXT.search(_fault_text(exc)))
    if _AUTH_SUBCODES.intersection(_codes(exc)):  # recording.RecordingServiceError carries .codes
        return True
    name = type(exc).__name__
    return name == "ONVIFAuthError" or (name == "ONVIFError" and bool(_AUTH_TEXT.search(str(exc))))


def is_unsupported(exc: BaseException) -> bool:
    """The device does not implement the operation or service (not a malfunction)."""
    exc = _unwrap(exc)
    if is_fault(exc):
        if _UNSUPPORTED_SUBCODES.intersection(fault_subcodes(exc)):
            return True
        return bool(_UNSUPPORTED_TEXT.search(_fault_text(exc)))
    name = type(exc).__name__
    if name == "RecordingServiceUnsupported" or _UNSUPPORTED_SUBCODES.intersection(_codes(exc)):
        return True
    # onvif-zeep-async: "Device doesn`t support service: media with namespace ..."
    return name == "ONVIFError" and "support service" in str(exc)


def _codes(exc: BaseException) -> list[str]:
    codes = getattr(exc, "codes", None)
    return [str(c) for c in codes] if isinstance(codes, list | tuple) else []


def describe_error(exc: BaseException, *, secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    """JSON-able evidence for an exception; never carries a password or URL credentials."""
    detail = _fault_text(exc) if is_fault(exc) else str(exc)
    detail = detail.split("\nContent: ", 1)[0]  # zeep appends the raw answer to its parse errors
    detail = "".join(ch if ch.isprintable() else " " for ch in detail[:600])
    evidence: dict[str, Any] = {"error": type(exc).__name__, "detail": scrub(detail, secrets)[:300]}
    subcodes = fault_subcodes(exc) or _codes(exc)
    if subcodes:
        evidence["subcodes"] = subcodes
    status = http_status(exc)
    if status is not None:
        evidence["http_status"] = status
    return evidence


_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]*@", re.I)


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove URL user-info and any known secret from free text."""
    text = _URL_USERINFO.sub(r"\g<scheme>", text)
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
        elif secret:  # a very short secret would match inside ordinary words: only as a whole token
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", "***", text)
    return text


def strip_credentials(url: str) -> str:
    """The URL without user-info and with credential-like query values masked."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode(
                [(k, "***" if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in pairs], safe="*/:"
            )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return _URL_USERINFO.sub(r"\g<scheme>", url)


def plain(obj: Any) -> Any:
    """A zeep response as plain dicts and lists."""
    from zeep.helpers import serialize_object

    return serialize_object(obj, dict)  # type: ignore[no-untyped-call]


def jsonable(value: Any, *, max_str: int = 300, max_items: int = 50, depth: int = 0) -> Any:
    """Evidence-safe copy: JSON types only, long strings and lists cut, depth bounded."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        return value if len(value) <= max_str else value[: max_str - 1] + "…"
    if isinstance(value, Enum):
        return jsonable(value.value, max_str=max_str)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | bytearray):
        return {"bytes": len(value)}
    if depth >= 6:
        return str(value)[:max_str]
    if isinstance(value, dict):
        return {
            str(k)[:80]: jsonable(v, max_str=max_str, max_items=max_items, depth=depth + 1)
            for k, v in list(value.items())[:max_items]
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [
            jsonable(v, max_str=max_str, max_items=max_items, depth=depth + 1)
            for v in list(value)[:max_items]
        ]
    return jsonable(str(value), max_str=max_str)
