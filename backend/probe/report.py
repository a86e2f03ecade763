"""A diagnosis on the technician's terminal (a summary in Turkish), and queued for the server
as a ``diagnostics.record`` envelope with its snapshot."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from backend.integrations.onvif.record import build_record_args
from backend.probe.inventory import InvDevice
from backend.probe.queue import Item, ProbeQueue
from backend.shared.checks import check_label

RECORD = "diagnostics.record"
OVERALL_TR = {"ok": "SAĞLAM", "warning": "UYARI", "fail": "ARIZALI"}
_SEVERITY = {"ok": 0, "not_supported": 0, "skipped": 0, "warning": 1, "fail": 2}


def overall_of(results: list[Mapping[str, Any]]) -> str:
    rank = max((_SEVERITY.get(str(r.get("verdict")), 0) for r in results), default=0)
    return {0: "ok", 1: "warning", 2: "fail"}[rank]


def sniff_image(data: bytes) -> str | None:
    """The content type of an image the server accepts, by its magic bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def summary_lines(device: InvDevice, report: Mapping[str, Any]) -> list[str]:
    results = list(report.get("results") or [])
    overall = overall_of(results)
    lines = [f"{device.asset_tag}  {device.address}  {OVERALL_TR[overall]}"]
    for r in results:
        verdict = str(r.get("verdict"))
        if verdict not in ("fail", "warning"):
            continue
        label = check_label(str(r["check"]))
        marker = "HATA " if verdict == "fail" else "uyarı"
        message = str(r.get("message_tr") or r.get("message") or "").strip()
        lines.append(f"    {marker}  {label}: {message}" if message else f"    {marker}  {label}")
    return lines


def enqueue_result(
    queue: ProbeQueue,
    device: InvDevice,
    outcome: Any,
    work_order: str | None,
    *,
    with_reference: bool = False,
) -> Item:
    """Queue one diagnosis as a ``diagnostics.record`` envelope (with its snapshot, if any)."""
    report = outcome.to_json()
    snapshot: bytes | None = getattr(outcome, "snapshot", None) or None
    snapshot_type = None
    if snapshot is not None:
        snapshot_type = sniff_image(snapshot)
        if snapshot_type is None:  # the server would refuse it: keep the result, not the bytes
            snapshot = None
    sha = queue.store_snapshot(snapshot)[0] if snapshot is not None else None
    args = build_record_args(
        report,
        diagnosis_id=str(uuid.uuid4()),
        device_id=device.id,
        snapshot_sha256=sha,
        work_order_id=work_order,
        reference_sha256=device.reference_sha256 if with_reference else None,
    )
    return queue.enqueue(RECORD, args, label=device.asset_tag, snapshot=snapshot, snapshot_type=snapshot_type)
