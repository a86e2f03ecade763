"""``saha probe``: diagnose a site's cameras from a technician's laptop, queue, push.

The flow: (1) the inventory — signed in when the server answers, cached in the state directory
for offline days; (2) which devices to diagnose — WS-Discovery answers and ``--address``
entries, matched by IP to inventory devices whose address lies in their site's IP blocks
(nothing else is ever contacted); (3) :func:`backend.integrations.onvif.diagnose.diagnose` for
each, a few at a time, with a summary in Turkish; (4) every result queued durably
(:mod:`backend.probe.queue`) as a ``diagnostics.record`` envelope; (5) the queue pushed: snapshots
by tus, then ``syncPush`` in seq order.

Exit codes: 0 all well; 1 some device failed a check (overall ``fail``); 2 results could not be
pushed (still queued) or were rejected by the server; 3 usage, sign-in or inventory problems.
When more than one applies, the highest wins.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import getpass
import ipaddress
import json
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from backend.integrations.onvif.record import build_record_args
from backend.probe.queue import QUEUED, Item, ProbeQueue, atomic_write
from backend.shared.addresses import AddressPolicy, refusal
from backend.shared.checks import check_label

EXIT_OK, EXIT_FAILING, EXIT_QUEUED, EXIT_USAGE = 0, 1, 2, 3
DEFAULT_STATE = "~/.saha-probe"
DEFAULT_ONVIF_PORT = 80
CONCURRENCY = 4
DIAGNOSABLE_KINDS = ("CAMERA", "RECORDER")
# Cameras in service, and planned ones being accepted on site; removed and scrapped ones are not
# contacted even when something answers at their old address.
DIAGNOSABLE_STATUSES = ("ACTIVE", "FAULTY", "PLANNED")
RECORD = "diagnostics.record"
BATCH_ENVELOPES = 100
BATCH_BYTES = 600_000  # the server accepts GraphQL bodies up to 1 MB by default
PERMANENT_UPLOAD_CODES = {
    "BLOB_TYPE_NOT_ALLOWED",
    "BLOB_TOO_LARGE",
    "BLOB_CHECKSUM_MISMATCH",
    "LIMIT_EXCEEDED",
    "VALIDATION_FAILED",
}
OVERALL_TR = {"ok": "SAĞLAM", "warning": "UYARI", "fail": "ARIZALI"}
_SEVERITY = {"ok": 0, "not_supported": 0, "skipped": 0, "warning": 1, "fail": 2}

PasswordSource = Callable[[str], str]


class UsageError(Exception):
    pass


# ---- arguments ---------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Diagnose the inventory's cameras and recorders from this machine (ONVIF), queue the "
        "results durably and push them to the Saha server through the sync protocol."
    )
    p.epilog = (
        "Exit codes: 0 ok; 1 a device failed a check; 2 results could not be pushed (they stay "
        "queued: run again with --push-only) or were rejected; 3 usage, sign-in or inventory errors."
    )
    p.add_argument("--server", required=True, help="Saha server, e.g. http://saha.local:8000")
    p.add_argument("--user", required=True, help="Saha username (password: SAHA_PROBE_PASSWORD or asked)")
    p.add_argument("--site", help="site code (e.g. KNK-HB-01): only that site's devices")
    p.add_argument("--interface", help="IPv4 address of the laptop's interface on the camera network")
    p.add_argument(
        "--onvif-user",
        default="admin",
        help="the cameras' ONVIF account (password: SAHA_ONVIF_PASSWORD or asked; never stored)",
    )
    p.add_argument("--timeout", type=float, default=3.0, help="discovery window and connect timeout (s)")
    p.add_argument("--state", default=DEFAULT_STATE, help="state directory (queue, inventory cache)")
    p.add_argument("--push-only", action="store_true", help="only push what is queued")
    p.add_argument("--no-discovery", action="store_true", help="diagnose only the --address entries")
    p.add_argument(
        "--address",
        action="append",
        default=[],
        metavar="IP",
        help="diagnose this inventory device without waiting for discovery (repeatable)",
    )
    p.add_argument("--work-order", help="work order id the results belong to (optional)")
    p.add_argument("--concurrency", type=int, default=CONCURRENCY, help=argparse.SUPPRESS)
    p.add_argument(
        "--allow-loopback",
        action="store_true",
        help="let ONVIF connect to loopback addresses (127.0.0.0/8, ::1): lab and tests only, never on site",
    )


@dataclass(frozen=True)
class Options:
    server: str
    user: str
    site: str | None
    interface: str | None
    onvif_user: str
    timeout: float
    state: Path
    push_only: bool
    discovery: bool
    addresses: tuple[str, ...]
    work_order: str | None
    concurrency: int
    allow_loopback: bool = False


def options(args: argparse.Namespace) -> Options:
    server = str(args.server).rstrip("/")
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--server bir http(s) adresi olmalı: {args.server!r}")
    user = str(args.user).strip()
    if not user or user in (".", ".."):
        raise UsageError("--user boş olamaz")
    allow_loopback = bool(getattr(args, "allow_loopback", False))
    addresses = []
    for raw in args.address:
        try:
            addresses.append(str(ipaddress.ip_address(raw.strip())))
        except ValueError:
            raise UsageError(f"--address bir IP adresi olmalı: {raw!r}") from None
        refused = refusal(addresses[-1], AddressPolicy(allow_loopback=allow_loopback))
        if refused is not None:
            raise UsageError(
                f"--address {addresses[-1]}: {refused} aralığındaki adreslere bağlanılmaz "
                "(a camera never lives in this range)"
            )
    if args.interface is not None:
        try:
            ipaddress.IPv4Address(args.interface)
        except ValueError:
            raise UsageError(f"--interface bir IPv4 adresi olmalı: {args.interface!r}") from None
    if args.no_discovery and not addresses and not args.push_only:
        raise UsageError("--no-discovery ile en az bir --address verin")
    if not 0 < args.timeout <= 60:
        raise UsageError("--timeout 0 ile 60 saniye arasında olmalı")
    work_order = None
    if args.work_order:
        try:
            work_order = str(uuid.UUID(args.work_order))
        except ValueError:
            raise UsageError(f"--work-order bir iş emri kimliği (UUID) olmalı: {args.work_order!r}") from None
    return Options(
        server=server,
        user=user,
        site=args.site.strip() if args.site else None,
        interface=args.interface,
        onvif_user=args.onvif_user,
        timeout=float(args.timeout),
        state=Path(args.state).expanduser(),
        push_only=bool(args.push_only),
        discovery=not args.no_discovery,
        addresses=tuple(dict.fromkeys(addresses)),
        work_order=work_order,
        concurrency=max(1, int(args.concurrency)),
        allow_loopback=allow_loopback,
    )


def user_dir(state: Path, username: str) -> Path:
    """Each user has their own queue, clientId and inventory cache in the state directory."""
    return state / "users" / quote(username, safe="")


# ---- inventory ---------------------------------------------------------------------------------


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


def _normal_ip(value: str | None) -> str | None:
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
                ip = _normal_ip(d.get("ipAddress"))
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


# ---- which devices -----------------------------------------------------------------------------


@dataclass
class Selection:
    targets: list[InvDevice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def discovered_hosts(found: Any) -> set[str]:
    """The IPs a WS-Discovery answer stands for: its source address and its XAddrs' hosts."""
    hosts = {_normal_ip(getattr(found, "address", None))}
    for xaddr in getattr(found, "xaddrs", None) or []:
        with contextlib.suppress(ValueError):
            hosts.add(_normal_ip(urlsplit(xaddr).hostname))
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


# ---- results -----------------------------------------------------------------------------------


def _overall(results: list[Mapping[str, Any]]) -> str:
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
    overall = _overall(results)
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


# ---- diagnosing --------------------------------------------------------------------------------


async def _discover(opts: Options) -> list[Any]:
    from backend.integrations.onvif import discovery

    return list(await discovery.probe(interface_ip=opts.interface, timeout=opts.timeout))


async def _diagnose_one(
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
                outcome = await _diagnose_one(
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


# ---- pushing -----------------------------------------------------------------------------------


@dataclass
class PushReport:
    acked: int = 0
    rejected: list[tuple[Item, dict[str, Any]]] = field(default_factory=list)
    error: str | None = None
    auth_failed: bool = False


def _batches(items: list[Item]) -> list[Item]:
    """The first batch: up to BATCH_ENVELOPES envelopes and about BATCH_BYTES of JSON."""
    batch: list[Item] = []
    size = 0
    for item in items:
        n = len(json.dumps(item.envelope(), ensure_ascii=False).encode())
        if batch and (len(batch) >= BATCH_ENVELOPES or size + n > BATCH_BYTES):
            break
        batch.append(item)
        size += n
    return batch


def upload_snapshots(queue: ProbeQueue, client: Any, out: IO[str]) -> None:
    """Upload the snapshots pending items name (tus, resumable). A snapshot the server refuses
    for good is dropped from items not yet sent, so that the results still arrive."""
    from backend.probe.client import RefusedError

    seen: set[str] = set()
    for item in queue.pending():
        sha = item.snapshot_sha256
        if not sha or sha in seen:
            continue
        seen.add(sha)
        url, done = queue.upload_state(sha)
        if done:
            continue
        path = queue.snapshots / sha
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        refusal: str | None = None
        if not data:
            refusal = "görüntü dosyası yerelde bulunamadı"
        else:
            try:
                client.upload(
                    data,
                    sha256=sha,
                    content_type=item.snapshot_type or sniff_image(data) or "image/jpeg",
                    filename=f"probe-{item.label or 'device'}-{sha[:12]}.{_ext(item.snapshot_type)}",
                    resume_url=url,
                    on_created=functools.partial(_remember_upload, queue, sha),
                )
            except RefusedError as exc:
                if exc.code not in PERMANENT_UPLOAD_CODES:
                    if exc.code == "UPLOAD_NOT_FOUND":
                        queue.save_upload(sha, None)  # start afresh next time
                    raise
                refusal = str(exc)
            else:
                queue.save_upload(sha, url, done=True)
                continue
        for other in queue.pending():
            if other.snapshot_sha256 == sha and queue.drop_snapshot(other.seq):
                print(f"  {other.label}: anlık görüntü gönderilmeyecek ({refusal})", file=out)


def _remember_upload(queue: ProbeQueue, sha: str, url: str) -> None:
    queue.save_upload(sha, url)


def _ext(content_type: str | None) -> str:
    return {"image/png": "png", "image/webp": "webp"}.get(content_type or "", "jpg")


def push(queue: ProbeQueue, client: Any, out: IO[str]) -> PushReport:
    """Upload snapshots, then push every pending envelope in seq order; replies settle items.

    Raises the client's OfflineError/AuthError/RefusedError when the server cannot take them:
    what was not settled stays queued.
    """
    from backend.probe.client import ProbeError

    report = PushReport()
    upload_snapshots(queue, client, out)
    cursor: int | None = None  # set after an expectedSeq: push everything from there on
    resumes = 0
    while True:
        candidates = queue.pending() if cursor is None else queue.items(from_seq=cursor)
        if not candidates:
            break
        batch = _batches(candidates)
        queue.mark_sent([i.seq for i in batch if i.state == QUEUED])
        result = client.sync_push(queue.client_id, [i.envelope() for i in batch])
        mine = {i.seq: i for i in batch}
        settled = 0
        for reply in result.get("replies") or []:
            item = mine.get(int(reply["seq"]))
            if item is None or reply.get("mutationId") not in (None, item.mutation_id):
                continue
            state = queue.settle(item.seq, reply)
            settled += 1
            if state == "acked":
                report.acked += 1
            else:
                report.rejected.append((item, reply))
                code = f" [{reply['code']}]" if reply.get("code") else ""
                print(f"REDDEDİLDİ {item.label or item.seq}: {reply.get('message') or ''}{code}", file=out)
        expected = result.get("expectedSeq")
        if expected is not None:
            expected = int(expected)
            resumes += 1
            if resumes > 3 or queue.get(expected) is None:
                raise ProbeError(
                    f"sunucu {expected} numaralı sonucu bekliyor; bu kuyrukta yok (istemci {queue.client_id})"
                )
            cursor = expected
            continue
        if cursor is not None:
            cursor = batch[-1].seq + 1
            if cursor > queue.last_seq:
                cursor = None
            continue
        if settled == 0:
            raise ProbeError("sunucu gönderilen sonuçlara yanıt vermedi")
    return report


@contextlib.contextmanager
def _push_lock(directory: Path) -> Iterator[bool]:
    """One push per user directory at a time (another one would only replay, but its uploads
    would collide). Yields False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: replays are harmless, go on
        yield True
        return
    with (directory / "push.lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---- the command -------------------------------------------------------------------------------


def _password(env: str, prompt: str, ask: PasswordSource) -> str:
    value = os.environ.get(env)
    return value if value is not None else ask(prompt)


class _Session:
    """Signs in once, when first needed (the password is asked for only then)."""

    def __init__(self, client: Any, opts: Options, ask: PasswordSource) -> None:
        self.client, self.opts, self.ask = client, opts, ask
        self.signed_in = False

    def ensure(self) -> None:
        if not self.signed_in:
            password = _password("SAHA_PROBE_PASSWORD", f"Saha parolası ({self.opts.user}): ", self.ask)
            self.client.sign_in(self.opts.user, password)
            self.signed_in = True


def main(
    args: argparse.Namespace,
    *,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    ask: PasswordSource = getpass.getpass,
    client_factory: Callable[[str], Any] | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        opts = options(args)
    except UsageError as exc:
        print(f"saha probe: {exc}", file=err)
        return EXIT_USAGE
    from backend.probe.client import AuthError, OfflineError, ProbeError, SahaClient

    directory = user_dir(opts.state, opts.user)
    with ProbeQueue(directory) as queue:
        bound = queue.get_meta("server")
        if bound is None:
            queue.set_meta("server", opts.server)
            queue.set_meta("user", opts.user)
        elif bound != opts.server:
            print(
                f"saha probe: {directory} {bound} sunucusuna ait; başka bir sunucu için --state verin",
                file=err,
            )
            return EXIT_USAGE
        client = client_factory(opts.server) if client_factory else SahaClient(opts.server)
        try:
            return _run(opts, queue, client, _Session(client, opts, ask), ask, out, err)
        except AuthError as exc:
            print(f"giriş başarısız: {exc}", file=err)
            if waiting := queue.count():
                print(f"{waiting} sonuç kuyrukta", file=out)
            return EXIT_USAGE
        except OfflineError as exc:
            print(f"saha probe: {exc}", file=err)
            print(f"çevrimdışı: {queue.count()} sonuç kuyrukta", file=out)
            return EXIT_QUEUED
        except ProbeError as exc:  # the server refused something for good
            print(f"saha probe: {exc}", file=err)
            return EXIT_USAGE
        finally:
            client.close()


def _run(
    opts: Options,
    queue: ProbeQueue,
    client: Any,
    session: _Session,
    ask: PasswordSource,
    out: IO[str],
    err: IO[str],
) -> int:
    from backend.probe.client import AuthError, OfflineError, ProbeError

    failing = False
    online = False
    if not opts.push_only:
        cache_path = queue.directory / "inventory.json"
        inventory = Inventory.load(cache_path)
        online = client.reachable()
        if online:
            try:
                session.ensure()
                sites = client.fetch_sites(opts.site)
                baselines = client.fetch_baselines()
            except OfflineError as exc:
                print(f"sunucu yanıt vermedi ({exc}); önbellekteki envanter kullanılıyor", file=err)
                online = False
            else:
                if opts.site and not sites:
                    print(f"saha probe: {opts.site} sahası bulunamadı (ya da görme yetkiniz yok)", file=err)
                    return EXIT_USAGE
                inventory = inventory or Inventory()
                inventory.merge(sites, baselines, partial=opts.site is not None)
                inventory.save(cache_path)
                fetch_references(client, inventory.devices(opts.site), queue.directory, err)
        else:
            print(f"sunucuya ulaşılamıyor ({opts.server}): önbellekteki envanter kullanılıyor", file=err)
        if inventory is None or not inventory.sites:
            print("saha probe: envanter yok — bir kez sunucuya bağlıyken çalıştırın", file=err)
            return EXIT_USAGE
        if opts.site and not any(c.casefold() == opts.site.casefold() for c in inventory.site_codes()):
            print(f"saha probe: {opts.site} sahası önbellekteki envanterde yok", file=err)
            return EXIT_USAGE
        if not online:
            print(f"envanter: {inventory.fetched_at or '?'} tarihli önbellek", file=out)
        failing_or_none = _diagnose_phase(opts, queue, inventory, ask, out, err)
        if failing_or_none is None:
            return EXIT_USAGE
        failing = failing_or_none

    pending = queue.count()
    if pending == 0:
        print("gönderilecek sonuç yok", file=out)
        return EXIT_FAILING if failing else EXIT_OK
    if opts.push_only:
        online = client.reachable()
    if not online:
        print(f"çevrimdışı: {pending} sonuç kuyrukta", file=out)
        return EXIT_QUEUED
    with _push_lock(queue.directory) as locked:
        if not locked:
            print(f"başka bir gönderim sürüyor: {pending} sonuç kuyrukta", file=out)
            return EXIT_QUEUED
        session.ensure()
        try:
            report = push(queue, client, out)
        except OfflineError as exc:
            print(f"saha probe: {exc}", file=err)
            print(f"çevrimdışı: {queue.count()} sonuç kuyrukta", file=out)
            return EXIT_QUEUED
        except AuthError:
            raise
        except ProbeError as exc:
            print(f"gönderilemedi: {exc}", file=err)
            print(f"{queue.count()} sonuç kuyrukta", file=out)
            return EXIT_QUEUED
    print(f"gönderildi: {report.acked} sonuç onaylandı", file=out)
    code = EXIT_FAILING if failing else EXIT_OK
    if report.rejected:
        print(f"reddedildi: {len(report.rejected)} sonuç (nedenleri yukarıda)", file=out)
        code = EXIT_QUEUED
    left = queue.count()
    if left:
        print(f"{left} sonuç kuyrukta", file=out)
        code = EXIT_QUEUED
    return code


def _diagnose_phase(
    opts: Options,
    queue: ProbeQueue,
    inventory: Inventory,
    ask: PasswordSource,
    out: IO[str],
    err: IO[str],
) -> bool | None:
    """Discover, select, diagnose and queue. True when a device failed a check; None when
    there was nothing that could be done (discovery failed and no --address)."""
    devices = inventory.devices(opts.site)
    discovered: list[Any] | None = None
    if opts.discovery:
        try:
            discovered = asyncio.run(_discover(opts))
        except (OSError, ValueError) as exc:
            print(f"keşif yapılamadı ({opts.interface or 'varsayılan arayüz'}): {exc}", file=err)
            if not opts.addresses:
                return None
        else:
            print(f"keşif: {len(discovered)} cihaz yanıt verdi", file=out)
    selection = select_targets(devices, discovered, opts.addresses)
    for note in selection.notes:
        print(f"  {note}", file=out)
    if discovered is not None and opts.site:
        answered = {d.id for d in selection.targets}
        silent = [d for d in devices if d.refusal() is None and d.id not in answered]
        if silent:
            tags = ", ".join(f"{d.asset_tag} ({d.ip})" for d in silent)
            print(f"  keşifte yanıt vermedi: {tags} — --address ile deneyin", file=out)
    if not selection.targets:
        print("teşhis edilecek envanter cihazı yok", file=out)
        return False
    password = _password("SAHA_ONVIF_PASSWORD", f"Kameraların ONVIF parolası ({opts.onvif_user}): ", ask)
    print(f"teşhis: {len(selection.targets)} cihaz", file=out)
    failing = False

    def on_result(device: InvDevice, outcome: Any | None, exc: BaseException | None) -> None:
        nonlocal failing
        if outcome is None:
            failing = True
            print(f"{device.asset_tag}  {device.address}  teşhis çalışmadı: {exc!r}", file=out)
            return
        for line in summary_lines(device, outcome.to_json()):
            print(line, file=out)
        if _overall(list(outcome.to_json().get("results") or [])) == "fail":
            failing = True
        used = cached_reference(queue.directory, device) is not None
        item = enqueue_result(queue, device, outcome, opts.work_order, with_reference=used)
        print(f"    kuyrukta (#{item.seq})", file=out)

    asyncio.run(diagnose_all(selection.targets, opts, password, inventory, on_result, queue.directory))
    return failing


def run_probe(argv: list[str], **kw: Any) -> int:
    """Parse ``argv`` (the arguments after ``probe``) and run; for tests and scripts."""
    parser = argparse.ArgumentParser(prog="saha probe")
    add_arguments(parser)
    return main(parser.parse_args(argv), **kw)
