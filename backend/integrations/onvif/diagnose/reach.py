"""Reachability: a TCP connection to the checked address, then an ONVIF answer at all
(``tcp``, ``onvif``). Either failing stops the diagnosis: nothing else can be tried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from backend.integrations.onvif import _failures, _probe, _soap, _transport
from backend.integrations.onvif._failures import CallTimeoutError, FailureKind
from backend.integrations.onvif.diagnose.model import (
    Outcome,
    Verdict,
)
from backend.integrations.onvif.diagnose.text import (
    host_port,
    num,
)

if TYPE_CHECKING:
    from backend.integrations.onvif.diagnose.run import Run

log = logging.getLogger("saha.onvif")


async def tcp(run: Run) -> Outcome:
    t = run.target
    address = host_port(t.host, t.port)
    evidence: dict[str, Any] = {"address": address, "timeout_s": run.limits.connect_timeout}
    started = time.perf_counter()
    policy = _transport.AddressPolicy(allow_loopback=run.limits.allow_loopback)
    try:
        seconds, _ = run.budget.cap(run.limits.connect_timeout)
        run.address = await _transport.guard_address(t.host, t.port, policy, seconds)
        async with asyncio.timeout(seconds):
            _reader, writer = await asyncio.open_connection(run.address, t.port)
    except _failures.FailureError as refused:
        failure = _failures.classify(refused)
        evidence.update(failure.as_evidence())
        return Verdict.FAIL, failure.message_tr, evidence
    except TimeoutError:
        evidence["error"] = "TimeoutError"
        return (
            Verdict.FAIL,
            f"{address} adresine {num(run.limits.connect_timeout)} sn içinde bağlanılamadı: "
            "cihaz kapalı, ağ bağlantısı kopuk ya da bir güvenlik duvarı engelliyor olabilir.",
            evidence,
        )
    except ConnectionRefusedError:
        evidence["error"] = "ConnectionRefusedError"
        return (
            Verdict.FAIL,
            f"{address} bağlantıyı reddetti: cihaz ağda ama bu portta hizmet yok "
            "(port yanlış ya da ONVIF kapalı).",
            evidence,
        )
    except socket.gaierror as exc:
        evidence.update(error="gaierror", detail=str(exc)[:200])
        return (
            Verdict.FAIL,
            f"{t.host} adresi çözümlenemedi: adres yanlış ya da DNS erişilemiyor.",
            evidence,
        )
    except OSError as exc:
        evidence.update(error=type(exc).__name__, errno=exc.errno, detail=(exc.strerror or str(exc))[:200])
        return (
            Verdict.FAIL,
            f"{address} adresine bağlanılamadı ({exc.strerror or type(exc).__name__}).",
            evidence,
        )
    connect_ms = round((time.perf_counter() - started) * 1000, 1)
    peer = writer.get_extra_info("peername")
    writer.close()
    with contextlib.suppress(Exception):
        async with asyncio.timeout(1.0):
            await writer.wait_closed()
    evidence.update(connect_ms=connect_ms, peer=peer[0] if isinstance(peer, tuple) and peer else None)
    return Verdict.OK, f"{address} adresine bağlanıldı ({num(connect_ms, 0)} ms).", evidence


async def onvif(run: Run) -> Outcome:
    t = run.target
    endpoint = f"http://{_transport.url_host(run.address)}:{t.port}/onvif/device_service"
    evidence: dict[str, Any] = {"endpoint": endpoint}
    before = run.now()
    started = time.perf_counter()
    try:
        answer = await run.call(
            _probe.probe(
                endpoint,
                connect_timeout=run.limits.connect_timeout,
                total_timeout=run.budget.cap()[0],
                max_body=run.limits.max_response_bytes,
            ),
            "GetSystemDateAndTime",
        )
    except CallTimeoutError:
        raise
    except (OSError, aiohttp.ClientError, _failures.FailureError) as exc:
        failure = _failures.classify(exc, what="GetSystemDateAndTime")
        evidence.update(failure.as_evidence())
        return Verdict.FAIL, f"ONVIF isteğine yanıt alınamadı. {failure.message_tr}", evidence
    after = run.now()
    run.http_date = (answer.http_date, before + (after - before) / 2)
    evidence.update(
        http_status=answer.status,
        response_ms=round((time.perf_counter() - started) * 1000, 1),
        http_date=answer.http_date,
    )
    if answer.time is not None:
        run.clock_sample = (answer.time, before, after)
        evidence["authless_time"] = True
        return Verdict.OK, "ONVIF hizmeti yanıt veriyor.", evidence
    evidence["authless_time"] = False
    if answer.soap:
        evidence["fault"] = _soap.jsonable(answer.fault)
        return (
            Verdict.OK,
            "ONVIF hizmeti yanıt veriyor; cihaz saat sorgusu için de parola istiyor "
            "(saat, kimlik doğrulamasından sonra okunacak).",
            evidence,
        )
    if answer.status in (401, 403):
        run.http_auth_only = True
        return (
            Verdict.OK,
            f"ONVIF adresi HTTP kimlik doğrulaması istiyor (HTTP {answer.status}); "
            "saat, kimlik doğrulamasından sonra okunacak.",
            evidence,
        )
    evidence["content_type"] = answer.content_type
    if answer.bad_xml:
        failure = _failures.classify(
            _failures.FailureError(FailureKind.BAD_XML, reason="syntax", http_status=answer.status)
        )
        evidence.update(failure.as_evidence())
        return Verdict.FAIL, f"ONVIF isteğine geçerli yanıt alınamadı. {failure.message_tr}", evidence
    what = f"HTTP {answer.status}" if answer.status != 200 else "SOAP olmayan yanıt"
    return (
        Verdict.FAIL,
        f"{host_port(t.host, t.port)} adresinde ONVIF hizmeti bulunamadı ({what}): "
        "port yanlış ya da cihazda ONVIF kapalı olabilir.",
        evidence,
    )
