"""The source address of a request, for sign-in throttles and rate limits.

The peer address of the connection, unless the peer is a trusted reverse proxy
(``Settings.trusted_proxies``): then the nearest ``X-Forwarded-For`` entry, read from the right,
that is not itself a trusted proxy. Entries a client wrote itself sit to the left of what our
proxy appended, so they are never reached while a trusted proxy appended a valid address; any
garbage stops the walk at the last address we can vouch for.

IPv6 addresses count per /64 (one subscriber's prefix), IPv4-mapped IPv6 as IPv4.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_FORWARDED_CHARS = 2048
MAX_SOURCE_CHARS = 64


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip())


def parse_networks(trusted: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse the setting (raises ValueError on a bad entry: checked at start-up)."""
    return _networks(tuple(trusted))


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:1234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _key(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _trusted(address: IPAddress | None, networks: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def source_address(scope: Any, trusted: Iterable[str]) -> str:
    """The source key of the request in ``scope`` (an ASGI scope); never raises."""
    client = scope.get("client") or ("", 0)
    peer_text = str(client[0]) if client else ""
    peer = _address(peer_text)
    networks = parse_networks(trusted)
    if not _trusted(peer, networks):
        return _key(peer) if peer is not None else (peer_text[:MAX_SOURCE_CHARS] or "unknown")
    forwarded = b",".join(
        value for name, value in scope.get("headers", []) if name.lower() == b"x-forwarded-for"
    ).decode("latin-1")
    if len(forwarded) > MAX_FORWARDED_CHARS:
        forwarded = forwarded[-MAX_FORWARDED_CHARS:]
    chosen: IPAddress = peer  # type: ignore[assignment]  # trusted, hence parsed
    for entry in reversed(forwarded.split(",")):
        address = _address(entry)
        if address is None:
            break
        chosen = address
        if not _trusted(address, networks):
            break
    return _key(chosen)
