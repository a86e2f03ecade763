"""Small helpers the checks share: Turkish numbers and spans, trimmed text, addresses, times."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any


def num(value: float, digits: int = 1) -> str:
    """Turkish decimal comma: 12.5 → "12,5"."""
    return f"{value:.{digits}f}".replace(".", ",")


def span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} sn"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} dk"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} sa {minutes} dk" if minutes else f"{hours} sa"
    days, hours = divmod(hours, 24)
    return f"{days} gün {hours} sa"


def text(value: Any, limit: int = 120) -> str:
    return "" if value is None else str(value).strip()[:limit]


def host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def service_name(namespace: str) -> str:
    # "http://www.onvif.org/ver10/media/wsdl" → "media"
    parts = [p for p in namespace.split("/") if p]
    return parts[-2] if len(parts) >= 2 and parts[-1] == "wsdl" else namespace


def same_address(a: str | None, b: str) -> bool:
    if not a:
        return False
    a, b = a.strip("[]").lower(), b.strip("[]").lower()
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


def onvif_datetime(value: Any) -> datetime | None:
    if not isinstance(value, dict):
        return None
    d, t = value.get("Date") or {}, value.get("Time") or {}
    try:
        return datetime(
            int(d["Year"]),
            int(d["Month"]),
            int(d["Day"]),
            int(t["Hour"]),
            int(t["Minute"]),
            int(t["Second"]),
            tzinfo=UTC,
        )
    except (KeyError, TypeError, ValueError):
        return None
