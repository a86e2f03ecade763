"""Which devices to diagnose, and diagnosing them: WS-Discovery answers and ``--address`` entries
matched by IP to inventory devices whose address lies in their site's IP blocks (nothing else is
ever contacted), then :func:`backend.integrations.onvif.diagnose.diagnose` for each, a few at a
time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from backend.probe.inventory import InvDevice, Inventory, cached_reference, normal_ip

if TYPE_CHECKING:
    from backend.probe.cli import Options


@dataclass
class Selection:
    targets: list[InvDevice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def discovered_hosts(found: Any) -> set[str]:
    """The IPs a WS-Discovery answer stands for: its source address and its XAddrs' hosts."""
    hosts = {normal_ip(getattr(found, "address", None))}
    for xaddr in getattr(found, "xaddrs", None) or []:
        with contextlib.suppress(ValueError):
            hosts.add(normal_ip(urlsplit(xaddr).hostname))
    return {h for h in hosts if h}


def _name_of(found: Any) -> str:
    try:
        names = found.scope_values("name") + found.scope_values("hardware")
    except AttributeError:
        names = []
    return f" ({' / '.join(names)})" if names else ""


def select_targets(
    devices: list[InvDevice], discovered: list[Any] | None, addresses: tuple[str, ...]
) -> Selection:
    """Inventory devices to diagnose, from discovery answers and ``--address`` entries; every
    answer or address that is not a diagnosable inventory device becomes a note, not a target."""
    by_ip: dict[str, list[InvDevice]] = {}
    for d in devices:
        if d.ip:
            by_ip.setdefault(d.ip, []).append(d)
    sel = Selection()
    chosen: dict[str, InvDevice] = {}

    def take(ip_set: set[str], what: str) -> None:
        candidates = [d for ip in sorted(ip_set) for d in by_ip.get(ip, [])]
        if not candidates:
            sel.notes.append(f"{what}: envanterde yok — teşhis edilmedi")
            return
        usable = [d for d in candidates if d.refusal() is None]
        if not usable:
            reasons = "; ".join(f"{d.asset_tag}: {d.refusal()}" for d in candidates)
            sel.notes.append(f"{what}: teşhis edilmedi — {reasons}")
            return
        if len({d.id for d in usable}) > 1:
            tags = ", ".join(d.asset_tag for d in usable)
            sel.notes.append(f"{what}: birden çok envanter kaydı ({tags}) — teşhis edilmedi")
            return
        chosen.setdefault(usable[0].id, usable[0])

    for found in discovered or []:
        hosts = discovered_hosts(found)
        take(hosts, f"{', '.join(sorted(hosts)) or '?'}{_name_of(found)}")
    for ip in addresses:
        take({ip}, ip)
    sel.targets = sorted(chosen.values(), key=lambda d: (d.site_code, d.asset_tag))
    return sel


async def discover(opts: Options) -> list[Any]:
    from backend.integrations.onvif import discovery

    return list(await discovery.probe(interface_ip=opts.interface, timeout=opts.timeout))


async def diagnose_one(
    device: InvDevice,
    opts: Options,
    password: str,
    approved_firmware: str | None,
    reference: bytes | None = None,
) -> Any:
    from backend.integrations.onvif import diagnose as onvif

    assert device.ip is not None
    target = onvif.Target(
        host=device.ip,
        port=device.port,
        username=opts.onvif_user,
        password=password,
        is_recorder=device.kind == "RECORDER",
    )
    limits = onvif.Limits(connect_timeout=opts.timeout, allow_loopback=opts.allow_loopback)
    return await onvif.diagnose(
        target, approved_firmware=approved_firmware, reference_image=reference, limits=limits
    )


async def diagnose_all(
    targets: list[InvDevice],
    opts: Options,
    password: str,
    inventory: Inventory,
    on_result: Callable[[InvDevice, Any | None, BaseException | None], Awaitable[None] | None],
    references: Path | None = None,
) -> None:
    """Diagnose ``targets``, at most ``opts.concurrency`` at once; ``on_result`` as each ends."""
    slots = asyncio.Semaphore(opts.concurrency)

    async def one(device: InvDevice) -> None:
        async with slots:
            try:
                outcome = await diagnose_one(
                    device,
                    opts,
                    password,
                    inventory.approved_firmware(device),
                    cached_reference(references, device),
                )
            except Exception as exc:  # one device must not stop the others
                done = on_result(device, None, exc)
            else:
                done = on_result(device, outcome, None)
            if done is not None:
                await done

    await asyncio.gather(*(one(d) for d in targets))
