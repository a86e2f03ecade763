"""Address rules: a device's IP must lie in one of its site's registered blocks (D 5(3)); no block
or address in the ranges no device lives in (``backend.shared.addresses``)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from backend.domain.errors import DomainError, ErrorCode
from backend.shared.addresses import Address, Network


def parse_block(cidr: str) -> Network:
    """A CIDR block, strict: host bits must be zero (``10.1.2.0/24``, not ``10.1.2.5/24``)."""
    try:
        net = ipaddress.ip_network(cidr.strip(), strict=True)
    except ValueError:
        raise DomainError(ErrorCode.IPBLOCK_INVALID, field="cidr", params={"cidr": cidr}) from None
    if "/" not in cidr:
        raise DomainError(ErrorCode.IPBLOCK_INVALID, field="cidr", params={"cidr": cidr})
    return net


def parse_address(ip: str) -> Address:
    try:
        return ipaddress.ip_address(ip.strip())
    except ValueError:
        raise DomainError(ErrorCode.DEVICE_IP_INVALID, field="ipAddress", params={"ip": ip}) from None


def check_in_blocks(ip: str, blocks: Iterable[str]) -> str:
    """Return the normalised address, or refuse it if no block of the site contains it."""
    addr = parse_address(ip)
    for cidr in blocks:
        net = ipaddress.ip_network(cidr)
        if addr.version == net.version and addr in net:
            return str(addr)
    raise DomainError(ErrorCode.DEVICE_IP_OUTSIDE_SITE_BLOCKS, field="ipAddress", params={"ip": str(addr)})


def first_overlap(new: Network, existing: Iterable[str]) -> str | None:
    for cidr in existing:
        other = ipaddress.ip_network(cidr)
        if other.version == new.version and other.overlaps(new):
            return cidr
    return None
