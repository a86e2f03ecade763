"""WS-Discovery prober for ONVIF devices: a small asyncio UDP client.

Sends a WS-Discovery ``Probe`` (SOAP 1.2 over UDP, WS-Discovery 2005/04 as ONVIF uses it) to
239.255.255.250:3702 from an ephemeral port, repeats it per SOAP-over-UDP (same MessageID, random
delay between 50 and 250 ms, doubled each time, at most 500 ms) and collects the unicast
``ProbeMatches`` answers until the timeout. Answers are parsed without DTDs, entities or network
access; datagrams that are not well-formed SOAP, carry no ProbeMatch or relate to another
message are ignored.

The ``WSDiscovery`` package is not used: it ignores loopback, always binds UDP 3702 (which the
server or another prober may hold) and runs threads.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import re
import socket
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from lxml import etree

__all__ = [
    "MULTICAST_ADDRESS",
    "MULTICAST_PORT",
    "Discovered",
    "build_probe",
    "parse_probe_matches",
    "probe",
]

log = logging.getLogger(__name__)

MULTICAST_ADDRESS = "239.255.255.250"
MULTICAST_PORT = 3702

# SOAP-over-UDP retransmission parameters (SOAP-over-UDP 1.1, appendix I), in seconds.
UDP_MIN_DELAY = 0.050
UDP_MAX_DELAY = 0.250
UDP_UPPER_DELAY = 0.500

_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
_WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
_WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
_PROBE_ACTION = f"{_WSD}/Probe"
_DISCOVERY_TO = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
_ANONYMOUS = f"{_WSA}/role/anonymous"

# Prefixes usable in ``types``; the Probe declares exactly these.
_TYPE_PREFIXES = {
    "dn": "http://www.onvif.org/ver10/network/wsdl",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
}
_QNAME = re.compile(r"^(?:(?P<prefix>[A-Za-z_][\w.-]*):)?[A-Za-z_][\w.-]*$")

_MAX_DATAGRAM = 65_535
_MAX_MATCHES_PER_DATAGRAM = 64


@dataclass(frozen=True)
class Discovered:
    """One device that answered a Probe."""

    address: str  # IPv4 address the answer came from ("" when parsed without one)
    xaddrs: list[str]  # device service URLs, as announced
    scopes: list[str]  # onvif://www.onvif.org/... scope URIs
    endpoint: str | None  # EndpointReference/Address, usually urn:uuid:...
    types: list[str]  # e.g. ["dn:NetworkVideoTransmitter", "tds:Device"]

    def scope_values(self, kind: str) -> list[str]:
        """URL-decoded values of the ONVIF scopes ``onvif://www.onvif.org/<kind>/<value>``
        (kind e.g. ``name``, ``hardware``, ``location``, ``type``, ``Profile``)."""
        prefix = f"onvif://www.onvif.org/{kind}/"
        return [unquote(scope[len(prefix) :]) for scope in self.scopes if scope.startswith(prefix)]


# --------------------------------------------------------------------------- XML


def _safe_parse(data: bytes) -> Any:
    """Parse untrusted XML: no DTD, no entity expansion, no network; documents with a
    DOCTYPE are refused (SOAP forbids them)."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    root = etree.fromstring(data, parser)
    if root is None:
        raise ValueError("empty document")
    if root.getroottree().docinfo.doctype:
        raise ValueError("DOCTYPE not allowed in SOAP messages")
    return root


def _local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments, processing instructions, entities
        return ""
    return tag.rpartition("}")[2]


def _child(element: Any, name: str) -> Any | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _text(element: Any | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _list(element: Any | None) -> list[str]:
    return _text(element).split()


def _uris(element: Any | None) -> list[str]:
    """A whitespace-separated URI list. A token without a scheme cannot start a URI: it is the
    rest of the previous one, split at an unescaped space (ipycam sends
    ``onvif://www.onvif.org/name/Virtual Camera``)."""
    uris: list[str] = []
    for token in _list(element):
        if uris and ":" not in token:
            uris[-1] = f"{uris[-1]} {token}"
        else:
            uris.append(token)
    return uris


# --------------------------------------------------------------------------- messages


def build_probe(message_id: str, types: str = "dn:NetworkVideoTransmitter") -> bytes:
    """The SOAP 1.2 WS-Discovery Probe datagram. ``types`` is a space-separated list of QNames
    with the prefixes ``dn`` or ``tds`` (or empty to ask every target service)."""
    for qname in types.split():
        match = _QNAME.match(qname)
        if match is None or (match.group("prefix") or "") not in _TYPE_PREFIXES:
            raise ValueError(f"unsupported probe type {qname!r}: use the prefixes dn: or tds:")
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _TYPE_PREFIXES.items())
    types_element = f"<d:Types>{escape(' '.join(types.split()))}</d:Types>" if types.strip() else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{_SOAP12}" xmlns:a="{_WSA}" xmlns:d="{_WSD}" {namespaces}>'
        "<s:Header>"
        f'<a:Action s:mustUnderstand="1">{_PROBE_ACTION}</a:Action>'
        f"<a:MessageID>{escape(message_id)}</a:MessageID>"
        f"<a:ReplyTo><a:Address>{_ANONYMOUS}</a:Address></a:ReplyTo>"
        f'<a:To s:mustUnderstand="1">{_DISCOVERY_TO}</a:To>'
        "</s:Header>"
        f"<s:Body><d:Probe>{types_element}</d:Probe></s:Body>"
        "</s:Envelope>"
    ).encode()


def parse_probe_matches(
    datagram: bytes, address: str = "", *, relates_to: str | None = None
) -> list[Discovered]:
    """The devices in one ProbeMatches datagram; ``[]`` for anything malformed or unrelated.

    With ``relates_to``, the answer's ``wsa:RelatesTo`` must equal it (the Probe's MessageID).
    Accepts ProbeMatch elements inside ``ProbeMatches`` (the standard) or directly in the Body
    (as ipycam sends them). Element names are matched by local name: device firmware gets the
    namespaces of the payload wrong often enough that being strict only loses cameras.
    """
    if not datagram or len(datagram) > _MAX_DATAGRAM:
        return []
    try:
        root = _safe_parse(datagram)
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root.tag not in (f"{{{_SOAP12}}}Envelope", f"{{{_SOAP11}}}Envelope"):
        return []
    if relates_to is not None:
        header = _child(root, "Header")
        related = _text(_child(header, "RelatesTo")) if header is not None else ""
        if related != relates_to:
            return []
    body = _child(root, "Body")
    if body is None:
        return []
    matches: list[Any] = []
    for element in body:
        if _local(element) == "ProbeMatches":
            matches.extend(_children(element, "ProbeMatch"))
        elif _local(element) == "ProbeMatch":
            matches.append(element)
    found: list[Discovered] = []
    for match in matches[:_MAX_MATCHES_PER_DATAGRAM]:
        reference = _child(match, "EndpointReference")
        endpoint = _text(_child(reference, "Address")) if reference is not None else ""
        found.append(
            Discovered(
                address=address,
                xaddrs=_list(_child(match, "XAddrs")),
                scopes=_uris(_child(match, "Scopes")),
                endpoint=endpoint or None,
                types=_list(_child(match, "Types")),
            )
        )
    return found


def _key(device: Discovered) -> str:
    if device.endpoint:
        return f"endpoint:{device.endpoint}"
    return f"address:{device.address}:{' '.join(device.xaddrs)}"


# --------------------------------------------------------------------------- prober


class _ProbeProtocol(asyncio.DatagramProtocol):
    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.found: dict[str, Discovered] = {}
        self.error: Exception | None = None

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        host = str(addr[0])
        for device in parse_probe_matches(data, host, relates_to=self.message_id):
            self.found.setdefault(_key(device), device)

    def error_received(self, exc: Exception) -> None:
        # A failed send (no route to the multicast group, interface down, ...). Remembered: a
        # probe that found nothing re-raises it rather than report an empty segment.
        log.debug("WS-Discovery socket error: %s", exc)
        if self.error is None:
            self.error = exc


def _probe_socket(interface_ip: str | None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        if interface_ip is not None:
            try:
                ip = str(ipaddress.IPv4Address(interface_ip))
            except ValueError as exc:
                raise ValueError(f"interface_ip must be an IPv4 address: {interface_ip!r}") from exc
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
            sock.bind((ip, 0))
        else:
            sock.bind(("0.0.0.0", 0))  # noqa: S104 - ephemeral client port for unicast answers
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


async def probe(
    *,
    interface_ip: str | None = None,
    timeout: float = 3.0,  # noqa: ASYNC109 - the listening window is the operation itself
    types: str = "dn:NetworkVideoTransmitter",
    retries: int = 2,
) -> list[Discovered]:
    """Probe the local segment for ONVIF devices and return them in order of first answer.

    ``interface_ip``: the IPv4 address of the interface to probe from (multicast goes out of
    it, the socket is bound to it); ``None`` uses the routing table's default. ``timeout``:
    seconds to collect answers after the first send. ``retries``: repetitions of the Probe.
    De-duplicated by endpoint reference (or by address and XAddrs without one).
    Raises ``OSError`` when the Probe could not be sent and nothing answered.
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if retries < 0:
        raise ValueError("retries must not be negative")
    message_id = f"urn:uuid:{uuid.uuid4()}"
    payload = build_probe(message_id, types)
    loop = asyncio.get_running_loop()
    sock = _probe_socket(interface_ip)
    transport, protocol = await loop.create_datagram_endpoint(lambda: _ProbeProtocol(message_id), sock=sock)
    target = (MULTICAST_ADDRESS, MULTICAST_PORT)
    deadline = loop.time() + timeout
    try:
        transport.sendto(payload, target)
        delay = random.uniform(UDP_MIN_DELAY, UDP_MAX_DELAY)  # noqa: S311 - protocol jitter
        for _ in range(retries):
            if loop.time() + delay >= deadline:
                break
            await asyncio.sleep(delay)
            transport.sendto(payload, target)
            delay = min(delay * 2, UDP_UPPER_DELAY)
        await asyncio.sleep(max(0.0, deadline - loop.time()))
    finally:
        transport.close()
    if not protocol.found and protocol.error is not None:
        raise protocol.error
    return list(protocol.found.values())
