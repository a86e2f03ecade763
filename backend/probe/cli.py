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
import getpass
import ipaddress
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from backend.probe.inventory import InvDevice, Inventory, cached_reference, fetch_references
from backend.probe.push import push, push_lock
from backend.probe.queue import ProbeQueue
from backend.probe.report import enqueue_result, overall_of, summary_lines
from backend.probe.targets import Selection, diagnose_all, discover, select_targets
from backend.shared.addresses import AddressPolicy, refusal

EXIT_OK, EXIT_FAILING, EXIT_QUEUED, EXIT_USAGE = 0, 1, 2, 3
DEFAULT_STATE = "~/.saha-probe"
CONCURRENCY = 4

PasswordSource = Callable[[str], str]


class UsageError(Exception):
    pass


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
    failing = False
    online = False
    if not opts.push_only:
        loaded = _inventory(opts, queue, client, session, out, err)
        if loaded is None:
            return EXIT_USAGE
        inventory, online = loaded
        failing_or_none = _diagnose_phase(opts, queue, inventory, ask, out, err)
        if failing_or_none is None:
            return EXIT_USAGE
        failing = failing_or_none
    return _push_phase(opts, queue, client, session, online=online, failing=failing, out=out, err=err)


def _inventory(
    opts: Options, queue: ProbeQueue, client: Any, session: _Session, out: IO[str], err: IO[str]
) -> tuple[Inventory, bool] | None:
    """The inventory to diagnose from — fetched and cached when the server answers, else the
    cache — and whether the server answered; None (said why) when there is none to use."""
    from backend.probe.client import OfflineError

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
                return None
            inventory = inventory or Inventory()
            inventory.merge(sites, baselines, partial=opts.site is not None)
            inventory.save(cache_path)
            fetch_references(client, inventory.devices(opts.site), queue.directory, err)
    else:
        print(f"sunucuya ulaşılamıyor ({opts.server}): önbellekteki envanter kullanılıyor", file=err)
    if inventory is None or not inventory.sites:
        print("saha probe: envanter yok — bir kez sunucuya bağlıyken çalıştırın", file=err)
        return None
    if opts.site and not any(c.casefold() == opts.site.casefold() for c in inventory.site_codes()):
        print(f"saha probe: {opts.site} sahası önbellekteki envanterde yok", file=err)
        return None
    if not online:
        print(f"envanter: {inventory.fetched_at or '?'} tarihli önbellek", file=out)
    return inventory, online


def _push_phase(
    opts: Options,
    queue: ProbeQueue,
    client: Any,
    session: _Session,
    *,
    online: bool,
    failing: bool,
    out: IO[str],
    err: IO[str],
) -> int:
    """Push what is queued when the server answers; the exit code of the whole run."""
    from backend.probe.client import AuthError, OfflineError, ProbeError

    pending = queue.count()
    if pending == 0:
        print("gönderilecek sonuç yok", file=out)
        return EXIT_FAILING if failing else EXIT_OK
    if opts.push_only:
        online = client.reachable()
    if not online:
        print(f"çevrimdışı: {pending} sonuç kuyrukta", file=out)
        return EXIT_QUEUED
    with push_lock(queue.directory) as locked:
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


def _select(opts: Options, inventory: Inventory, out: IO[str], err: IO[str]) -> Selection | None:
    """The devices to diagnose, from discovery and ``--address``; what was left out and why is
    printed. None when discovery failed and there is no --address."""
    devices = inventory.devices(opts.site)
    discovered: list[Any] | None = None
    if opts.discovery:
        try:
            discovered = asyncio.run(discover(opts))
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
    return selection


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
    selection = _select(opts, inventory, out, err)
    if selection is None:
        return None
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
        if overall_of(list(outcome.to_json().get("results") or [])) == "fail":
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
