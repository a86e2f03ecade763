"""End-to-end fixtures: a real backend serving the built PWA, and Debian's Chromium.

Run on its own: ``pytest tests/e2e`` (Playwright's sync API does not mix with pytest-asyncio).
The PWA must be built first (``npm --prefix frontend run build``; the Makefile does it).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SAHA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "tr-TR",
    "timezone_id": "Europe/Istanbul",
}
DEMO_PASSWORD = "saha-demo"
DEMO_PIN = "135790"  # every demo signer's PIN (backend/demo/data.py)

expect.set_options(timeout=10_000)


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Backend on a free port with demo data in a fresh SQLite dir; yields the base URL."""
    if not (REPO / "frontend" / "dist" / "index.html").exists():
        pytest.fail(
            "frontend/dist is missing: run `npm --prefix frontend ci && npm --prefix frontend run build` first"
        )
    data_dir = tmp_path_factory.mktemp("saha-data")
    port = _free_port()
    # localhost, not 127.0.0.1: passkeys (WebAuthn) refuse an IP address as the relying party
    base = f"http://localhost:{port}"
    env = {
        **os.environ,
        "SAHA_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "SAHA_DEMO_DATA": "1",
        "SAHA_PUBLIC_URL": base,
        # the virtual ONVIF camera listens on loopback, which production refuses to connect to
        "SAHA_ONVIF_ALLOW_LOOPBACK": "1",
        # every test signs in from the same address, dozens a minute when the suite runs fast:
        # the per-address limit (tested in tests/integration/test_auth.py) would refuse some
        "SAHA_ANONYMOUS_RATE_PER_MINUTE": "100000",
    }
    os.environ["SAHA_E2E_DATA_DIR"] = str(data_dir)  # for tests that stage lab-only rows
    env.pop("TEST_DATABASE_URL", None)  # e2e always runs on SQLite
    env.pop("SAHA_DATABASE_URL", None)
    subprocess.run([_python(), "-m", "backend", "init"], cwd=REPO, env=env, check=True, capture_output=True)
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [_python(), "-m", "backend", "serve"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"backend did not start: {(data_dir / 'server.log').read_text()[-2000:]}")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium")
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def new_phone(browser: Browser, server: str) -> Iterator[Callable[[], BrowserContext]]:
    """Factory for fresh phone-sized contexts (each one a separate device/person)."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        # bypass_csp: Playwright's wait_for_function polls with eval(), which the app's CSP refuses
        # (test_csp.py runs the app under its policy)
        ctx = browser.new_context(base_url=server, bypass_csp=True, **PHONE)  # type: ignore[arg-type]
        contexts.append(ctx)
        return ctx

    yield make
    for c in contexts:
        c.close()


@pytest.fixture
def phone(new_phone: Callable[[], BrowserContext]) -> Page:
    return new_phone().new_page()


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Signs in through the UI and waits until the bottom navigation is there."""
    page.goto("/")
    page.get_by_label("Kullanıcı adı").fill(username)
    page.get_by_label("Parola").fill(password)
    page.get_by_role("button", name="Giriş yap").click()
    expect(page.get_by_role("navigation", name="Ana gezinme")).to_be_visible()


def add_passkey_authenticator(page: Page) -> str:
    """A platform authenticator with user verification for this page (CDP virtual authenticator):
    the phone's own passkey store. Returns its id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    _CDP_SESSIONS.append(cdp)  # keep the session (and with it the authenticator) alive
    return str(result["authenticatorId"])


_CDP_SESSIONS: list[Any] = []


def gql(
    base: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """Plain GraphQL call, for test setup outside the browser."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"{base}/graphql", json.dumps({"query": query, "variables": variables or {}}).encode(), headers
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        body: dict[str, Any] = json.loads(r.read())
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


def api_token(base: str, username: str) -> str:
    data = gql(
        base,
        "mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) {"
        " ... on SessionSuccess { session { accessToken } } ... on OperationError { code message } } }",
        {"u": username, "p": DEMO_PASSWORD},
    )
    assert "session" in data["signIn"], data["signIn"]  # the refusal's code, if it was refused
    return str(data["signIn"]["session"]["accessToken"])
