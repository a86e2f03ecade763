"""What the device offers: network interfaces (``network``), media profiles (``profiles``), the
RTSP stream address (``stream_uri``) and PTZ (``ptz``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from backend.integrations.onvif import _soap
from backend.integrations.onvif._failures import CallTimeoutError
from backend.integrations.onvif.diagnose.model import (
    CheckEndedError,
    Outcome,
    Verdict,
)
from backend.integrations.onvif.diagnose.text import (
    same_address,
    text,
)

if TYPE_CHECKING:
    from backend.integrations.onvif.diagnose.run import Run

log = logging.getLogger("saha.onvif")


async def network(run: Run) -> Outcome:
    try:
        answer = await run.call(run.devicemgmt.GetNetworkInterfaces(), "GetNetworkInterfaces")
    except CallTimeoutError:
        raise
    except Exception as exc:
        run.fault(
            exc,
            unsupported="Cihaz ağ arayüzü bilgisini vermiyor (GetNetworkInterfaces desteklenmiyor).",
            failed="Ağ arayüzü bilgisi alınamadı",
        )
    interfaces = [_interface(i) for i in (_soap.plain(answer) or [])][:16]
    if not interfaces:
        return Verdict.NOT_SUPPORTED, "Cihaz ağ arayüzü listesini boş döndürdü.", {"interfaces": []}
    summary = "; ".join(
        " ".join(
            p
            for p in (
                i["name"] or i["token"] or "?",
                i["mac"],
                ", ".join(i["ipv4"]),
                "(DHCP)" if i["dhcp"] else "(sabit IP)",
            )
            if p
        )
        for i in interfaces
    )
    return Verdict.OK, f"{len(interfaces)} ağ arayüzü: {summary}.", {"interfaces": interfaces}


async def media_service(run: Run) -> Any:
    if run.media is None:
        run.services_unknown("medya profilleri ve görüntü")
        try:
            run.media = await run.call(run.cam.create_media_service(), "medya hizmeti hazırlığı")
        except CallTimeoutError:
            raise
        except Exception as exc:
            run.fault(
                exc, unsupported="Cihaz ONVIF medya hizmeti sunmuyor.", failed="Medya hizmeti kurulamadı"
            )
    return run.media


async def profiles(run: Run) -> Outcome:
    media = await media_service(run)
    try:
        answer = await run.call(media.GetProfiles(), "GetProfiles")
    except CallTimeoutError:
        raise
    except Exception as exc:
        run.fault(exc, unsupported="Cihaz medya profillerini vermiyor.", failed="Medya profilleri alınamadı")
    run.profiles = [_profile(p) for p in (_soap.plain(answer) or [])]
    evidence = {"profiles": run.profiles[:16], "count": len(run.profiles)}
    if not run.profiles:
        return Verdict.FAIL, "Cihazda görüntü profili yok: görüntü akışı alınamaz.", evidence
    summary = "; ".join(_profile_summary(p) for p in run.profiles[:4])
    more = f" (+{len(run.profiles) - 4})" if len(run.profiles) > 4 else ""
    return Verdict.OK, f"{len(run.profiles)} profil: {summary}{more}.", evidence


def first_profile(run: Run, what: str) -> str:
    if not run.profiles or not run.profiles[0].get("token"):
        raise CheckEndedError(
            Verdict.SKIPPED,
            f"Görüntü profili olmadığı için {what} istenmedi.",
            {"blocked_by": "profiles"},
        )
    token: str = run.profiles[0]["token"]
    return token


async def stream_uri(run: Run) -> Outcome:
    token = first_profile(run, "yayın adresi")
    request = {
        "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
        "ProfileToken": token,
    }
    try:
        answer = await run.call(run.media.GetStreamUri(request), "GetStreamUri")
    except CallTimeoutError:
        raise
    except Exception as exc:
        run.fault(exc, unsupported="Cihaz RTSP yayın adresi vermiyor.", failed="Yayın adresi alınamadı")
    uri = text((_soap.plain(answer) or {}).get("Uri"), 1000)
    if not uri:
        return Verdict.FAIL, "Cihaz yayın adresini boş döndürdü.", {"profile": token}
    safe = _soap.strip_credentials(uri)
    parts = urlsplit(safe)
    evidence: dict[str, Any] = {
        "profile": token,
        "uri": safe,
        "scheme": parts.scheme.lower(),
        "host_matches_target": same_address(parts.hostname, run.target.host),
    }
    if parts.scheme.lower() not in ("rtsp", "rtsps"):
        return Verdict.WARNING, f"Yayın adresi RTSP değil: {safe}", evidence
    return Verdict.OK, f"Yayın adresi: {safe}", evidence


async def ptz(run: Run) -> Outcome:
    xaddrs = run.cam.xaddrs
    if _soap.NS_PTZ not in xaddrs:
        if run.services_failure is not None or not xaddrs:
            raise CheckEndedError(
                Verdict.SKIPPED,
                "Cihaz hizmet listesini vermediği için PTZ belirlenemedi.",
                {"ptz": None, "blocked_by": "services"},
            )
        return Verdict.OK, f"{run.noun} PTZ (döndürme/eğme/yakınlaştırma) desteklemiyor.", {"ptz": False}
    evidence: dict[str, Any] = {"ptz": True}
    try:
        service = await run.call(run.cam.create_ptz_service(), "PTZ hizmeti hazırlığı")
        nodes = _soap.plain(await run.call(service.GetNodes(), "GetNodes")) or []
    except CallTimeoutError:
        raise
    except Exception as exc:
        evidence.update(_soap.describe_error(exc, secrets=run.secrets))
        return Verdict.WARNING, "PTZ hizmeti var, ama PTZ düğümleri okunamadı.", evidence
    evidence["nodes"] = [
        {
            "token": text(n.get("token")),
            "name": text(n.get("Name")),
            "max_presets": n.get("MaximumNumberOfPresets"),
            "home_supported": n.get("HomeSupported"),
        }
        for n in nodes[:8]
        if isinstance(n, dict)
    ]
    names = ", ".join(n["name"] or n["token"] for n in evidence["nodes"]) or "düğüm yok"
    return Verdict.OK, f"PTZ var ({names}).", evidence


def _interface(item: Any) -> dict[str, Any]:
    item = item if isinstance(item, dict) else {}
    info = item.get("Info") or {}
    ipv4 = item.get("IPv4") or {}
    config = ipv4.get("Config") or {}
    addresses = [
        f"{a.get('Address')}/{a.get('PrefixLength')}"
        for a in (config.get("Manual") or [])
        if isinstance(a, dict) and a.get("Address")
    ]
    from_dhcp = config.get("FromDHCP")
    if isinstance(from_dhcp, dict) and from_dhcp.get("Address"):
        addresses.append(f"{from_dhcp.get('Address')}/{from_dhcp.get('PrefixLength')}")
    return {
        "token": text(item.get("token")),
        "name": text(info.get("Name")),
        "mac": text(info.get("HwAddress")),
        "enabled": item.get("Enabled"),
        "ipv4_enabled": ipv4.get("Enabled"),
        "ipv4": addresses[:8],
        "dhcp": bool(config.get("DHCP")),
    }


def _profile(item: Any) -> dict[str, Any]:
    item = item if isinstance(item, dict) else {}
    encoder = item.get("VideoEncoderConfiguration") or {}
    resolution = encoder.get("Resolution") or {}
    rate = encoder.get("RateControl") or {}
    width, height = resolution.get("Width"), resolution.get("Height")
    return {
        "name": text(item.get("Name")),
        "token": text(item.get("token")),
        "encoding": text(encoder.get("Encoding")) or None,
        "width": width,
        "height": height,
        "resolution": f"{width}x{height}" if width and height else None,
        "frame_rate": rate.get("FrameRateLimit"),
        "bitrate_kbps": rate.get("BitrateLimit"),
        "ptz": item.get("PTZConfiguration") is not None,
    }


def _profile_summary(p: dict[str, Any]) -> str:
    parts = [p["name"] or p["token"], p["encoding"]]
    if p["width"] and p["height"]:
        parts.append(f"{p['width']}×{p['height']}")
    if p["frame_rate"]:
        parts.append(f"{p['frame_rate']} fps")
    return " ".join(str(x) for x in parts if x)
