"""The picture: a snapshot fetched from the device, pinned to its address (``snapshot``), and its
health against the camera's reference image (``image_health``)."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from backend.integrations.onvif import _failures, _snapshot, _soap
from backend.integrations.onvif._failures import CallTimeoutError
from backend.integrations.onvif.diagnose.media import first_profile
from backend.integrations.onvif.diagnose.model import (
    CheckEndedError,
    Outcome,
    Verdict,
)
from backend.integrations.onvif.diagnose.text import (
    num,
    same_address,
    text,
)

if TYPE_CHECKING:
    from backend.integrations.onvif.diagnose.run import Run

log = logging.getLogger("saha.onvif")


async def snapshot(run: Run) -> Outcome:
    token = first_profile(run, "anlık görüntü")
    uri = await _advertised_uri(run, token)
    url, rewritten = _pin_to_target(run, uri)
    evidence: dict[str, Any] = {"profile": token, "uri": _soap.strip_credentials(url)}
    if rewritten:
        evidence["advertised_host"] = urlsplit(uri).hostname
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return Verdict.FAIL, "Anlık görüntü adresi HTTP değil.", evidence
    fetched = await _fetch(run, url, evidence)
    evidence.update(
        http_status=fetched.status,
        auth_scheme=fetched.scheme,
        content_type=fetched.declared_type,
        redirects=fetched.redirects,
    )
    if fetched.status in (401, 403):
        return (
            Verdict.FAIL,
            f"Anlık görüntü için kullanıcı adı/parola kabul edilmedi (HTTP {fetched.status}).",
            evidence,
        )
    if fetched.status != 200:
        return Verdict.FAIL, f"Anlık görüntü alınamadı (HTTP {fetched.status}).", evidence
    return _judge_image(run, fetched, evidence)


async def _advertised_uri(run: Run, token: str) -> str:
    """The snapshot URL the device gives for the profile ``token`` (not supported: none)."""
    try:
        answer = await run.call(run.media.GetSnapshotUri({"ProfileToken": token}), "GetSnapshotUri")
    except CallTimeoutError:
        raise
    except Exception as exc:
        if _soap.is_fault(exc):  # snapshots are optional in ONVIF Profile S
            raise CheckEndedError(
                Verdict.NOT_SUPPORTED,
                "Cihaz anlık görüntü adresi vermiyor.",
                _soap.describe_error(exc, secrets=run.secrets),
            ) from exc
        raise
    uri = text((_soap.plain(answer) or {}).get("Uri"), 1000)
    if not uri:
        raise CheckEndedError(
            Verdict.NOT_SUPPORTED, "Cihaz anlık görüntü adresini boş döndürdü.", {"profile": token}
        )
    return uri


async def _fetch(run: Run, url: str, evidence: dict[str, Any]) -> _snapshot.Fetched:
    """The snapshot's HTTP answer, within the budget and the size limit; what the fetch refused
    (too large, redirects, another host) ends the check as a failure."""
    seconds, by_deadline = run.budget.cap()
    try:
        return await _snapshot.fetch(
            url,
            host=run.address,
            username=run.target.username,
            password=run.target.password,
            connect_timeout=run.limits.connect_timeout,
            total_timeout=seconds,
            max_bytes=run.limits.max_snapshot_bytes,
        )
    except TimeoutError as exc:
        if by_deadline:
            raise _failures.DeadlineExceededError("anlık görüntü", run.limits.deadline) from exc
        raise CallTimeoutError("anlık görüntü", seconds) from exc
    except _snapshot.SnapshotError as exc:
        evidence.update(error=exc.reason, **exc.details)
        limit_mb = num(run.limits.max_snapshot_bytes / 2**20)
        messages = {
            "too_large": f"Anlık görüntü {limit_mb} MB sınırını aşıyor.",
            "too_many_redirects": "Anlık görüntü adresi çok fazla yönlendirme yapıyor.",
            "other_host": "Anlık görüntü adresi başka bir cihaza yönlendiriyor; güvenlik için izlenmedi.",
        }
        message = messages.get(exc.reason, "Anlık görüntü alınamadı.")
        raise CheckEndedError(Verdict.FAIL, message, evidence) from exc


def _judge_image(run: Run, fetched: _snapshot.Fetched, evidence: dict[str, Any]) -> Outcome:
    """An answer of HTTP 200: is it an image, and was it given without a password?"""
    kind = _snapshot.image_type(fetched.body)
    evidence["bytes"] = len(fetched.body)
    if kind is None:
        return (
            Verdict.FAIL,
            f"Anlık görüntü adresi görüntü yerine başka bir şey döndürdü ({fetched.declared_type}, "
            f"{len(fetched.body)} bayt).",
            evidence,
        )
    run.snapshot, run.snapshot_type = fetched.body, kind
    size = _snapshot.image_size(fetched.body)
    evidence.update(image_type=kind, sha256=hashlib.sha256(fetched.body).hexdigest())
    if size:
        evidence.update(width=size[0], height=size[1])
    label = "JPEG" if kind == "image/jpeg" else "PNG"
    dims = f", {size[0]}×{size[1]}" if size else ""
    if fetched.scheme == "none":
        return (
            Verdict.WARNING,
            f"Anlık görüntü alındı ({label}{dims}), ama parola sorulmadan veriliyor: görüntüye yetkisiz "
            "erişilebilir (izleme yetkisi, md. 11).",
            evidence,
        )
    scheme = "Digest" if fetched.scheme == "digest" else "Basic"
    kib = num(len(fetched.body) / 1024, 0)
    return (
        Verdict.OK,
        f"Anlık görüntü alındı ({kib} KB {label}{dims}, {scheme} kimlik doğrulaması).",
        evidence,
    )


def _pin_to_target(run: Run, uri: str) -> tuple[str, bool]:
    """The snapshot URL without user-info, on the target's host: the device must not send us elsewhere."""
    parts = urlsplit(uri.strip())
    port = parts.port
    host = run.address
    rewritten = not same_address(parts.hostname, run.target.host) and not same_address(parts.hostname, host)
    netloc_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    netloc = f"{netloc_host}:{port}" if port else netloc_host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), rewritten


async def image_health(run: Run) -> Outcome:
    if run.snapshot is None:
        raise CheckEndedError(
            Verdict.SKIPPED,
            "Anlık görüntü alınamadığı için görüntü sağlığı değerlendirilemedi.",
            {"blocked_by": "snapshot"},
        )
    if not run.reference_image:
        raise CheckEndedError(
            Verdict.SKIPPED,
            "Referans görüntü yok: kabulde ya da temizlikten sonra referans belirleyin.",
            {"reason": "no_reference"},
        )
    assess = run.assess_image
    if assess is None:
        try:
            from backend.integrations.imaging.health import assess as default_assess
        except ImportError as exc:
            log.error("image health module unavailable: %s", exc)
            raise CheckEndedError(
                Verdict.SKIPPED,
                "Görüntü sağlığı modülü kullanılamıyor (yazılım hatası).",
                {"error": "ImportError"},
            ) from exc
        assess = default_assess
    reference, snapshot = run.reference_image, run.snapshot
    if inspect.iscoroutinefunction(assess):
        report = await run.call(assess(reference, snapshot), "görüntü analizi")
    else:
        report = await run.call(asyncio.to_thread(assess, reference, snapshot), "görüntü analizi")
    if inspect.isawaitable(report):
        report = await run.call(report, "görüntü analizi")
    raw = getattr(report, "verdict", "")
    verdict_text = str(getattr(raw, "value", raw)).lower()
    evidence = {
        "verdict": verdict_text,
        "problems": _soap.jsonable(getattr(report, "problems", None)),
        "metrics": _soap.jsonable(getattr(report, "metrics", None)),
    }
    mapped = {"ok": Verdict.OK, "warning": Verdict.WARNING, "fail": Verdict.FAIL}.get(verdict_text)
    message = text(getattr(report, "message_tr", ""), 1000)
    if mapped is None:
        return Verdict.FAIL, f"Görüntü sağlığı sonucu anlaşılamadı ({verdict_text or 'boş'}).", evidence
    defaults = {
        Verdict.OK: "Görüntü referansla uyumlu.",
        Verdict.WARNING: "Görüntüde referansa göre bozulma var.",
        Verdict.FAIL: "Görüntü referanstan belirgin biçimde farklı.",
    }
    return mapped, message or defaults[mapped], evidence
