"""The PWA under its Content-Security-Policy: screens, service worker and the QR scanner's
WebAssembly run with no violation reported (console "Refused to …" or securitypolicyviolation)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from conftest import PHONE, sign_in
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
SCREENS = ["#/my", "#/workorders", "#/surveys", "#/sites", "#/account", "#/sync", "#/scan", "#/verify"]


def test_the_pwa_runs_under_its_content_security_policy(server: str, browser: Browser) -> None:
    # given: the policy the server sends with the app
    with urllib.request.urlopen(f"{server}/") as response:
        policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "unsafe-inline" not in policy

    # and: a phone that records every report of a refused resource or script
    context = browser.new_context(base_url=server, **PHONE)  # type: ignore[arg-type]  # CSP enforced
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    page.on("console", on_console)

    # when: a manager signs in, the service worker takes over and the screens are opened
    sign_in(page, "mudur")
    _until(page, "navigator.serviceWorker.controller !== null")
    for screen in SCREENS:
        page.evaluate(f"location.hash = '{screen}'")
        page.wait_for_load_state("networkidle")
    page.reload()
    expect(page.get_by_role("navigation", name="Ana gezinme")).to_be_visible()
    # and: the QR scanner's ZXing WebAssembly is compiled, as the scanner does
    wasm = next((DIST / "assets").glob("zxing_reader-*.wasm")).name
    compiled = page.evaluate(
        """async (url) => {
          const bytes = await (await fetch(url)).arrayBuffer();
          return (await WebAssembly.compile(bytes)) instanceof WebAssembly.Module;
        }""",
        f"/assets/{wasm}",
    )
    violations = page.evaluate("window.__cspViolations")

    context.close()

    # then: it all worked, and nothing was refused
    assert compiled is True
    assert violations == []
    assert refused == []


def _until(page: Page, expression: str) -> None:
    """Poll ``expression`` from the test (Playwright's wait_for_function polls with eval(), which
    the policy refuses, as it should)."""
    for _ in range(150):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")
