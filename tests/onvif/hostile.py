"""A hostile ONVIF device for the client's hardening tests: plain asyncio over loopback.

By default it behaves like a small, healthy camera (time, GetServices, GetCapabilities, device
information, profiles, stream URI; the rest answered with ``ter:ActionNotSupported``) and refuses
requests without a WS-Security UsernameToken, so an honest diagnosis of it is OK overall. Each
operation can be attacked instead (``attacks={"GetDeviceInformation": "redirect"}``, ``"*"`` for
every operation):

* ``redirect`` — 307 to ``redirect_to`` (a :class:`Canary` that records whether anyone came);
* ``endless`` — a chunked XML-looking body that never ends; ``huge`` — ``huge_bytes`` of it;
* ``truncated`` — the honest answer cut in the middle; ``entities`` — a billion-laughs document;
* ``empty`` — 200 with no body; ``drop`` — the connection closed without an answer;
* ``refuse`` — a ``ter:NotAuthorized`` fault; ``delay`` — the honest answer after ``delay`` s.

HTTP is spoken by hand so that every misbehaviour is exactly what is asked for (one request per
connection, ``Connection: close``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

ENV = "http://www.w3.org/2003/05/soap-envelope"
_NS = (
    f'xmlns:s="{ENV}" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" '
    'xmlns:ter="http://www.onvif.org/ver10/error"'
)
_OPERATION = re.compile(rb"<(?:[\w.-]+:)?Body[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z]+)")

HONEST_IDENTITY = {
    "Manufacturer": "Hostile",
    "Model": "HX-1",
    "FirmwareVersion": "1.0.0",
    "SerialNumber": "HX-0001",
    "HardwareId": "HX",
}


def envelope(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {_NS}><s:Body>{body}</s:Body></s:Envelope>'.encode()


def fault(subcode: str, reason: str) -> bytes:
    return envelope(
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode>"
        f"<s:Value>ter:{subcode}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en">{reason}</s:Text></s:Reason></s:Fault>'
    )


def billion_laughs() -> bytes:
    """Ten levels of ten references: 10^9 "lol"s, 3 GB, if anyone ever expanded it."""
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE s:Envelope [{lol}]><s:Envelope {_NS}><s:Body>'
        "<tds:GetDeviceInformationResponse><tds:Manufacturer>&l9;</tds:Manufacturer>"
        "<tds:Model>m</tds:Model><tds:FirmwareVersion>1</tds:FirmwareVersion>"
        "<tds:SerialNumber>1</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId>"
        "</tds:GetDeviceInformationResponse></s:Body></s:Envelope>"
    ).encode()


def _time() -> str:
    now = datetime.now(UTC)
    return (
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
        "<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC</tt:TZ></tt:TimeZone>"
        f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
        f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
        f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date></tt:UTCDateTime>"
        "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Canary:
    """A listener that only records whether anything reached it."""

    hits: int = 0
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> str:
        async def seen(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.hits += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()

        self._server = await asyncio.start_server(seen, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{self.port}/onvif/device_service"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@dataclass
class HostileDevice:
    attacks: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    identity: dict[str, str] = field(default_factory=lambda: dict(HONEST_IDENTITY))
    redirect_to: str = "http://127.0.0.1:9/"
    huge_bytes: int = 256 * 1024 * 1024
    seen: list[str] = field(default_factory=list)  # the operations asked for, in order
    sent_bytes: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()

    # ---- one request --------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            body = await reader.readexactly(int(length.group(1))) if length else b""
            found = _OPERATION.search(body)
            operation = found.group(1).decode() if found else "?"
            self.seen.append(operation)
            mode = self.attacks.get(operation) or self.attacks.get("*") or "honest"
            await self._answer(writer, operation, mode, b"UsernameToken" in body)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _send(self, writer: asyncio.StreamWriter, status: str, body: bytes, extra: str = "") -> None:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: application/soap+xml; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n"
        )
        writer.write(head.encode() + body)
        self.sent_bytes += len(body)
        await writer.drain()

    async def _stream(self, writer: asyncio.StreamWriter, total: int | None) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        opening = envelope("")[: -len(b"</s:Body></s:Envelope>")]
        chunk = b"<tds:Pad>" + b"x" * (64 * 1024 - 20) + b"</tds:Pad>"
        parts = [opening]
        while total is None or self.sent_bytes < total:
            data = parts.pop() if parts else chunk
            writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.sent_bytes += len(data)
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def _answer(self, writer: asyncio.StreamWriter, operation: str, mode: str, signed: bool) -> None:
        if mode == "delay":
            await asyncio.sleep(self.delay)
        if mode == "redirect":
            await self._send(writer, "307 Temporary Redirect", b"", f"Location: {self.redirect_to}\r\n")
            return
        if mode == "drop":
            writer.transport.abort()
            return
        if mode == "empty":
            await self._send(writer, "200 OK", b"")
            return
        if mode in ("endless", "huge"):
            await self._stream(writer, None if mode == "endless" else self.huge_bytes)
            return
        if mode == "entities":
            await self._send(writer, "200 OK", billion_laughs())
            return
        if mode == "refuse":
            await self._send(writer, "400 Bad Request", fault("NotAuthorized", "Sender not Authorized"))
            return
        status, body = self._honest(operation, signed)
        if mode == "truncated":
            body = body[: len(body) // 2]
        await self._send(writer, status, body)

    def _honest(self, operation: str, signed: bool) -> tuple[str, bytes]:
        base = f"http://127.0.0.1:{self.port}/onvif"
        if operation == "GetSystemDateAndTime":
            return "200 OK", envelope(_time())
        if not signed:
            return "400 Bad Request", fault("NotAuthorized", "Sender not Authorized")
        if operation == "GetServices":
            services = "".join(
                f"<tds:Service><tds:Namespace>http://www.onvif.org/ver10/{ns}/wsdl</tds:Namespace>"
                f"<tds:XAddr>{base}/{path}</tds:XAddr><tds:Version><tt:Major>2</tt:Major>"
                "<tt:Minor>5</tt:Minor></tds:Version></tds:Service>"
                for ns, path in (("device", "device_service"), ("media", "media_service"))
            )
            return "200 OK", envelope(f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>")
        if operation == "GetCapabilities":
            return "200 OK", envelope(
                "<tds:GetCapabilitiesResponse><tds:Capabilities>"
                f"<tt:Device><tt:XAddr>{base}/device_service</tt:XAddr></tt:Device>"
                f"<tt:Media><tt:XAddr>{base}/media_service</tt:XAddr></tt:Media>"
                "</tds:Capabilities></tds:GetCapabilitiesResponse>"
            )
        if operation == "GetDeviceInformation":
            fields = "".join(f"<tds:{k}>{_escape(v)}</tds:{k}>" for k, v in self.identity.items())
            return "200 OK", envelope(
                f"<tds:GetDeviceInformationResponse>{fields}</tds:GetDeviceInformationResponse>"
            )
        if operation == "GetProfiles":
            return "200 OK", envelope(
                '<trt:GetProfilesResponse><trt:Profiles token="main" fixed="true"><tt:Name>main</tt:Name>'
                "</trt:Profiles></trt:GetProfilesResponse>"
            )
        if operation == "GetStreamUri":
            return "200 OK", envelope(
                "<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://127.0.0.1:554/main</tt:Uri>"
                "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
                "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
                "</trt:MediaUri></trt:GetStreamUriResponse>"
            )
        return "400 Bad Request", fault("ActionNotSupported", "Not supported")
