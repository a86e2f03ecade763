"""Is there an ONVIF device service at this address? One unauthenticated SOAP request, read by hand.

``GetSystemDateAndTime`` is the one call ONVIF devices must answer before authentication, so the
answer tells both "this is ONVIF" and the device clock. It is sent with aiohttp rather than
through zeep because zeep's view of a non-SOAP answer is unreliable (an HTML 404 page can come
back as "Unknown fault" or as an ``AttributeError``); here the HTTP status, the content and the
parsed envelope are all visible. Redirects are refused (``redirect_refused``), the body read is
capped (``answer_too_large`` past the cap), and a document carrying a DTD is refused
(``bad_xml``) before the XML parser, which resolves no entities, sees it.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from backend.integrations.onvif._failures import FailureError, FailureKind

MAX_BODY = 256 * 1024
ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>'
    "</s:Body></s:Envelope>"
)
ACTION = "http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime"


@dataclass(frozen=True)
class Probe:
    status: int
    soap: bool  # the answer is a SOAP envelope
    time: dict[str, Any] | None  # SystemDateAndTime as plain dicts (ONVIF element names)
    fault: dict[str, Any] | None = None  # code, subcodes, reason
    http_date: str | None = None
    content_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    bad_xml: bool = False  # it meant to be XML (declaration or envelope) but does not parse


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: ET.Element | None, *path: str) -> str | None:
    for name in path:
        element = _child(element, name)
    return element.text.strip() if element is not None and element.text else None


def _datetime(element: ET.Element | None) -> dict[str, Any] | None:
    if element is None:
        return None
    date, time = _child(element, "Date"), _child(element, "Time")
    return {
        "Date": {k: _text(date, k) for k in ("Year", "Month", "Day")},
        "Time": {k: _text(time, k) for k in ("Hour", "Minute", "Second")},
    }


def _parse(body: bytes) -> ET.Element | None:
    if has_dtd(body):
        return None  # a SOAP answer never carries a DTD; refuse rather than expand entities
    try:
        return ET.fromstring(body)  # noqa: S314  (see above)
    except ET.ParseError:
        return None


def _looks_like_xml(body: bytes) -> bool:
    head = body[:512].lstrip()
    return head.startswith(b"<?xml") or b"Envelope" in head


def read_answer(status: int, body: bytes, http_date: str | None = None, content_type: str = "") -> Probe:
    root = _parse(body)
    if root is None or _local(root.tag) != "Envelope":
        bad = root is None and _looks_like_xml(body)
        return Probe(status, False, None, http_date=http_date, content_type=content_type, bad_xml=bad)
    fault = next((e for e in root.iter() if _local(e.tag) == "Fault"), None)
    if fault is not None:
        code = _child(fault, "Code")
        subcodes = []
        sub = _child(code, "Subcode")
        while sub is not None:
            value = _text(sub, "Value")
            if value:
                subcodes.append(value.rsplit(":", 1)[-1])
            sub = _child(sub, "Subcode")
        details = {
            "code": _text(code, "Value") or _text(fault, "faultcode"),
            "subcodes": subcodes,
            "reason": _text(fault, "Reason", "Text") or _text(fault, "faultstring"),
        }
        return Probe(status, True, None, fault=details, http_date=http_date, content_type=content_type)
    found = next((e for e in root.iter() if _local(e.tag) == "SystemDateAndTime"), None)
    if found is None:
        return Probe(status, True, None, http_date=http_date, content_type=content_type)
    time = {
        "DateTimeType": _text(found, "DateTimeType"),
        "DaylightSavings": _text(found, "DaylightSavings"),
        "TimeZone": {"TZ": _text(found, "TimeZone", "TZ")},
        "UTCDateTime": _datetime(_child(found, "UTCDateTime")),
        "LocalDateTime": _datetime(_child(found, "LocalDateTime")),
    }
    return Probe(status, True, time, http_date=http_date, content_type=content_type)


def has_dtd(body: bytes) -> bool:
    return b"<!DOCTYPE" in body[:2048].upper() or b"<!ENTITY" in body.upper()


async def probe(url: str, *, connect_timeout: float, total_timeout: float, max_body: int = MAX_BODY) -> Probe:
    """POST an unauthenticated GetSystemDateAndTime to ``url`` and read what comes back.

    Raises ``FailureError`` for a redirect, an answer over ``max_body`` bytes and an answer
    with a DTD; network errors and ``TimeoutError`` propagate as they are.
    """
    timeout = aiohttp.ClientTimeout(
        total=total_timeout, connect=connect_timeout, sock_connect=connect_timeout
    )
    headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{ACTION}"'}
    connector = aiohttp.TCPConnector(ssl=False, limit=1)
    async with (
        aiohttp.ClientSession(timeout=timeout, connector=connector) as session,
        session.post(url, data=ENVELOPE.encode(), headers=headers, allow_redirects=False) as response,
    ):
        if 300 <= response.status < 400:
            location = urlsplit(response.headers.get("Location", "")).hostname or ""
            raise FailureError(
                FailureKind.REDIRECT_REFUSED, http_status=response.status, location_host=location[:100]
            )
        declared = response.content_length
        if declared is not None and declared > max_body:
            raise FailureError(FailureKind.TOO_LARGE, limit=max_body, declared=declared)
        body = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > max_body:
                raise FailureError(FailureKind.TOO_LARGE, limit=max_body)
        status, date, content_type = response.status, response.headers.get("Date"), response.content_type
    # parsed in a worker thread: up to max_body bytes of XML must not hold up the event loop
    return await asyncio.to_thread(_judge, status, bytes(body), date, content_type)


def _judge(status: int, body: bytes, http_date: str | None, content_type: str) -> Probe:
    if has_dtd(body):
        raise FailureError(FailureKind.BAD_XML, reason="dtd", http_status=status)
    return read_answer(status, body, http_date, content_type)
