"""What a diagnosis is made of: checks, verdicts, the target, limits and thresholds, results."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.integrations.onvif import _transport


class Verdict(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAIL = "fail"
    NOT_SUPPORTED = "not_supported"  # the device does not offer it; not a fault
    SKIPPED = (
        "skipped"  # not tried: an earlier check failed, or a prerequisite (baseline, reference) is missing
    )


class Check(StrEnum):
    TCP = "tcp"
    ONVIF = "onvif"
    AUTH = "auth"
    DEVICE_INFO = "device_info"
    FIRMWARE = "firmware"
    CLOCK = "clock"
    NETWORK = "network"
    PROFILES = "profiles"
    STREAM_URI = "stream_uri"
    SNAPSHOT = "snapshot"
    IMAGE_HEALTH = "image_health"
    PTZ = "ptz"
    RETENTION = "retention"
    RECORDING_ACTIVE = "recording_active"


_SEVERITY = {Verdict.OK: 0, Verdict.WARNING: 1, Verdict.FAIL: 2}


@dataclass(frozen=True)
class Target:
    host: str
    port: int = 80
    username: str = ""
    password: str = field(default="", repr=False)
    is_recorder: bool = False

    def to_json(self) -> dict[str, Any]:
        """Everything but the password."""
        return {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "is_recorder": self.is_recorder,
        }


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 3.0
    call_timeout: float = 8.0  # each SOAP call, the snapshot download, the image analysis
    max_snapshot_bytes: int = 8 * 1024 * 1024
    max_response_bytes: int = _transport.DEFAULT_MAX_RESPONSE_BYTES  # each SOAP answer
    deadline: float = 25.0  # the whole diagnosis; checks not reached by then say so
    allow_loopback: bool = False  # development and tests only: devices never live on loopback


@dataclass(frozen=True)
class Thresholds:
    clock_warning_s: float = 5.0
    clock_fail_s: float = 30.0
    retention_min_days: float = 20.0  # directive 9: recordings are kept at least 20 days
    recording_stale_minutes: float = 30.0


@dataclass(frozen=True)
class CheckResult:
    check: Check
    verdict: Verdict
    message_tr: str
    evidence: dict[str, Any]  # JSON-able only
    duration_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check.value,
            "verdict": self.verdict.value,
            "message_tr": self.message_tr,
            "evidence": self.evidence,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class Diagnosis:
    target: Target
    started_at: datetime
    finished_at: datetime
    results: list[CheckResult]
    device: dict[str, str] = field(default_factory=dict)  # make, model, serial, firmware, hardware_id
    snapshot: bytes | None = field(default=None, repr=False)
    snapshot_type: str | None = None

    @property
    def overall(self) -> Verdict:
        """The worst of ok < warning < fail; not_supported and skipped do not make it worse."""
        worst = Verdict.OK
        for result in self.results:
            if _SEVERITY.get(result.verdict, 0) > _SEVERITY[worst]:
                worst = result.verdict
        return worst

    def result(self, check: Check) -> CheckResult | None:
        return next((r for r in self.results if r.check is check), None)

    def to_json(self) -> dict[str, Any]:
        """Everything except the snapshot bytes (their size and SHA-256 instead) and the password."""
        return {
            "target": self.target.to_json(),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "overall": self.overall.value,
            "results": [r.to_json() for r in self.results],
            "device": dict(self.device),
            "snapshot_type": self.snapshot_type,
            "snapshot_bytes": len(self.snapshot) if self.snapshot is not None else None,
            "snapshot_sha256": hashlib.sha256(self.snapshot).hexdigest()
            if self.snapshot is not None
            else None,
        }


Outcome = tuple[Verdict, str, dict[str, Any]]  # what a check found: verdict, Turkish message, evidence


class CheckEndedError(Exception):
    """Ends a check with a given outcome (skipped, not supported, or a mapped failure)."""

    def __init__(self, verdict: Verdict, message: str, evidence: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.outcome: Outcome = (verdict, message, evidence or {})
