"""Checks the built container image from the outside (``make image-test``):

1. it starts (``init`` then ``serve``) as the unprivileged user ``saha`` with data in ``/data``;
2. ``/healthz`` answers, the PWA and its service worker are served;
3. the demo manager signs in, downloads the demo's sealed minutes PDF — rendered and sealed
   *inside* the container (WeasyPrint, Pango, DejaVu fonts) — and the seal validates
   (pyHanko here, and the container's own ``/api/verify``); Turkish letters are in the text;
4. after a restart of the container the data in ``/data`` is still there: the same PDF, the same
   secret key (an old token still works).

Runs the image with docker when a Docker engine answers, else with ``buildah run`` (daemonless).
    python scripts/image_test.py [--image saha:local]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
UID = 10001  # the image's user `saha`
START = "python -m backend init && exec python -m backend serve"


class CheckFailedError(Exception):
    """The image does not do what it must."""


def _require(ok: object, what: object) -> None:
    if not ok:
        raise CheckFailedError(str(what)[:2000])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _docker() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


class Container:
    """One container of the image, stopped and started again with the same /data volume.

    docker: a named volume. buildah: the working container's own /data volume, which outlives
    each ``buildah run`` (buildah 1.28 with chroot isolation does not reliably bind a host folder
    over an image VOLUME, and drops ``-v`` mounts with ``--network host``; chroot isolation shares
    the host's network anyway)."""

    def __init__(self, image: str, port: int, log: Path) -> None:
        self.image, self.port, self.log = image, port, log
        self.docker = _docker()
        self.env = {"STORAGE_DRIVER": "vfs", "BUILDAH_ISOLATION": "chroot", **os.environ}
        self.proc: subprocess.Popen[bytes] | None = None
        if self.docker:
            self.name = f"saha-image-test-{port}"
            self._sh(["docker", "volume", "create", self.name])
            self._sh(
                [
                    "docker",
                    "create",
                    "--name",
                    self.name,
                    "-p",
                    f"127.0.0.1:{port}:{port}",
                    "-e",
                    f"PORT={port}",
                    "-v",
                    f"{self.name}:/data",
                    image,
                ]
            )
        else:
            self.name = self._sh(["buildah", "from", "--pull=never", image]).strip()

    def _sh(self, args: list[str]) -> str:
        return subprocess.run(args, check=True, capture_output=True, text=True, env=self.env).stdout

    def start(self) -> None:
        if self.docker:
            self._sh(["docker", "start", self.name])
            return
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            ["buildah", "run", "--env", f"PORT={self.port}", self.name, "--", "sh", "-c", START],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
        )

    def run(self, *cmd: str) -> str:
        if self.docker:
            return self._sh(["docker", "exec", self.name, *cmd])
        return self._sh(["buildah", "run", self.name, "--", *cmd])

    def stop(self) -> None:
        if self.docker:
            self._sh(["docker", "stop", "-t", "20", self.name])
            return
        if self.proc is not None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
            self.proc = None

    def remove(self) -> None:
        self.stop()
        if self.docker:
            subprocess.run(["docker", "rm", "-f", self.name], capture_output=True)
            subprocess.run(["docker", "volume", "rm", "-f", self.name], capture_output=True)
        else:
            subprocess.run(["buildah", "rm", self.name], capture_output=True, env=self.env)

    def logs(self) -> str:
        if self.docker:
            return subprocess.run(["docker", "logs", self.name], capture_output=True, text=True).stdout
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _gql(base: str, query: str, token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, body = _http(f"{base}/graphql", json.dumps({"query": query}).encode(), headers)
    data: dict[str, Any] = json.loads(body)
    _require(status == 200 and not data.get("errors"), data)
    return dict(data["data"])


def _wait_healthy(base: str, container: Container, seconds: int = 180) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        try:
            status, body = _http(f"{base}/healthz")
            if status == 200:
                _require(json.loads(body)["status"] == "ok", body)
                return time.monotonic() - t0
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise SystemExit(f"the container did not become healthy:\n{container.logs()[-3000:]}")


def _sealed_pdf(base: str, token: str) -> tuple[str, bytes]:
    surveys = _gql(base, "{ surveys(status: SEALED) { minutes { id status } } }", token)["surveys"]
    _require(surveys, "the demo has sealed minutes")
    minutes_id = surveys[0]["minutes"][0]["id"]
    status, pdf = _http(f"{base}/api/minutes/{minutes_id}.pdf", headers={"Authorization": f"Bearer {token}"})
    _require(status == 200, (status, pdf[:300]))
    return minutes_id, pdf


def check(image: str) -> None:
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from backend.integrations.pdf.seal import SealIdentity, verify_pdf

    work = Path(tempfile.mkdtemp(prefix="saha-image-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    container = Container(image, port, work / "container.log")
    try:
        container.start()
        took = _wait_healthy(base, container)
        print(f"  healthy after {took:.1f} s (init: migrations and demo data)")
        _require(container.run("id", "-u").strip() == str(UID), "runs as the user saha")
        for path in ("/", "/sw.js", "/manifest.webmanifest"):
            status, body = _http(base + path)
            _require(status == 200 and body, path)
        print("  serves the PWA (index, service worker, manifest) as uid 10001")

        token = _gql(
            base,
            'mutation { r: signIn(username: "mudur", password: "saha-demo") '
            "{ ... on SessionSuccess { session { accessToken } } ... on OperationError { code } } }",
        )["r"]["session"]["accessToken"]
        t0 = time.monotonic()
        minutes_id, pdf = _sealed_pdf(base, token)
        made = time.monotonic() - t0
        # the seal's certificate (public) as the container made it: the trust root of the check
        cert = x509.load_pem_x509_certificate(container.run("cat", "/data/seal/seal-cert.pem").encode())
        root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        seal = verify_pdf(pdf, SealIdentity(signer=None, certificate=root))  # type: ignore[arg-type]
        _require((seal.signed, seal.intact, seal.valid) == (True, True, True), seal)
        status, verdict = _http(f"{base}/api/verify", pdf, {"Content-Type": "application/pdf"})
        _require(status == 200 and json.loads(verdict)["verdict"] == "VALID", verdict[:300])
        pdf_file = work / "tutanak.pdf"
        pdf_file.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf_file), "-"], capture_output=True, check=True, text=True
        ).stdout
        for words in (
            "Kültür ve Sanat Dairesi Başkanlığı",
            "Hüseyin Çelik",
            "Ayşe Öztürk",
            "Kişisel PIN'i ile",
        ):
            _require(words in text, words)
        fonts = subprocess.run(["pdffonts", str(pdf_file)], capture_output=True, check=True, text=True).stdout
        _require("DejaVu" in fonts, fonts)
        print(
            f"  sealed minutes PDF made inside in {made:.1f} s ({len(pdf) // 1024} KiB): seal valid, "
            "/api/verify VALID, Turkish text, DejaVu fonts embedded"
        )
        modes = container.run("sh", "-c", "stat -c '%a %U %n' /data /data/saha.db /data/secret_key")
        private = all(line.split()[:2] in (["700", "saha"], ["600", "saha"]) for line in modes.splitlines())
        _require(private, modes)

        # restart: the same data
        container.stop()
        container.start()
        _wait_healthy(base, container)
        again_id, again = _sealed_pdf(base, token)  # the token from before: same secret key
        same = (again_id, hashlib.sha256(again).digest()) == (minutes_id, hashlib.sha256(pdf).digest())
        _require(same, "the same sealed PDF after a restart")
        print("  after a restart: /data kept the database, blobs and keys (same PDF, old token valid)")
    except BaseException:
        print(container.logs()[-4000:], file=sys.stderr)
        raise
    finally:
        container.remove()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--image", default=os.environ.get("IMAGE", "saha:local"))
    args = parser.parse_args()
    print(f"image-test: {args.image} ({'docker' if _docker() else 'buildah'})")
    check(args.image)
    print("image-test: passed")


if __name__ == "__main__":
    main()
