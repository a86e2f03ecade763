"""The inventory the probe may diagnose: sites with their IP blocks and devices, the firmware
baselines, and the cameras' reference images — fetched when the server answers, cached in the
user's state directory for offline days."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from backend.probe.queue import atomic_write

DEFAULT_ONVIF_PORT = 80


DIAGNOSABLE_KINDS = ("CAMERA", "RECORDER")
# Cameras in service, and planned ones being accepted on site; removed and scrapped ones are not
# contacted even when something answers at their old address.
DIAGNOSABLE_STATUSES = ("ACTIVE", "FAULTY", "PLANNED")


@dataclass(frozen=True)
class InvDevice:
    id: str
    asset_tag: str
    kind: str
    status: str
    ip: str | None
    port: int
    make: str
    model: str
    site_code: str
    in_blocks: bool
    reference_sha256: str | None = None  # the camera's reference image for image health

    @property
    def address(self) -> str:
        return f"[{self.ip}]:{self.port}" if self.ip and ":" in self.ip else f"{self.ip}:{self.port}"

    def refusal(self) -> str | None:
        """Why this device is not diagnosed, or None."""
        if self.kind not in DIAGNOSABLE_KINDS:
            return f"kamera/kayıt cihazı değil ({self.kind})"
        if self.status not in DIAGNOSABLE_STATUSES:
            return f"cihaz hizmette değil ({self.status})"
        if not self.ip:
            return "IP adresi kayıtlı değil"
        if not self.in_blocks:
            return f"{self.ip} sahanın IP bloklarında değil"
        return None


def normal_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _in_blocks(ip: str | None, cidrs: list[str]) -> bool:
    if ip is None:
        return False
    addr = ipaddress.ip_address(ip)
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if addr.version == net.version and addr in net:
            return True
    return False


@dataclass
class Inventory:
    """What the probe may diagnose: sites with their IP blocks and devices, and the firmware
    baselines. Cached as JSON in the user's state directory."""

    sites: dict[str, dict[str, Any]] = field(default_factory=dict)  # by site code
    baselines: list[dict[str, Any]] = field(default_factory=list)
    fetched_at: str | None = None

    @classmethod
    def load(cls, path: Path) -> Inventory | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None
        return cls(
            sites=dict(raw.get("sites") or {}),
            baselines=list(raw.get("baselines") or []),
            fetched_at=raw.get("fetchedAt"),
        )

    def save(self, path: Path) -> None:
        body = {"fetchedAt": self.fetched_at, "sites": self.sites, "baselines": self.baselines}
        atomic_write(path, json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode())

    def merge(self, sites: list[dict[str, Any]], baselines: list[dict[str, Any]], *, partial: bool) -> None:
        """Take fetched sites: with ``partial`` (one site asked for) the other cached sites stay."""
        fetched = {str(s["code"]): s for s in sites}
        self.sites = {**self.sites, **fetched} if partial else fetched
        self.baselines = baselines
        self.fetched_at = datetime.now(UTC).isoformat()

    def site_codes(self) -> list[str]:
        return sorted(self.sites)

    def devices(self, site_code: str | None = None) -> list[InvDevice]:
        out = []
        for code, site in sorted(self.sites.items()):
            if site_code is not None and code.casefold() != site_code.casefold():
                continue
            cidrs = [str(b["cidr"]) for b in site.get("ipBlocks") or []]
            for d in site.get("devices") or []:
                ip = normal_ip(d.get("ipAddress"))
                out.append(
                    InvDevice(
                        id=str(d["id"]),
                        asset_tag=str(d.get("assetTag") or d["id"]),
                        kind=str(d.get("kind") or "").upper(),
                        status=str(d.get("status") or "").upper(),
                        ip=ip,
                        port=int(d.get("onvifPort") or DEFAULT_ONVIF_PORT),
                        make=str(d.get("make") or ""),
                        model=str(d.get("model") or ""),
                        site_code=code,
                        in_blocks=_in_blocks(ip, cidrs),
                        reference_sha256=d.get("referenceImageSha256") or None,
                    )
                )
        return out

    def approved_firmware(self, device: InvDevice) -> str | None:
        for b in self.baselines:
            if b.get("make") == device.make and b.get("model") == device.model:
                return str(b["approvedFirmware"])
        return None


def reference_path(directory: Path, sha256: str) -> Path:
    return directory / "references" / sha256


def fetch_references(client: Any, devices: list[InvDevice], directory: Path, err: IO[str]) -> int:
    """Download the reference images of ``devices`` not cached yet (so image health works on site,
    offline); a failure only means image health is skipped for that camera."""
    fetched = 0
    for sha in sorted({d.reference_sha256 for d in devices if d.reference_sha256}):
        path = reference_path(directory, sha)
        if path.exists():
            continue
        try:
            data = client.download_blob(sha)
        except Exception as exc:
            print(f"referans görüntü alınamadı ({sha[:12]}): {exc}", file=err)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        fetched += 1
    return fetched


def cached_reference(directory: Path | None, device: InvDevice) -> bytes | None:
    if directory is None or not device.reference_sha256:
        return None
    try:
        return reference_path(directory, device.reference_sha256).read_bytes()
    except OSError:
        return None
