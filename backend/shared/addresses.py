"""Address ranges no camera or recorder ever lives in, and the check against them.

Connecting there would make the server (or the probe's laptop) talk to itself (loopback,
unspecified), to a cloud host's metadata service (link-local) or to many hosts at once
(multicast, broadcast). One list for the inventory's IP blocks and device addresses
(``backend.domain.assets``) and the ONVIF client's own check before every connection
(``backend.integrations.onvif._transport``), which the probe also applies to ``--address``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

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


@dataclass(frozen=True)
class AddressPolicy:
    allow_loopback: bool = False  # development and tests only: devices never live on loopback


def refusal(address: str, policy: AddressPolicy) -> str | None:
    """The name of the refused range ``address`` (an IP literal) lies in, or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return "invalid"
    name = refused_range(ip)
    if name == "loopback" and policy.allow_loopback:
        return None
    return name
