"""Recording retention through the ONVIF recording search service (Profile G).

Directive 9 asks recorders to keep at least 20 days of footage and directive 12(1) a weekly check
that every system still records. Both come out of the search service: ``GetRecordingSummary``
gives the oldest and newest recorded data of the whole device, ``FindRecordings`` +
``GetRecordingSearchResults`` the same per recording (usually one per channel/camera) with its
status.

Two entry points:

- ``parse_recording_summary`` / ``parse_search_results`` read raw SOAP responses (recorded
  fixtures, or a transport that hands over bytes). Parsing is namespace-tolerant for the payload
  (matched by local name under the SOAP Body: NVR firmware gets payload namespaces wrong) and
  safe for untrusted input (no DTD, no entity expansion, no network).
- ``recorder_retention`` drives an ``onvif-zeep-async`` camera and converts zeep's objects to
  the same ``RecordingInfo``.

All datetimes returned are timezone-aware UTC. Timestamps without an offset are taken as UTC (ONVIF
devices keep UTC); timestamps before 2000 are treated as "unknown" because firmware reports
1970-01-01 as a placeholder when the disk holds nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import zeep.exceptions
from lxml import etree

__all__ = [
    "RecordingInfo",
    "RecordingServiceError",
    "RecordingServiceUnsupported",
    "Retention",
    "Summary",
    "parse_find_recordings",
    "parse_onvif_datetime",
    "parse_recording_summary",
    "parse_search_results",
    "recorder_retention",
    "retention_from",
    "stale_recordings",
]

log = logging.getLogger(__name__)

_SOAP_ENVELOPES = (
    "{http://www.w3.org/2003/05/soap-envelope}Envelope",
    "{http://schemas.xmlsoap.org/soap/envelope/}Envelope",
)
# Fault subcodes meaning "this device has no such operation/service" rather than "it failed";
# faults without any of these codes count as unsupported when their reason says so.
_UNSUPPORTED_CODES = frozenset({"ActionNotSupported", "NotSupported", "UnknownAction", "NoSuchService"})
_UNSUPPORTED_REASON = re.compile(
    r"not\s*(?:supported|implemented)|unknown\s*(?:action|operation|method)", re.I
)
_AUTH_CODES = frozenset({"NotAuthorized", "FailedAuthentication", "InvalidSecurity"})
_UNSUPPORTED_HTTP = frozenset({404, 405, 501})
_TERMINAL_STATES = frozenset({"Completed", "Unknown"})
_PLACEHOLDER_BEFORE = datetime(2000, 1, 1, tzinfo=UTC)

DEFAULT_STALE_AFTER = timedelta(minutes=30)

Summary = tuple[datetime | None, datetime | None, int]
"""(DataFrom, DataUntil, NumberRecordings) of ``GetRecordingSummary``."""


class RecordingServiceError(Exception):
    """The search service answered with a SOAP fault or something that is not a valid answer.

    ``codes`` holds the fault code and subcodes by local name (e.g. ``("Sender",
    "NotAuthorized")``) when the cause was a fault.
    """

    def __init__(self, message: str, *, codes: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.codes: tuple[str, ...] = tuple(codes)


class RecordingServiceUnsupported(RecordingServiceError):  # noqa: N818 - the name the callers use
    """The device has no recording search service (no XAddr, ter:ActionNotSupported, ...)."""


@dataclass(frozen=True)
class RecordingInfo:
    """One recording of a recorder, usually one channel."""

    token: str
    source: str | None  # Source/Name, else SourceId, Address or Description
    earliest: datetime | None  # EarliestRecording, else the earliest Track DataFrom
    latest: datetime | None  # LatestRecording, else the latest Track DataTo
    status: str | None  # Initiated | Recording | Stopped | Removing | Removed | Unknown


@dataclass(frozen=True)
class Retention:
    """How far back a recorder's footage goes and whether it is still recording."""

    earliest: datetime | None
    latest: datetime | None
    recordings: int
    days: float | None  # (latest - earliest) in days; None when unknown or nothing recorded
    advancing: bool | None  # latest within stale_after of now; None when latest is unknown
    per_recording: list[RecordingInfo] = field(default_factory=list)


# --------------------------------------------------------------------------- time


_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ]-?"
    r"(?P<time>\d{2}:\d{2}:\d{2})(?:[.,](?P<fraction>\d+))?"
    r"(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return None if value < _PLACEHOLDER_BEFORE else value


def parse_onvif_datetime(text: str | None) -> datetime | None:
    """An ``xs:dateTime`` as devices send it, in UTC; None when empty, unparsable or a
    pre-2000 placeholder. Accepts any number of fraction digits, ``Z``/``z`` or ``±hh[:mm]``,
    a space instead of ``T`` and the ``2025-01-01T-10:00:00`` quirk."""
    if text is None:
        return None
    match = _DATETIME.match(text.strip())
    if match is None:
        return None
    fraction = (match.group("fraction") or "")[:6].ljust(6, "0")
    zone = match.group("zone") or ""
    if zone in ("", "Z", "z"):
        offset = "+00:00"
    elif len(zone) == 3:
        offset = f"{zone}:00"
    elif ":" not in zone:
        offset = f"{zone[:3]}:{zone[3:]}"
    else:
        offset = zone
    try:
        value = datetime.fromisoformat(f"{match.group('date')}T{match.group('time')}.{fraction}{offset}")
    except ValueError:
        return None
    return _as_utc(value)


def _zeep_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, str):
        return parse_onvif_datetime(value)
    return None


# --------------------------------------------------------------------------- XML


def _safe_parse(xml: bytes | str) -> Any:
    """Parse an untrusted SOAP document: no DTD, no entity expansion, no network access;
    documents with a DOCTYPE are refused (SOAP forbids them)."""
    if isinstance(xml, str):
        # lxml refuses str input with an encoding declaration; the text is already decoded.
        xml = re.sub(r"^\s*<\?xml[^>]*\?>", "", xml, count=1).encode("utf-8")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise RecordingServiceError(f"malformed SOAP response: {exc}") from exc
    if root is None:
        raise RecordingServiceError("empty SOAP response")
    if root.getroottree().docinfo.doctype:
        raise RecordingServiceError("SOAP response with a DOCTYPE refused")
    return root


def _local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _child(element: Any | None, name: str) -> Any | None:
    if element is None:
        return None
    for child in element:
        if _local(child) == name:
            return child
    return None


def _children(element: Any | None, name: str) -> list[Any]:
    if element is None:
        return []
    return [child for child in element if _local(child) == name]


def _text(element: Any | None) -> str | None:
    """Stripped text content; None for a missing or empty element."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _code_name(value: str | None) -> str | None:
    """``ter:ActionNotSupported`` / ``{ns}ActionNotSupported`` -> ``ActionNotSupported``."""
    if not value:
        return None
    return value.strip().rpartition("}")[2].rpartition(":")[2] or None


def _raise_fault(fault: Any) -> NoReturn:
    codes: list[str] = []
    # SOAP 1.2: Code/Value, Code/Subcode/Value, nested Subcodes.
    level = _child(fault, "Code")
    while level is not None:
        name = _code_name(_text(_child(level, "Value")))
        if name:
            codes.append(name)
        level = _child(level, "Subcode")
    reason = _text(_child(_child(fault, "Reason"), "Text"))
    # SOAP 1.1: faultcode / faultstring.
    legacy = _code_name(_text(_child(fault, "faultcode")))
    if legacy:
        codes.append(legacy)
    reason = reason or _text(_child(fault, "faultstring")) or "SOAP fault"
    _raise_for_codes(codes, reason)


def _raise_for_codes(codes: list[str], reason: str) -> NoReturn:
    label = "/".join(codes) or "no code"
    unsupported = bool(_UNSUPPORTED_CODES.intersection(codes)) or (
        not _AUTH_CODES.intersection(codes) and bool(_UNSUPPORTED_REASON.search(reason))
    )
    if unsupported:
        raise RecordingServiceUnsupported(f"recording search not supported ({label}): {reason}", codes=codes)
    raise RecordingServiceError(f"SOAP fault {label}: {reason}", codes=codes)


def _response(xml: bytes | str, name: str) -> Any:
    """The ``name`` element in the Body; raises for faults and anything else."""
    root = _safe_parse(xml)
    if root.tag not in _SOAP_ENVELOPES:
        raise RecordingServiceError(f"not a SOAP envelope: {root.tag}")
    body = _child(root, "Body")
    if body is None:
        raise RecordingServiceError("SOAP envelope without a Body")
    fault = _child(body, "Fault")
    if fault is not None:
        _raise_fault(fault)
    response = _child(body, name)
    if response is None:
        found = ", ".join(_local(child) for child in body) or "nothing"
        raise RecordingServiceError(f"expected {name}, got {found}")
    return response


# --------------------------------------------------------------------------- parsing


def parse_recording_summary(xml: bytes | str) -> Summary:
    """``GetRecordingSummaryResponse`` -> (DataFrom, DataUntil, NumberRecordings).

    Raises ``RecordingServiceUnsupported`` for ter:ActionNotSupported-like faults and
    ``RecordingServiceError`` for other faults or malformed answers."""
    summary = _child(_response(xml, "GetRecordingSummaryResponse"), "Summary")
    if summary is None:
        raise RecordingServiceError("GetRecordingSummaryResponse without a Summary")
    return (
        parse_onvif_datetime(_text(_child(summary, "DataFrom"))),
        parse_onvif_datetime(_text(_child(summary, "DataUntil"))),
        _count(_text(_child(summary, "NumberRecordings"))),
    )


def parse_find_recordings(xml: bytes | str) -> str:
    """``FindRecordingsResponse`` -> the SearchToken."""
    token = _text(_child(_response(xml, "FindRecordingsResponse"), "SearchToken"))
    if token is None:
        raise RecordingServiceError("FindRecordingsResponse without a SearchToken")
    return token


def parse_search_results(xml: bytes | str) -> tuple[list[RecordingInfo], str | None]:
    """``GetRecordingSearchResultsResponse`` -> (recordings of this round, SearchState)."""
    results = _child(_response(xml, "GetRecordingSearchResultsResponse"), "ResultList")
    if results is None:
        raise RecordingServiceError("GetRecordingSearchResultsResponse without a ResultList")
    items: list[RecordingInfo] = []
    for item in _children(results, "RecordingInformation"):
        source = _child(item, "Source")
        info = _make_info(
            token=_text(_child(item, "RecordingToken")),
            source=[_text(_child(source, name)) for name in ("Name", "SourceId", "Address", "Description")],
            earliest=parse_onvif_datetime(_text(_child(item, "EarliestRecording"))),
            latest=parse_onvif_datetime(_text(_child(item, "LatestRecording"))),
            tracks=[
                (
                    parse_onvif_datetime(_text(_child(track, "DataFrom"))),
                    parse_onvif_datetime(_text(_child(track, "DataTo"))),
                )
                for track in _children(item, "Track")
            ],
            status=_text(_child(item, "RecordingStatus")),
        )
        if info is not None:
            items.append(info)
    return items, _text(_child(results, "SearchState"))


def _count(text: str | None) -> int:
    if text is None:
        return 0
    try:
        return max(0, int(text))
    except ValueError as exc:
        raise RecordingServiceError(f"NumberRecordings is not a number: {text!r}") from exc


def _make_info(
    *,
    token: str | None,
    source: list[str | None],
    earliest: datetime | None,
    latest: datetime | None,
    tracks: list[tuple[datetime | None, datetime | None]],
    status: str | None,
) -> RecordingInfo | None:
    if not token:
        log.debug("RecordingInformation without a RecordingToken skipped")
        return None
    starts = [start for start, _ in tracks if start is not None]
    ends = [end for _, end in tracks if end is not None]
    return RecordingInfo(
        token=token,
        source=next((value for value in source if value), None),
        earliest=earliest if earliest is not None else min(starts, default=None),
        latest=latest if latest is not None else max(ends, default=None),
        status=status or None,
    )


# --------------------------------------------------------------------------- zeep


def _zeep_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _summary_from_zeep(summary: Any) -> Summary:
    if summary is None:
        raise RecordingServiceError("GetRecordingSummary returned nothing")
    number = getattr(summary, "NumberRecordings", None)
    return (
        _zeep_datetime(getattr(summary, "DataFrom", None)),
        _zeep_datetime(getattr(summary, "DataUntil", None)),
        _count(None if number is None else str(number)),
    )


def _info_from_zeep(item: Any) -> RecordingInfo | None:
    source = getattr(item, "Source", None)
    return _make_info(
        token=_zeep_str(getattr(item, "RecordingToken", None)),
        source=[
            _zeep_str(getattr(source, name, None)) for name in ("Name", "SourceId", "Address", "Description")
        ],
        earliest=_zeep_datetime(getattr(item, "EarliestRecording", None)),
        latest=_zeep_datetime(getattr(item, "LatestRecording", None)),
        tracks=[
            (_zeep_datetime(getattr(track, "DataFrom", None)), _zeep_datetime(getattr(track, "DataTo", None)))
            for track in getattr(item, "Track", None) or []
        ],
        status=_zeep_str(getattr(item, "RecordingStatus", None)),
    )


def _results_from_zeep(results: Any) -> tuple[list[RecordingInfo], str | None]:
    if results is None:
        raise RecordingServiceError("GetRecordingSearchResults returned nothing")
    items = [_info_from_zeep(item) for item in getattr(results, "RecordingInformation", None) or []]
    return [item for item in items if item is not None], _zeep_str(getattr(results, "SearchState", None))


def _fault_codes(fault: zeep.exceptions.Fault) -> list[str]:
    codes: list[str] = []
    for value in [fault.code, *(fault.subcodes or [])]:
        if value is None:
            continue
        name = _code_name(getattr(value, "localname", None) or str(value))
        if name:
            codes.append(name)
    return codes


def _is_onvif_error(exc: BaseException) -> bool:
    """``onvif.exceptions.ONVIFError``, recognised without importing ``onvif``: its import calls
    ``logging.basicConfig`` (see ``_soap``)."""
    return any(
        cls.__name__ == "ONVIFError" and cls.__module__ == "onvif.exceptions" for cls in type(exc).__mro__
    )


async def _call(operation: Any, params: dict[str, Any] | None, seconds: float) -> Any:
    """One SOAP call, with zeep's faults and HTTP errors mapped to ours."""
    try:
        async with asyncio.timeout(seconds):
            return await operation(params)
    except zeep.exceptions.Fault as fault:
        _raise_for_codes(_fault_codes(fault), str(fault.message or "SOAP fault"))
    except zeep.exceptions.TransportError as exc:
        if exc.status_code in _UNSUPPORTED_HTTP:
            raise RecordingServiceUnsupported(
                f"recording search not supported (HTTP {exc.status_code})"
            ) from exc
        raise RecordingServiceError(f"search service HTTP error {exc.status_code}: {exc.message}") from exc
    except zeep.exceptions.Error as exc:  # unparsable or schema-violating answers
        raise RecordingServiceError(f"invalid answer from the search service: {exc}") from exc


# --------------------------------------------------------------------------- retention


def retention_from(
    summary: Summary,
    recordings: list[RecordingInfo],
    now: datetime,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> Retention:
    """Combine the device summary with the per-recording results.

    The summary's DataFrom/DataUntil win; when missing, the earliest/latest of the recordings
    stand in. ``days`` is None with no recordings, an unknown end or an end before the start.
    ``advancing`` is True when the newest data is at most ``stale_after`` old (data stamped in
    the future, from a clock running ahead, counts as advancing: clock drift is a separate check).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    data_from, data_until, number = summary
    earliest = _as_utc(data_from)
    latest = _as_utc(data_until)
    if earliest is None:
        earliest = min((r.earliest for r in recordings if r.earliest is not None), default=None)
    if latest is None:
        latest = max((r.latest for r in recordings if r.latest is not None), default=None)
    count = max(number, len(recordings))
    days: float | None = None
    if count > 0 and earliest is not None and latest is not None and latest >= earliest:
        days = (latest - earliest).total_seconds() / 86_400
    advancing = None if latest is None else now - latest <= stale_after
    return Retention(
        earliest=earliest,
        latest=latest,
        recordings=count,
        days=days,
        advancing=advancing,
        per_recording=list(recordings),
    )


def stale_recordings(
    recordings: Iterable[RecordingInfo], now: datetime, stale_after: timedelta = DEFAULT_STALE_AFTER
) -> list[RecordingInfo]:
    """The recordings (channels) whose newest data is older than ``stale_after`` or unknown:
    the cameras a recorder has stopped recording although the recorder as a whole advances."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return [r for r in recordings if r.latest is None or now - r.latest > stale_after]


async def recorder_retention(
    cam: Any,
    now: datetime,
    *,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    timeout: float = 8.0,  # noqa: ASYNC109 - a per-call bound, not the caller's deadline
    max_rounds: int = 20,
    keep_alive: str = "PT10S",
) -> Retention:
    """Retention of a recorder through its search service.

    ``cam`` is an ``onvif.ONVIFCamera`` after ``update_xaddrs()``. ``timeout`` bounds each SOAP
    call (``TimeoutError``); ``max_rounds`` bounds the GetRecordingSearchResults loop, after
    which the recordings found so far are used. The search session is always ended (EndSearch).

    Raises ``RecordingServiceUnsupported`` when the device has no search service,
    ``RecordingServiceError`` for other faults; network errors (aiohttp) propagate as they are.
    """
    try:
        service = await cam.create_search_service()
    except Exception as exc:
        if not _is_onvif_error(exc):
            raise
        # onvif-zeep-async: "Device doesn`t support service: search with namespace ..."
        if "support service" in str(exc):
            raise RecordingServiceUnsupported(f"no recording search service: {exc}") from exc
        raise RecordingServiceError(f"search service not usable: {exc}") from exc

    summary: Summary | None
    try:
        summary = _summary_from_zeep(await _call(service.GetRecordingSummary, None, timeout))
    except RecordingServiceUnsupported:
        # Some recorders implement FindRecordings without the (mandatory) summary; the search
        # tells for itself whether it is supported.
        summary = None

    recordings = await _search_recordings(service, timeout, max_rounds, keep_alive)
    if summary is None:
        summary = (None, None, len(recordings))
    return retention_from(summary, recordings, now, stale_after)


async def _search_recordings(
    service: Any, seconds: float, max_rounds: int, keep_alive: str
) -> list[RecordingInfo]:
    token = _zeep_str(
        await _call(service.FindRecordings, {"Scope": {}, "KeepAliveTime": keep_alive}, seconds)
    )
    if token is None:
        raise RecordingServiceError("FindRecordings returned no SearchToken")
    wait = f"PT{max(0, min(5, int(seconds / 2)))}S"  # the device waits at most this long for results
    found: dict[str, RecordingInfo] = {}
    try:
        for _ in range(max_rounds):
            items, state = _results_from_zeep(
                await _call(
                    service.GetRecordingSearchResults,
                    {"SearchToken": token, "MaxResults": 100, "WaitTime": wait},
                    seconds,
                )
            )
            for item in items:
                found.setdefault(item.token, item)
            if state in _TERMINAL_STATES:
                break
        else:
            log.warning(
                "recording search not completed after %d rounds; %d recordings", max_rounds, len(found)
            )
    finally:
        with contextlib.suppress(Exception):
            await _call(service.EndSearch, {"SearchToken": token}, min(seconds, 2.0))
    return list(found.values())
