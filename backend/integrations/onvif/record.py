"""A diagnosis' ``to_json()`` as the arguments of the ``diagnostics.record`` command: one
mapping for the server's remote runs and for ``saha probe``'s queued envelopes. Values are kept
inside what the command accepts (message length, evidence size, number of results)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from backend.integrations.onvif._identity import clean_identity

MAX_MESSAGE = 1000
MAX_EVIDENCE_CHARS = 19_000  # the command refuses more than 20 000 (repr of the dict)
MAX_RESULTS = 30


def _evidence(value: Any) -> dict[str, Any]:
    try:
        data = json.loads(json.dumps(value if isinstance(value, dict) else {}, default=str))
    except (TypeError, ValueError):
        data = {}
    if len(repr(data)) > MAX_EVIDENCE_CHARS:
        return {"truncated": True, "excerpt": json.dumps(data, ensure_ascii=False)[:2000]}
    return dict(data)


def build_record_args(
    report: Mapping[str, Any],
    *,
    diagnosis_id: str,
    device_id: str,
    snapshot_sha256: str | None,
    work_order_id: str | None = None,
    reference_sha256: str | None = None,
    source: str = "PROBE",
) -> dict[str, Any]:
    """The ``diagnostics.record`` arguments (camelCase, as the sync wire wants them) from a
    diagnosis' ``to_json()``."""
    results = [
        {
            "check": str(r["check"]),
            "verdict": str(r["verdict"]),
            "message": str(r.get("message_tr") or r.get("message") or "")[:MAX_MESSAGE],
            "evidence": _evidence(r.get("evidence")),
            "durationMs": max(0, min(int(r.get("duration_ms", r.get("durationMs", 0)) or 0), 3_600_000)),
        }
        for r in list(report.get("results") or [])[:MAX_RESULTS]
    ]
    # Only well-formed identity text (short, printable) may reach the inventory, whoever made the
    # report: the server's own run or a probe's queued envelope.
    device = clean_identity(dict(report.get("device") or {}))
    args: dict[str, Any] = {
        "id": diagnosis_id,
        "deviceId": device_id,
        "source": source,
        "startedAt": str(report["started_at"]),
        "finishedAt": str(report["finished_at"]),
        "results": results,
        "device": device,
    }
    if work_order_id:
        args["workOrderId"] = work_order_id
    if snapshot_sha256:
        args["snapshotSha256"] = snapshot_sha256
    if reference_sha256:
        args["referenceSha256"] = reference_sha256
    return args
