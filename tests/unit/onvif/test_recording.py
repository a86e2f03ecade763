"""Recording retention (directive 9: >= 20 days; directive 12(1): systems still record).

No installable peer implements ONVIF Profile G, so the SOAP answers are recorded fixtures in the
styles of Hikvision (``env:``), Dahua and Uniview (gSOAP ``SOAP-ENV:``) recorders, see
tests/fixtures/onvif/README.md. ``parse_*`` read them raw; ``recorder_retention`` gets them
through the real onvif-zeep-async search service from a local HTTP server, so the objects it
converts are the ones zeep builds from those documents.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from lxml import etree
from zeep.exceptions import Fault

from backend.integrations.onvif import recording
from backend.integrations.onvif.recording import (
    RecordingInfo,
    RecordingServiceError,
    RecordingServiceUnsupported,
    parse_find_recordings,
    parse_onvif_datetime,
    parse_recording_summary,
    parse_search_results,
    recorder_retention,
    retention_from,
    stale_recordings,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "onvif" / "recording"
NOW = datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1).total_seconds()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def hik_recordings() -> list[RecordingInfo]:
    first, state1 = parse_search_results(fixture("hikvision_nvr_search_results_1.xml"))
    second, state2 = parse_search_results(fixture("hikvision_nvr_search_results_2.xml"))
    assert (state1, state2) == ("Searching", "Completed")
    return first + second


# --------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-10T11:58:02Z", utc(2025, 3, 10, 11, 58, 2)),
        ("2025-03-10T11:58:02.5Z", utc(2025, 3, 10, 11, 58, 2, 500000)),
        ("2025-03-10T11:58:02.000Z", utc(2025, 3, 10, 11, 58, 2)),
        ("2025-03-10T11:58:02.1234567Z", utc(2025, 3, 10, 11, 58, 2, 123456)),
        ("2025-03-10T14:58:02+03:00", utc(2025, 3, 10, 11, 58, 2)),
        ("2025-03-10T14:58:02.250+03:00", utc(2025, 3, 10, 11, 58, 2, 250000)),
        ("2025-03-10T14:58:02+0300", utc(2025, 3, 10, 11, 58, 2)),
        ("2025-03-10T06:58:02-05", utc(2025, 3, 10, 11, 58, 2)),
        ("2025-03-10 11:58:02z", utc(2025, 3, 10, 11, 58, 2)),
        ("2025-03-10T11:58:02", utc(2025, 3, 10, 11, 58, 2)),  # no zone: ONVIF devices keep UTC
        ("2025-03-10T-11:58:02Z", utc(2025, 3, 10, 11, 58, 2)),  # firmware quirk zeep also accepts
        ("  2025-03-10T11:58:02Z\n\t", utc(2025, 3, 10, 11, 58, 2)),
        ("1970-01-01T00:00:00Z", None),  # placeholder of an empty disk
        ("", None),
        (None, None),
        ("yesterday", None),
        ("2025-13-40T99:00:00Z", None),
    ],
)
def test_onvif_datetimes_parse_to_utc(text: str | None, expected: datetime | None) -> None:
    parsed = parse_onvif_datetime(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


# --------------------------------------------------------------------------- summary


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hikvision_nvr_summary.xml", (utc(2025, 2, 12, 6, 41, 17), utc(2025, 3, 10, 11, 58, 2), 4)),
        ("dahua_nvr_summary.xml", (utc(2025, 2, 27, 0, 0, 3), utc(2025, 3, 8, 16, 20, 41), 2)),
        (
            "uniview_nvr_summary.xml",
            (utc(2025, 2, 8, 6, 0, 0, 250000), utc(2025, 3, 10, 11, 55, 12, 500000), 1),
        ),
        ("summary_only_data_from.xml", (utc(2025, 2, 15, 10, 20, 30, 123456), None, 1)),
        ("summary_no_recordings.xml", (None, None, 0)),
        ("summary_epoch_placeholders.xml", (None, None, 0)),
    ],
)
def test_recording_summary_fixtures(name: str, expected: tuple[Any, ...]) -> None:
    assert parse_recording_summary(fixture(name)) == expected
    # the same document handed over as text (with its encoding declaration) parses the same
    assert parse_recording_summary(fixture(name).decode("utf-8")) == expected


def test_find_recordings_token() -> None:
    assert parse_find_recordings(fixture("hikvision_nvr_find_recordings.xml")) == "SearchToken_1741607998"
    assert parse_find_recordings(fixture("dahua_nvr_find_recordings.xml")) == "RecordingSearchToken_3"


# --------------------------------------------------------------------------- search results


def test_hikvision_search_results_in_two_rounds() -> None:
    recordings = hik_recordings()
    assert [r.token for r in recordings] == [
        "RecordingToken001",
        "RecordingToken002",
        "RecordingToken003",
        "RecordingToken004",
    ]
    first = recordings[0]
    assert first == RecordingInfo(
        token="RecordingToken001",
        source="Giris Kapisi",
        earliest=utc(2025, 2, 12, 6, 41, 17),
        latest=utc(2025, 3, 10, 11, 58, 2),
        status="Recording",
    )
    assert recordings[2].status == "Stopped"
    assert recordings[2].latest == utc(2025, 3, 4, 2, 13, 40)


def test_dahua_search_results_pretty_printed() -> None:
    recordings, state = parse_search_results(fixture("dahua_nvr_search_results.xml"))
    assert state == "Completed"
    assert [(r.token, r.source, r.status) for r in recordings] == [
        ("Record_000", "Channel1", "Stopped"),
        ("Record_001", "Channel2", "Stopped"),
    ]
    assert recordings[1].earliest == utc(2025, 2, 27, 0, 0, 5)


def test_uniview_results_without_earliest_latest_fall_back_to_tracks() -> None:
    recordings, state = parse_search_results(fixture("uniview_nvr_search_results.xml"))
    assert state == "Completed"
    (only,) = recordings
    # Name is empty: the SourceId names the source
    assert only.source == "http://192.168.0.13:80/onvif/device_service"
    # earliest video/audio DataFrom, latest DataTo, both given with +03:00
    assert only.earliest == utc(2025, 2, 8, 6, 0, 0, 250000)
    assert only.latest == utc(2025, 3, 10, 11, 55, 12, 500000)
    assert only.status == "Recording"


def test_empty_search_results() -> None:
    assert parse_search_results(fixture("search_results_empty.xml")) == ([], "Completed")


# --------------------------------------------------------------------------- faults and junk


def test_action_not_supported_fault_means_unsupported() -> None:
    for parse in (parse_recording_summary, parse_search_results, parse_find_recordings):
        with pytest.raises(RecordingServiceUnsupported) as caught:
            parse(fixture("fault_action_not_supported.xml"))
        assert caught.value.codes == ("Receiver", "ActionNotSupported")
        assert "Optional Action Not Implemented" in str(caught.value)


def test_not_authorized_fault_is_an_error_not_unsupported() -> None:
    with pytest.raises(RecordingServiceError) as caught:
        parse_recording_summary(fixture("dahua_fault_not_authorized.xml"))
    assert not isinstance(caught.value, RecordingServiceUnsupported)
    assert caught.value.codes == ("Sender", "NotAuthorized")


def test_soap11_fault_with_onvif_code_is_unsupported() -> None:
    xml = (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:ter="http://www.onvif.org/ver10/error"><SOAP-ENV:Body><SOAP-ENV:Fault>'
        "<faultcode>ter:ActionNotSupported</faultcode><faultstring>no search</faultstring>"
        "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    with pytest.raises(RecordingServiceUnsupported):
        parse_recording_summary(xml)


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"\x00\xff garbage",
        b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>",  # truncated
        b"<html><body>404 Not Found</body></html>",
        b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'/>",  # no Body
        fixture("hikvision_nvr_find_recordings.xml"),  # another operation's answer
        b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>"
        b"<tse:GetRecordingSummaryResponse xmlns:tse='http://www.onvif.org/ver10/search/wsdl'/>"
        b"</s:Body></s:Envelope>",  # no Summary
    ],
)
def test_malformed_answers_raise_recording_service_error(document: bytes) -> None:
    with pytest.raises(RecordingServiceError) as caught:
        parse_recording_summary(document)
    assert not isinstance(caught.value, RecordingServiceUnsupported)


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        '<tse:GetRecordingSummaryResponse xmlns:tse="http://www.onvif.org/ver10/search/wsdl" '
        'xmlns:tt="http://www.onvif.org/ver10/schema"><tse:Summary><tt:DataFrom>&x;</tt:DataFrom>'
        "<tt:NumberRecordings>1</tt:NumberRecordings></tse:Summary></tse:GetRecordingSummaryResponse>"
        "</s:Body></s:Envelope>"
    )
    with pytest.raises(RecordingServiceError) as caught:
        parse_recording_summary(xml)
    assert "TOP-SECRET" not in str(caught.value)


def test_entity_expansion_bomb_is_refused_quickly() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY l0 "lol">{entities}]>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&l9;</s:Body></s:Envelope>'
    )
    started = time.monotonic()
    with pytest.raises(RecordingServiceError):
        parse_recording_summary(xml)
    assert time.monotonic() - started < 1.0


# --------------------------------------------------------------------------- retention


def test_hikvision_retention_is_long_enough_and_advancing() -> None:
    summary = parse_recording_summary(fixture("hikvision_nvr_summary.xml"))
    retention = retention_from(summary, hik_recordings(), NOW)
    assert retention.earliest == utc(2025, 2, 12, 6, 41, 17)
    assert retention.latest == utc(2025, 3, 10, 11, 58, 2)
    assert retention.recordings == 4
    assert retention.days == pytest.approx(26 + (5 * 3600 + 16 * 60 + 45) / DAY)
    assert retention.days is not None
    assert retention.days >= 20
    assert retention.advancing is True
    assert len(retention.per_recording) == 4
    # the recorder advances but one channel stopped six days ago: the weekly check names it
    assert [r.token for r in stale_recordings(retention.per_recording, NOW)] == ["RecordingToken003"]


def test_dahua_retention_too_short_and_stopped() -> None:
    summary = parse_recording_summary(fixture("dahua_nvr_summary.xml"))
    recordings, _ = parse_search_results(fixture("dahua_nvr_search_results.xml"))
    retention = retention_from(summary, recordings, NOW)
    assert retention.days == pytest.approx(9 + (16 * 3600 + 20 * 60 + 38) / DAY)
    assert retention.advancing is False
    assert len(stale_recordings(recordings, NOW)) == 2


def test_uniview_offsets_and_fractions() -> None:
    summary = parse_recording_summary(fixture("uniview_nvr_summary.xml"))
    recordings, _ = parse_search_results(fixture("uniview_nvr_search_results.xml"))
    retention = retention_from(summary, recordings, NOW)
    assert retention.days == pytest.approx(30 + (5 * 3600 + 55 * 60 + 12.25) / DAY)
    assert retention.advancing is True  # 4 min 47.5 s behind now
    # the stale threshold decides
    assert retention_from(summary, recordings, NOW, stale_after=timedelta(minutes=4)).advancing is False
    assert retention.earliest is not None
    assert retention.earliest.tzinfo is UTC


def test_no_recordings_means_no_days() -> None:
    summary = parse_recording_summary(fixture("summary_no_recordings.xml"))
    recordings, _ = parse_search_results(fixture("search_results_empty.xml"))
    retention = retention_from(summary, recordings, NOW)
    assert (retention.recordings, retention.days, retention.advancing) == (0, None, None)
    assert (retention.earliest, retention.latest) == (None, None)


def test_epoch_placeholders_mean_unknown() -> None:
    retention = retention_from(parse_recording_summary(fixture("summary_epoch_placeholders.xml")), [], NOW)
    assert (retention.earliest, retention.latest, retention.days, retention.advancing) == (
        None,
        None,
        None,
        None,
    )


def test_only_data_from_without_recordings_leaves_end_unknown() -> None:
    summary = parse_recording_summary(fixture("summary_only_data_from.xml"))
    retention = retention_from(summary, [], NOW)
    assert retention.earliest == utc(2025, 2, 15, 10, 20, 30, 123456)
    assert (retention.latest, retention.days, retention.advancing) == (None, None, None)
    assert retention.recordings == 1


def test_only_data_from_takes_the_end_from_the_recordings() -> None:
    summary = parse_recording_summary(fixture("summary_only_data_from.xml"))
    retention = retention_from(summary, hik_recordings(), NOW)
    newest = utc(2025, 3, 10, 11, 58, 2)  # newest LatestRecording
    assert retention.latest == newest
    assert retention.days == pytest.approx(
        (newest - utc(2025, 2, 15, 10, 20, 30, 123456)).total_seconds() / DAY
    )
    assert retention.advancing is True


def test_retention_rejects_naive_now_and_accepts_any_offset() -> None:
    summary = parse_recording_summary(fixture("hikvision_nvr_summary.xml"))
    with pytest.raises(ValueError, match="timezone-aware"):
        retention_from(summary, [], NOW.replace(tzinfo=None))
    istanbul_noon = datetime(2025, 3, 10, 15, 0, tzinfo=timezone(timedelta(hours=3)))  # == NOW
    assert retention_from(summary, [], istanbul_noon) == retention_from(summary, [], NOW)


def test_end_before_start_gives_no_days() -> None:
    retention = retention_from((utc(2025, 3, 10), utc(2025, 3, 1), 1), [], NOW)
    assert retention.days is None


# --------------------------------------------------------------------------- recorder_retention


@contextlib.contextmanager
def _quiet_basic_config() -> Iterator[None]:
    """onvif.client calls logging.basicConfig on import; keep the root logger untouched."""
    original = logging.basicConfig
    logging.basicConfig = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        logging.basicConfig = original  # type: ignore[assignment]


with _quiet_basic_config():
    import onvif
    from onvif import ONVIFCamera, ONVIFService

SEARCH_WSDL = str(Path(onvif.__file__).parent / "wsdl" / "search.wsdl")
SEARCH_BINDING = "{http://www.onvif.org/ver10/search/wsdl}SearchBinding"


RECORDING_FIXTURES = sorted(path.name for path in FIXTURES.glob("*.xml"))


def _operation(name: str) -> str:
    for marker, operation in (
        ("summary", "GetRecordingSummary"),
        ("search_results", "GetRecordingSearchResults"),
        ("find_recordings", "FindRecordings"),
        ("end_search", "EndSearch"),
        ("fault", "GetRecordingSummary"),
    ):
        if marker in name:
            return operation
    raise AssertionError(f"which operation answers with {name}?")


@pytest.fixture(scope="module")
def search_binding() -> tuple[Any, Any]:
    async def build() -> Any:
        service = ONVIFService(
            "http://127.0.0.1:9/onvif/search",
            "admin",
            "secret",
            SEARCH_WSDL,
            binding_name=SEARCH_BINDING,
            no_cache=True,
        )
        await service.setup()
        await service.close()
        return service

    service = asyncio.run(build())
    return service.zeep_client, service.ws_client._binding


@pytest.mark.parametrize("name", RECORDING_FIXTURES)
def test_every_fixture_reads_the_same_through_zeep(name: str, search_binding: tuple[Any, Any]) -> None:
    """zeep (with the bundled search.wsdl) accepts each document, and the objects it builds
    convert to exactly what the raw parser reads."""
    client, binding = search_binding
    operation = _operation(name)
    reply = SimpleNamespace(
        status_code=500 if "fault" in name else 200,
        content=fixture(name),
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
        encoding="utf-8",
    )
    if "fault" in name:
        with pytest.raises(Fault):
            binding.process_reply(client, binding.get(operation), reply)
        return
    value = binding.process_reply(client, binding.get(operation), reply)
    if operation == "GetRecordingSummary":
        assert recording._summary_from_zeep(value) == parse_recording_summary(fixture(name))
    elif operation == "GetRecordingSearchResults":
        assert recording._results_from_zeep(value) == parse_search_results(fixture(name))
    elif operation == "FindRecordings":
        assert value == parse_find_recordings(fixture(name))
    else:
        assert isinstance(value, datetime)


@dataclass
class Reply:
    fixture: str | None = None
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0


@dataclass
class FixtureServer:
    """An HTTP endpoint that answers each search operation with the next scripted fixture
    (the last one repeats) and records the operations it was asked for."""

    script: dict[str, list[Reply]] = field(default_factory=dict)
    calls: list[tuple[str, bytes]] = field(default_factory=list)
    url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def operations(self) -> list[str]:
        return [name for name, _ in self.calls]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
        operation = etree.QName(root.find("{http://www.w3.org/2003/05/soap-envelope}Body")[0]).localname
        self.calls.append((operation, body))
        replies = self.script.get(operation) or [Reply(status=500, body=b"unscripted")]
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), reply.delay)
        content = reply.body if reply.body is not None else fixture(reply.fixture or "")
        return web.Response(status=reply.status, body=content, content_type="application/soap+xml")


@pytest.fixture
async def server() -> AsyncIterator[FixtureServer]:
    fixture_server = FixtureServer()
    app = web.Application()
    app.router.add_post("/onvif/search", fixture_server.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fixture_server.url = f"http://{host}:{port}/onvif/search"
    try:
        yield fixture_server
    finally:
        fixture_server.release.set()
        await runner.cleanup()


class FakeCam:
    """Stands in for an updated ONVIFCamera: its search service is the real onvif-zeep-async
    service (zeep, WS-Security, aiohttp) pointed at the fixture server."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.services: list[Any] = []

    async def create_search_service(self) -> Any:
        if self.url is None:
            raise onvif.ONVIFError("Device doesn`t support service: search with namespace x")
        service = ONVIFService(
            self.url, "admin", "secret", SEARCH_WSDL, binding_name=SEARCH_BINDING, no_cache=True
        )
        await service.setup()
        self.services.append(service)
        return service

    async def close(self) -> None:
        for service in self.services:
            await service.close()


@pytest.fixture
async def cam(server: FixtureServer) -> AsyncIterator[FakeCam]:
    fake = FakeCam(server.url)
    try:
        yield fake
    finally:
        await fake.close()


def hik_script() -> dict[str, list[Reply]]:
    return {
        "GetRecordingSummary": [Reply("hikvision_nvr_summary.xml")],
        "FindRecordings": [Reply("hikvision_nvr_find_recordings.xml")],
        "GetRecordingSearchResults": [
            Reply("hikvision_nvr_search_results_1.xml"),
            Reply("hikvision_nvr_search_results_2.xml"),
        ],
        "EndSearch": [Reply("hikvision_nvr_end_search.xml")],
    }


async def test_recorder_retention_through_zeep(server: FixtureServer, cam: FakeCam) -> None:
    server.script = hik_script()
    retention = await recorder_retention(cam, NOW)

    expected_summary = parse_recording_summary(fixture("hikvision_nvr_summary.xml"))
    assert retention == retention_from(expected_summary, hik_recordings(), NOW)
    assert retention.days is not None
    assert retention.days > 26
    assert retention.advancing is True
    for info in retention.per_recording:
        assert info.earliest is not None
        assert info.earliest.tzinfo is UTC
    assert server.operations() == [
        "GetRecordingSummary",
        "FindRecordings",
        "GetRecordingSearchResults",
        "GetRecordingSearchResults",
        "EndSearch",
    ]
    find = server.calls[1][1]
    assert b"PT10S" in find
    assert b"KeepAliveTime" in find
    assert b"Scope" in find
    for _, request in server.calls[2:]:
        assert b"SearchToken_1741607998" in request
    assert b"UsernameToken" in server.calls[0][1]  # WS-Security went along


async def test_recorder_retention_gsoap_style_with_fallback_dates(
    server: FixtureServer, cam: FakeCam
) -> None:
    server.script = {
        "GetRecordingSummary": [Reply("uniview_nvr_summary.xml")],
        "FindRecordings": [Reply("dahua_nvr_find_recordings.xml")],
        "GetRecordingSearchResults": [Reply("uniview_nvr_search_results.xml")],
        "EndSearch": [Reply("hikvision_nvr_end_search.xml")],
    }
    retention = await recorder_retention(cam, NOW)
    (only,) = retention.per_recording
    assert only.latest == utc(2025, 3, 10, 11, 55, 12, 500000)
    assert retention.earliest == utc(2025, 2, 8, 6, 0, 0, 250000)
    assert retention.advancing is True


async def test_recorder_without_recordings(server: FixtureServer, cam: FakeCam) -> None:
    server.script = {
        "GetRecordingSummary": [Reply("summary_no_recordings.xml")],
        "FindRecordings": [Reply("hikvision_nvr_find_recordings.xml")],
        "GetRecordingSearchResults": [Reply("search_results_empty.xml")],
        "EndSearch": [Reply("hikvision_nvr_end_search.xml")],
    }
    retention = await recorder_retention(cam, NOW)
    assert (retention.recordings, retention.days, retention.advancing) == (0, None, None)


async def test_action_not_supported_raises_unsupported(server: FixtureServer, cam: FakeCam) -> None:
    fault = Reply("fault_action_not_supported.xml", status=500)
    server.script = {"GetRecordingSummary": [fault], "FindRecordings": [fault]}
    with pytest.raises(RecordingServiceUnsupported):
        await recorder_retention(cam, NOW)
    assert server.operations() == ["GetRecordingSummary", "FindRecordings"]  # no search to end


async def test_summary_unsupported_but_search_works(server: FixtureServer, cam: FakeCam) -> None:
    server.script = hik_script()
    server.script["GetRecordingSummary"] = [Reply("fault_action_not_supported.xml", status=500)]
    retention = await recorder_retention(cam, NOW)
    assert retention.recordings == 4
    assert retention.earliest == utc(2025, 2, 12, 6, 41, 17)  # min EarliestRecording
    assert retention.latest == utc(2025, 3, 10, 11, 58, 2)  # max LatestRecording


async def test_not_authorized_is_an_error(server: FixtureServer, cam: FakeCam) -> None:
    server.script = {"GetRecordingSummary": [Reply("dahua_fault_not_authorized.xml", status=400)]}
    with pytest.raises(RecordingServiceError) as caught:
        await recorder_retention(cam, NOW)
    assert not isinstance(caught.value, RecordingServiceUnsupported)
    assert "NotAuthorized" in caught.value.codes


async def test_http_404_means_unsupported(server: FixtureServer, cam: FakeCam) -> None:
    server.script = {
        "GetRecordingSummary": [Reply(status=404, body=b"")],
        "FindRecordings": [Reply(status=404, body=b"")],
    }
    with pytest.raises(RecordingServiceUnsupported):
        await recorder_retention(cam, NOW)


async def test_garbage_answer_is_an_error(server: FixtureServer, cam: FakeCam) -> None:
    server.script = {"GetRecordingSummary": [Reply(body=b"<html>login</html")]}
    with pytest.raises(RecordingServiceError) as caught:
        await recorder_retention(cam, NOW)
    assert not isinstance(caught.value, RecordingServiceUnsupported)


async def test_no_search_xaddr_means_unsupported() -> None:
    with pytest.raises(RecordingServiceUnsupported):
        await recorder_retention(FakeCam(None), NOW)


async def test_real_onvif_camera_without_search_xaddr_is_unsupported() -> None:
    camera = ONVIFCamera("127.0.0.1", 9, "admin", "secret")  # no update_xaddrs: no search XAddr
    try:
        with pytest.raises(RecordingServiceUnsupported, match="support service"):
            await recorder_retention(camera, NOW)
    finally:
        await camera.close()


async def test_search_loop_is_bounded_and_always_ended(server: FixtureServer, cam: FakeCam) -> None:
    server.script = hik_script()
    server.script["GetRecordingSearchResults"] = [
        Reply("hikvision_nvr_search_results_1.xml")
    ]  # never completes
    retention = await recorder_retention(cam, NOW, max_rounds=3)
    assert [r.token for r in retention.per_recording] == ["RecordingToken001", "RecordingToken002"]
    assert server.operations().count("GetRecordingSearchResults") == 3
    assert server.operations()[-1] == "EndSearch"


async def test_search_is_ended_when_results_fail(server: FixtureServer, cam: FakeCam) -> None:
    server.script = hik_script()
    server.script["GetRecordingSearchResults"] = [Reply("dahua_fault_not_authorized.xml", status=400)]
    with pytest.raises(RecordingServiceError):
        await recorder_retention(cam, NOW)
    assert server.operations()[-1] == "EndSearch"


async def test_each_call_is_bounded_by_the_timeout(server: FixtureServer, cam: FakeCam) -> None:
    server.script = {"GetRecordingSummary": [Reply("hikvision_nvr_summary.xml", delay=5.0)]}
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await recorder_retention(cam, NOW, timeout=0.3)
    assert time.monotonic() - started < 2.0
