"""Remote diagnosis throughput: devices per second with the server's concurrency limit.

100 simulated ONVIF cameras are diagnosed with the real ``diagnose()`` (every check, image health
against the camera's reference image included), three times in the same run:

(a) one device at a time (sequential ``await diagnose(...)``) — the baseline;
(b) all at once behind ``asyncio.Semaphore(N)``, N = ``Settings().diagnostics_concurrency`` (what
    ``DiagnosticsService`` does), and (c) with N = 25, for a curve.

The cameras are a recording of one real ipycam 1.3.0 peer, made at the start of the run through a
recording proxy (see ``bench/onvif_sim.py``), served by one aiohttp process (a subprocess, so its
CPU is not the client's) on 127.0.0.11 onwards, each with a seeded per-request latency and its own
serial number; some differ on purpose: a wrong password (AUTH FAIL), switched off or with the
port closed (TCP FAIL), the clock shifted (CLOCK FAIL), an older firmware (FIRMWARE WARNING). Each
run checks that every device got the intended verdict for the intended reason. Everything runs in
a private network namespace when root (else on loopback, ipycam's discovery off).

    .venv/bin/python bench/bench_diagnostics.py [devices] [concurrency]
"""

from __future__ import annotations

import logging

logging.basicConfig(level=logging.WARNING)  # before onvif/zeep, which call basicConfig on import

import asyncio  # noqa: E402
import base64  # noqa: E402
import ipaddress  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, NoReturn  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from onvif_sim import (  # noqa: E402
    Device,
    Latency,
    RecordingProxy,
    Simulator,
    create_netns,
    delete_netns,
    enter_netns,
    free_port,
    start_ipycam,
    stop_process,
)

from backend.config import Settings  # noqa: E402
from backend.integrations.onvif.diagnose import (  # noqa: E402
    Check,
    Diagnosis,
    Limits,
    Target,
    Verdict,
    diagnose,
    warm_up,
)

USER, PASSWORD, WRONG = "saha-bench", "Kamera-Parola-7!", "Eski-Parola-1"
FIRST_DEVICE = ipaddress.IPv4Address("127.0.0.11")
CLOCK_SHIFTS_S = (90, -75, 150, -45, 240)  # all within ipycam's 300 s WS-Security window
CURVE_N = 25
OLD_FIRMWARE = "1.2.0"
OUTCOMES = {
    "healthy": "healthy: all ok, snapshot and image health included",
    "old_firmware": "older firmware: firmware warning only",
    "clock": "clock shifted: clock fail only, drift = shift ±2 s",
    "wrong_password": "wrong password: auth fail (refused), nothing else fails",
    "silent": "switched off: tcp fail at the connect timeout",
    "closed": "port closed: tcp fail, refused",
}


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    durations: list[float]
    diagnoses: list[Diagnosis]
    client_cpu_s: float
    sim: dict[str, Any]


def _terminate(signum: int, _frame: Any) -> NoReturn:
    raise KeyboardInterrupt(f"signal {signum}")


def plan_devices(n: int, port: int, approved_firmware: str, latency: Latency) -> list[Device]:
    """n devices on 127.0.0.11 onwards; 5 % each of the faulty kinds, spread by a seeded shuffle."""
    k = round(n * 0.05)
    closed = (2 * k) // 5
    kinds = (
        ["wrong_password"] * k
        + ["silent"] * (k - closed)
        + ["closed"] * closed
        + ["clock"] * k
        + ["old_firmware"] * k
    )
    kinds += ["healthy"] * (n - len(kinds))
    random.Random(latency.seed).shuffle(kinds)
    devices, shifts = [], iter(CLOCK_SHIFTS_S * (1 + k // len(CLOCK_SHIFTS_S)))
    for i, kind in enumerate(kinds):
        devices.append(
            Device(
                index=i,
                host=str(FIRST_DEVICE + i),
                port=port,
                kind=kind,
                username=USER,
                password=WRONG if kind == "wrong_password" else PASSWORD,
                serial=f"SIM-{i + 1:06d}",
                firmware=OLD_FIRMWARE if kind == "old_firmware" else approved_firmware,
                clock_shift_s=float(next(shifts)) if kind == "clock" else 0.0,
                base_latency_ms=round(latency.base(i), 2),
            )
        )
    return devices


def intended(d: Device, dx: Diagnosis, limits: Limits) -> str | None:
    """Why ``dx`` is not what device ``d`` was made to produce (None when it is)."""

    def verdict(check: Check) -> Verdict | None:
        r = dx.result(check)
        return r.verdict if r else None

    tcp, auth, clock = dx.result(Check.TCP), dx.result(Check.AUTH), dx.result(Check.CLOCK)
    assert tcp is not None
    assert auth is not None
    assert clock is not None
    failing = sorted(r.check.value for r in dx.results if r.verdict is Verdict.FAIL)
    warning = sorted(r.check.value for r in dx.results if r.verdict is Verdict.WARNING)
    if d.kind in ("silent", "closed"):
        error = "TimeoutError" if d.kind == "silent" else "ConnectionRefusedError"
        if tcp.verdict is not Verdict.FAIL or tcp.evidence.get("error") != error:
            return f"tcp {tcp.verdict} {tcp.evidence.get('error')}, expected FAIL {error}"
        if (
            d.kind == "silent"
            and not limits.connect_timeout <= tcp.duration_ms / 1000 < limits.connect_timeout + 1
        ):
            return f"tcp failed after {tcp.duration_ms} ms, expected the connect timeout"
        return None if failing == ["tcp"] else f"failing {failing}"
    if d.kind == "wrong_password":
        refused = tcp.verdict is Verdict.OK and auth.verdict is Verdict.FAIL
        if not (refused and auth.message_tr.startswith("Kullanıcı adı/parola kabul edilmedi")):
            return f"auth {auth.verdict}: {auth.message_tr[:80]}"
        return None if failing == ["auth"] else f"failing {failing}"
    expected_fail = ["clock"] if d.kind == "clock" else []
    expected_warn = ["firmware"] if d.kind == "old_firmware" else []
    if failing != expected_fail or warning != expected_warn:
        return f"failing {failing}, warnings {warning}"
    if verdict(Check.SNAPSHOT) is not Verdict.OK or verdict(Check.IMAGE_HEALTH) is not Verdict.OK:
        return f"snapshot {verdict(Check.SNAPSHOT)}, image health {verdict(Check.IMAGE_HEALTH)}"
    if d.kind == "clock":
        drift = clock.evidence.get("drift_s")
        if not isinstance(drift, int | float) or abs(drift - d.clock_shift_s) > 2:
            return f"clock drift {drift}, shifted {d.clock_shift_s}"
    return None


async def record(
    workdir: Path, netns: str | None, processes: list[subprocess.Popen[Any]], limits: Limits
) -> tuple[dict[str, Any], Diagnosis, Diagnosis]:
    """Start a real ipycam, diagnose it through the recording proxy (right and wrong password)."""
    port = free_port()
    started = time.perf_counter()
    await asyncio.to_thread(
        start_ipycam,
        processes,
        host="127.0.0.1",
        port=port,
        username=USER,
        password=PASSWORD,
        discovery=netns is not None,
        log=workdir / "ipycam.log",
    )
    ipycam = processes[-1]
    proxy = RecordingProxy(("127.0.0.1", port), ("127.0.0.2", free_port("127.0.0.2")))
    await proxy.start()
    try:
        target = Target(proxy.listen[0], proxy.listen[1], USER, PASSWORD)
        good = await diagnose(target, limits=limits)
        bad = await diagnose(Target(proxy.listen[0], proxy.listen[1], USER, WRONG), limits=limits)
        await proxy.probe_unknown_operation(USER, PASSWORD)
    finally:
        await proxy.close()
        stop_process(ipycam)  # not needed any more: its CPU must not count
    if (
        good.overall is Verdict.FAIL
        or (auth := bad.result(Check.AUTH)) is None
        or auth.verdict is not Verdict.FAIL
    ):
        raise RuntimeError(
            f"the real ipycam did not behave as expected: {good.to_json()['results']} / {bad.overall}"
        )
    recording = proxy.recording()
    recording["device"] = dict(good.device)
    operations = sorted(set(recording["soap"]) - {"*"})
    print(
        f"  recorded ipycam 1.3.0 in {time.perf_counter() - started:.1f} s: {proxy.requests} requests, "
        f"{len(operations)} SOAP operations ({', '.join(operations)}), "
        f"refused-credential fault (HTTP {recording['refused']['status']}), snapshot "
        f"{len(good.snapshot or b'') // 1024} KiB {good.snapshot_type} behind "
        f"{recording['snapshot_challenge']['headers'].get('WWW-Authenticate', 'no challenge')}"
        + (f"; answers that varied: {recording['variants']}" if recording["variants"] else "")
    )
    return recording, good, bad


def signature(dx: Diagnosis) -> list[tuple[str, str, str]]:
    """Each check's verdict and message, without the address, serial number and figures."""
    host, port, serial = dx.target.host, dx.target.port, dx.device.get("serial")
    out = []
    for r in dx.results:
        message = r.message_tr.replace(f"{host}:{port}", "ADDR").replace(host, "HOST")
        message = message.replace(serial, "SERIAL") if serial else message
        out.append((r.check.value, r.verdict.value, re.sub(r"\d+", "#", message)))
    return out


async def fidelity(device: Device, real: list[Diagnosis], limits: Limits) -> list[str]:
    """Diagnose a simulated device as the real ipycam was diagnosed; the differences."""
    differences = []
    for dx, password in zip(real, (PASSWORD, WRONG), strict=True):
        sim = await diagnose(Target(device.host, device.port, USER, password), limits=limits)
        which = "right" if password == PASSWORD else "wrong"
        differences += [
            f"{which} password, {a[0]}: real {a[1:]} / simulated {b[1:]}"
            for a, b in zip(signature(dx), signature(sim), strict=True)
            if a != b
        ]
    return differences


async def measure(
    label: str,
    concurrency: int | None,
    devices: list[Device],
    sim: Simulator,
    *,
    limits: Limits,
    firmware: str,
    reference: bytes,
) -> Run:
    await sim.reset()
    before = await sim.stats()
    gate = asyncio.Semaphore(concurrency or 1)

    async def one(d: Device) -> tuple[Diagnosis, float]:
        async with gate:
            t0 = time.perf_counter()
            dx = await diagnose(
                Target(d.host, d.port, USER, PASSWORD),
                approved_firmware=firmware,
                reference_image=reference,
                limits=limits,
            )
            return dx, time.perf_counter() - t0

    cpu0, t0 = time.process_time(), time.perf_counter()
    if concurrency is None:
        results = [await one(d) for d in devices]
    else:
        results = list(await asyncio.gather(*(one(d) for d in devices)))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    after = await sim.stats()
    sim_delta = {
        "cpu_s": after["cpu_s"] - before["cpu_s"],
        "requests": after["requests"],
        "max_in_flight": after["max_in_flight"],
        "ops": after["ops"],
    }
    return Run(label, seconds, [r[1] for r in results], [r[0] for r in results], cpu, sim_delta)


def report(run: Run, devices: list[Device], limits: Limits, baseline: Run | None) -> list[tuple[Device, str]]:
    n = len(devices)
    rate = n / run.seconds
    ordered = sorted(run.durations)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    ratio = f"; ratio {rate / (n / baseline.seconds):.2f}x the sequential rate" if baseline else ""
    print(
        f"  {run.label:<24} {n} devices in {run.seconds:5.1f} s = {rate:5.2f} devices/s{ratio}\n"
        f"  {'':<24} per device p50 {p50:.2f} s, p95 {p95:.2f} s; client CPU {run.client_cpu_s:.1f} s "
        f"({run.client_cpu_s / n * 1000:.0f} ms/device, {run.client_cpu_s / run.seconds:.0%} of a core); "
        f"simulator {run.sim['requests']} requests, CPU {run.sim['cpu_s']:.1f} s, "
        f"max {run.sim['max_in_flight']} in flight"
    )
    per_check: dict[str, list[int]] = {}
    for dx in run.diagnoses:
        for r in dx.results:
            per_check.setdefault(r.check.value, []).append(r.duration_ms)
    means = ", ".join(
        f"{c} {statistics.mean(v):.0f}" for c, v in per_check.items() if statistics.mean(v) >= 1
    )
    print(f"  {'':<24} mean ms per check: {means}")
    return [
        (d, why) for d, dx in zip(devices, run.diagnoses, strict=True) if (why := intended(d, dx, limits))
    ]


async def bench(n: int, concurrency: int, netns: str | None, workdir: Path, processes: list[Any]) -> int:
    t_start, load_start = time.perf_counter(), os.getloadavg()[0]
    settings = Settings()
    limits = Limits(
        connect_timeout=settings.diagnostics_connect_timeout, call_timeout=settings.diagnostics_call_timeout
    )
    where = f"private network namespace {netns}" if netns else "loopback (no netns), ipycam discovery off"
    print(f"diagnostics: {n} simulated ONVIF cameras, recorded from one real ipycam, in a {where}")
    await warm_up()  # the WSDL parse, once per process, before anything is timed
    recording, *real = await record(workdir, netns, processes, limits)
    firmware = recording["device"].get("firmware", "")
    snapshot = base64.b64decode(recording["snapshot"]["body_b64"])  # the camera's own reference image
    latency = Latency()
    port = 80 if netns else free_port(str(FIRST_DEVICE))
    devices = plan_devices(n, port, firmware, latency)
    sim = await asyncio.to_thread(Simulator, processes, recording, devices, latency, workdir)
    kinds = Counter(d.kind for d in devices)
    shifts = ", ".join(f"{d.clock_shift_s:+.0f} s" for d in devices if d.kind == "clock")
    print(
        f"  simulation: {latency.describe()}; {kinds['wrong_password']} wrong password, "
        f"{kinds['silent']} switched off (SYN dropped), {kinds['closed']} port closed, "
        f"{kinds['clock']} clock shifted ({shifts}), "
        f"{kinds['old_firmware']} older firmware, {kinds['healthy']} healthy"
    )
    print(
        f"  limits: connect {limits.connect_timeout:g} s, call {limits.call_timeout:g} s; approved firmware "
        f"{firmware}; reference image = the recorded snapshot (image health runs on every healthy device)"
    )
    healthy = next(d for d in devices if d.kind == "healthy")
    unlike = await fidelity(healthy, real, limits)
    checks = len(real[0].results) + len(real[1].results)
    print(
        f"  fidelity: {healthy.host} diagnosed as the real ipycam was (right, then wrong password): "
        f"{checks - len(unlike)}/{checks} checks with the same verdict and message"
    )
    # warm-up on the simulator: connection set-up paths, the image-health import (cv2, scikit-image)
    await diagnose(
        Target(healthy.host, healthy.port, USER, PASSWORD),
        approved_firmware=firmware,
        reference_image=snapshot,
        limits=limits,
    )
    common = {"limits": limits, "firmware": firmware, "reference": snapshot}
    sequential = await measure("(a) one at a time", None, devices, sim, **common)
    problems = report(sequential, devices, limits, None)
    runs = [sequential]
    sizes = [concurrency] + ([CURVE_N] if concurrency != CURVE_N and n > CURVE_N else [])
    for tag, size in zip("bc", sizes, strict=False):
        run = await measure(f"({tag}) Semaphore({size})", size, devices, sim, **common)
        problems += report(run, devices, limits, sequential)
        runs.append(run)
    overall = Counter(dx.overall.value for dx in sequential.diagnoses)
    same = all(
        [dx.overall for dx in r.diagnoses] == [dx.overall for dx in sequential.diagnoses] for r in runs
    )
    print(
        f"  verdicts (each run): ok {overall['ok']} / warning {overall['warning']} / fail {overall['fail']}"
        f" (identical in every run: {same})"
    )
    wrong = Counter(d.kind for d, _ in problems)
    kinds = Counter(d.kind for d in devices)
    print(
        "  intended verdict for the intended reason, in every run: "
        + " · ".join(f"{kinds[k] - wrong[k]}/{kinds[k]} {what}" for k, what in OUTCOMES.items() if kinds[k])
    )
    print(f"  simulator answers by operation, {runs[-1].label}: {dict(sorted(runs[-1].sim['ops'].items()))}")
    print(
        f"  whole bench {time.perf_counter() - t_start:.0f} s; load average {os.getloadavg()[0]:.1f} "
        f"(at start {load_start:.1f}) on {os.cpu_count()} CPUs"
    )
    for d, why in problems[:20]:
        print(f"  NOT AS INTENDED: {d.host} ({d.kind}): {why}")
    for line in unlike:
        print(f"  SIMULATION DIFFERS: {line}")
    return 1 if problems or unlike or not same else 0


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else Settings().diagnostics_concurrency
    if not 1 <= n <= 1000 or concurrency < 1:
        raise SystemExit("usage: bench_diagnostics.py [devices 1-1000] [concurrency >= 1]")
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    processes: list[subprocess.Popen[Any]] = []
    netns, why = create_netns()
    try:
        if netns:
            enter_netns(netns)  # this thread, and every thread and process started from now on
        elif why:
            print(f"  (no private network namespace: {why})")
        with tempfile.TemporaryDirectory(prefix="saha-bench-onvif-") as tmp:
            try:
                return asyncio.run(bench(n, concurrency, netns, Path(tmp), processes))
            except KeyboardInterrupt as exc:
                print(
                    f"  interrupted ({exc or 'Ctrl-C'}); processes and namespace cleaned up", file=sys.stderr
                )
                return 130
            finally:
                for process in reversed(processes):
                    stop_process(process)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        if netns:
            delete_netns(netns)


if __name__ == "__main__":
    sys.exit(main())
