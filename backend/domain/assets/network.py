"""Address rules: a device's IP must lie in one of its site's registered blocks (D 5(3))."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from backend.domain.errors import DomainError, ErrorCode

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges a camera or recorder never lives in. Connecting there would make the server talk to
# itself (loopback, unspecified), to the cloud host's metadata service (link-local) or to many
# hosts at once (multicast, broadcast). One list for IP blocks, device addresses and the ONVIF
# client's own check before every connection.
_REFUSED: tuple[tuple[str, Network], ...] = tuple(
    (name, ipaddress.ip_network(cidr))
    for name, cidr in (
        ("unspecified", "0.0.0.0/8"),
        ("loopback", "127.0.0.0/8"),
        ("link-local", "169.254.0.0/16"),
        ("multicast", "224.0.0.0/4"),
        ("reserved", "240.0.0.0/4"),  # includes the limited broadcast 255.255.255.255
        ("unspecified", "::/128"),
        ("loopback", "::1/128"),
        ("link-local", "fe80::/10"),
        ("multicast", "ff00::/8"),
    )
)


def refused_range(target: Address | Network) -> str | None:
    """The name of the refused range ``target`` touches (``"loopback"`` ...), or None.

    An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is judged as the IPv4 address it maps.
    A block is refused when it overlaps a refused range at all.
    """
    if isinstance(target, ipaddress.IPv6Address) and target.ipv4_mapped is not None:
        target = target.ipv4_mapped
    for name, net in _REFUSED:
        if net.version != target.version:
            continue
        if isinstance(target, ipaddress.IPv4Network | ipaddress.IPv6Network):
            if target.overlaps(net):
                return name
        elif target in net:
            return name
    return None


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
