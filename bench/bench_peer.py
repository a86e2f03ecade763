"""Saha's sync next to a PouchDB peer, same machine, same command (``make bench-peer``).

Runs ``bench/bench_http.py`` against the real Saha server, then installs (first use only, from
npm, into ``~/.cache/saha-bench/pouchdb`` or ``$SAHA_BENCH_CACHE``) ``pouchdb-server`` and
``pouchdb``, starts ``pouchdb-server`` on a free loopback port with LevelDB in a temp folder, and
times PouchDB's own client (``bench/peer/pouch_bench.mjs``) on the same work: 10,000 new docs,
10,000 appended notes and 10,000 edits in bulk batches of 500, a replay of the same revisions,
a replication pull into a fresh in-memory PouchDB, a no-op sync and a 2 MB attachment. Prints
one table: work | pouchdb-server | Saha | ratio (Saha time / Pouch time, per record for the pull).

Not part of ``make bench`` (the first run downloads ~450 npm packages).

    .venv/bin/python bench/bench_peer.py [N]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_http

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "peer" / "pouch_bench.mjs"
PACKAGES = ["pouchdb-server@4.2.0", "pouchdb@9.0.0", "pouchdb-adapter-memory@9.0.0"]
CACHE = Path(os.environ.get("SAHA_BENCH_CACHE", Path.home() / ".cache" / "saha-bench" / "pouchdb"))


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"bench-peer: `{name}` not found (Node.js 20 and npm are needed: make system-deps)")
    return path


def install() -> None:
    """npm install of the pinned packages into the cache folder, once."""
    stamp = CACHE / ".installed"
    if stamp.exists() and stamp.read_text() == " ".join(PACKAGES):
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"installing {' '.join(PACKAGES)} into {CACHE} (first use; a minute or two)", flush=True)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - npm with fixed arguments
        [
            tool("npm"),
            "install",
            "--prefix",
            str(CACHE),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            *PACKAGES,
        ],
        check=True,
    )
    stamp.write_text(" ".join(PACKAGES))
    print(f"installed in {time.perf_counter() - started:.0f} s", flush=True)


@contextmanager
def pouchdb_server() -> Iterator[str]:
    """pouchdb-server on a free loopback port, LevelDB files in a temp folder (its config and log too)."""
    data = Path(tempfile.mkdtemp(prefix="saha-bench-pouch-"))
    port = bench_http.free_port()
    exe = CACHE / "node_modules" / ".bin" / "pouchdb-server"
    cmd = [str(exe), "--host", "127.0.0.1", "--port", str(port), "--dir", str(data), "--no-stdout-logs"]
    base = f"http://127.0.0.1:{port}"
    with (data / "stdout.txt").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=data, stdout=log, stderr=log)  # noqa: S603 - the installed peer
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"pouchdb-server did not start: {(data / 'stdout.txt').read_text()[-2000:]}"
                    )
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(data, ignore_errors=True)


def run_pouch(n: int, pull_batch: int) -> dict[str, Any]:
    install()
    with tempfile.TemporaryDirectory(prefix="saha-bench-photo-") as tmp, pouchdb_server() as base:
        jpeg = Path(tmp) / "photo.jpg"
        jpeg.write_bytes(bench_http.photo_jpeg())
        out = subprocess.run(  # noqa: S603 - node with our own script
            [
                tool("node"),
                str(SCRIPT),
                str(CACHE),
                base,
                str(n),
                str(bench_http.BATCH),
                str(pull_batch),
                str(jpeg),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def verdict(saha: float, pouch: float) -> str:
    ratio = saha / pouch
    if ratio >= 1:
        return f"{ratio:6.2f}  Pouch {ratio:.1f}x faster"
    return f"{ratio:6.2f}  Saha {1 / ratio:.1f}x faster"


def table(s: dict[str, Any], p: dict[str, Any]) -> None:
    n = s["n"]

    def secs(x: float) -> str:
        return f"{x:.2f} s" if x >= 1 else f"{x * 1000:.1f} ms"

    rows: list[tuple[str, str, str, str]] = [
        (
            "round trip (baseline)",
            f"{secs(p['baselineS'])} GET /db",
            f"{secs(s['gql_s'])} {{__typename}}",
            verdict(s["gql_s"], p["baselineS"]),
        ),
        ("sign in", "— (no auth)", secs(s["sign_in_s"]), ""),
    ]
    for label, pk, sk in (
        (f"create {n:,} (batches of {bench_http.BATCH})", "createS", "create_s"),
        (f"append {n:,} notes", "noteS", "note_s"),
        (f"edit {n:,} (baseVersions / _rev)", "updateS", "update_s"),
        (f"replay {n:,} duplicates", "replayS", "replay_s"),
    ):
        rows.append(
            (
                label,
                f"{secs(p[pk])} ({n / p[pk]:,.0f}/s)",
                f"{secs(s[sk])} ({n / s[sk]:,.0f}/s)",
                verdict(s[sk], p[pk]),
            )
        )
    sp, pp = s["pull_s"] / s["pull_records"], p["pullS"] / p["pullRecords"]
    rows += [
        (
            "first pull (ratio per record)",
            f"{secs(p['pullS'])} / {p['pullRecords']:,} docs",
            f"{secs(s['pull_s'])} / {s['pull_records']:,} rec",
            verdict(sp, pp),
        ),
        (
            "  bytes/record decoded",
            f"{p['pullBytes'] / p['pullRecords']:.0f} B",
            f"{s['pull_decoded'] / s['pull_records']:.0f} B",
            f"{(s['pull_decoded'] / s['pull_records']) / (p['pullBytes'] / p['pullRecords']):6.2f}  (size)",
        ),
        (
            "  bytes/record on the wire",
            f"{p['pullWireBytes'] / p['pullRecords']:.0f} B ({p['pullEncoding']})",
            f"{s['pull_raw'] / s['pull_records']:.0f} B ({s['pull_encoding']})",
            f"{(s['pull_raw'] / s['pull_records']) / (p['pullWireBytes'] / p['pullRecords']):6.2f}  (size)",
        ),
        ("no-op sync (median)", secs(p["noopS"]), secs(s["noop_s"]), verdict(s["noop_s"], p["noopS"])),
        (
            f"{p['photoBytes'] / 1e6:.1f} MB photo",
            f"{secs(p['attachS'])} attachment",
            f"{secs(s['upload_s'])} tus",
            verdict(s["upload_s"], p["attachS"]),
        ),
    ]
    head = ("work", "pouchdb-server", "Saha", "ratio Saha/Pouch")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if r is head:
            print(line)
    print(line)
    print(
        "ratio = Saha time / Pouch time (> 1: Pouch faster). Pouch: LevelDB, no auth, no validation,"
        " no scope;\nSaha: SQLite, sign-in, permission, rules, timeline events and change log per record."
        f" Pull: Saha pages of {s['pull_limit']}, Pouch batch_size {p['pullBatch']}."
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    started = time.perf_counter()
    print("== Saha (bench/bench_http.py)", flush=True)
    saha = bench_http.run(n)
    print("== pouchdb-server + PouchDB client (bench/peer/pouch_bench.mjs)", flush=True)
    pouch = run_pouch(n, saha["pull_limit"])
    print()
    table(saha, pouch)
    print(f"total: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
