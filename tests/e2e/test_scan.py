"""Scanning QR codes end to end: Chromium's fake camera films a real QR code, the PWA decodes it.

No mocks: segno encodes the QR code, the frame is written as a Y4M video and handed to a
separate Chromium with ``--use-file-for-fake-video-capture``, so ``getUserMedia`` returns a live
camera stream that shows the code. The app decodes it with the browser's ``BarcodeDetector`` if it
reads QR codes (not on desktop Linux) or else with its ZXing wasm, which must be precached: the
same scan is repeated offline after a reload.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
from conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_in
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect
from test_pwa import _assert_no_overflow

FRAME_W, FRAME_H = 640, 480
MODULE_PX = 8
CODE = "ABCD-EFGH-JKLM"
# Remembers what the scanner reported (it is gone once a code opened another screen) and every
# camera stream the page was given, to check that the camera is released.
RECORD_SCANS = """
window.__qrDecoder = null;
window.__scanTexts = 0;
window.__streams = [];
if (navigator.mediaDevices) {
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => { const s = await gum(c); window.__streams.push(s); return s; };
}
new MutationObserver(() => {
  const el = document.querySelector('.qr-scanner[data-decoder]:not([data-decoder=""])');
  if (el) window.__qrDecoder = el.dataset.decoder;
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-decoder'] });
new MutationObserver((records) => {
  for (const r of records)
    for (const n of r.addedNodes)
      if (n.nodeType === 1 && (n.matches('.scan-text') || n.querySelector('.scan-text'))) window.__scanTexts++;
}).observe(document, { subtree: true, childList: true });
"""
EXPECTED_DECODER = """async () =>
  'BarcodeDetector' in window &&
  (await BarcodeDetector.getSupportedFormats().catch(() => [])).includes('qr_code') ? 'native' : 'zxing'"""
CAMERA_RELEASED = """() =>
  window.__streams.length > 0 && window.__streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended'))"""
PRECACHED_WASM = """async () => {
  for (const name of await caches.keys()) {
    const keys = await (await caches.open(name)).keys();
    if (keys.some((r) => new URL(r.url).pathname.endsWith('.wasm'))) return true;
  }
  return false;
}"""


def decode_qr(image: np.ndarray) -> str:
    """What an independent decoder reads in `image` ("" when nothing).

    OpenCV's classic detector misses about one code in fifteen once a browser has scaled the
    modules by a non-integer factor (measured: 20 of 300 long URLs at 320 px); its ArUco-based
    detector reads them all. Both are tried, so the check is about the code, not the decoder."""
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        decoded, _, _ = detector.detectAndDecode(image)
        if decoded:
            return str(decoded)
    return ""


def _qr_frame(text: str) -> np.ndarray:
    """A 640x480 BGR frame: the QR code (level M, 4-module quiet zone) black on white, centred.

    Encoded with segno (OpenCV's own QRCodeEncoder writes codes that no decoder reads back for
    some texts, e.g. many ``http://localhost:<port>/…`` URLs)."""
    matrix = np.array(segno.make(text, error="m", boost_error=False).matrix, dtype=np.uint8)
    qr = np.pad(np.where(matrix == 1, 0, 255).astype(np.uint8), 4, constant_values=255)
    qr = cv2.resize(qr, None, fx=MODULE_PX, fy=MODULE_PX, interpolation=cv2.INTER_NEAREST)
    assert qr.shape[0] <= FRAME_H, "QR code too large for the frame"
    frame = np.full((FRAME_H, FRAME_W, 3), 255, np.uint8)
    top, left = (FRAME_H - qr.shape[0]) // 2, (FRAME_W - qr.shape[1]) // 2
    frame[top : top + qr.shape[0], left : left + qr.shape[1]] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    assert decode_qr(frame) == text, "OpenCV cannot read the QR code back"
    return frame


def _write_y4m(path: Path, frame: np.ndarray, frames: int = 2) -> None:
    """Writes `frame` as a YUV 4:2:0 Y4M video (Chromium loops it as the fake camera)."""
    h, w = frame.shape[:2]
    i420 = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()  # Y plane, then U, then V
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + i420)


@pytest.fixture
def camera_phone(
    playwright_instance: Playwright, server: str, tmp_path: Path
) -> Iterator[Callable[..., Page]]:
    """Factory: a new phone (own Chromium) whose camera films a QR code of `text`.

    ``text=None`` leaves Chromium's moving test pattern; ``grant=False`` does not grant the camera
    (headless Chromium then denies it); ``service_workers="block"`` keeps the service worker out.
    """
    browsers: list[Browser] = []

    def make(text: str | None, *, grant: bool = True, service_workers: str = "allow") -> Page:
        args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream"]
        if grant:
            args.append("--use-fake-ui-for-media-stream")
        if text is not None:
            video = tmp_path / f"qr-{len(browsers)}.y4m"
            _write_y4m(video, _qr_frame(text))
            args.append(f"--use-file-for-fake-video-capture={video}")
        browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args)
        browsers.append(browser)
        ctx: BrowserContext = browser.new_context(
            base_url=server,
            bypass_csp=True,  # Playwright's wait_for_function polls with eval() (see conftest)
            permissions=["camera"] if grant else [],
            service_workers=service_workers,  # type: ignore[arg-type]
            **PHONE,  # type: ignore[arg-type]
        )
        ctx.add_init_script(RECORD_SCANS)
        return ctx.new_page()

    yield make
    for b in browsers:
        b.close()


def _open_scanner(page: Page) -> None:
    page.evaluate("location.hash = '#/scan'")
    expect(page.get_by_role("heading", name="Kod tara")).to_be_visible()


def test_scanning_a_saha_code_opens_its_screen_online_and_offline(
    server: str, camera_phone: Callable[..., Page]
) -> None:
    # given: a phone whose camera films the QR code of a minutes verification link of this server
    target = f"{server}/#/verify?code={CODE}"
    page = camera_phone(target)
    sign_in(page, "teknisyen")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    decoder = page.evaluate(EXPECTED_DECODER)

    # when: they open the scanner
    _open_scanner(page)

    # then: the code is read and its screen opened, with the code filled in
    expect(page).to_have_url(target, timeout=20_000)
    expect(page.get_by_role("heading", name="Tutanak doğrula")).to_be_visible()
    expect(page.get_by_label("Doğrulama kodu")).to_have_value(CODE)
    assert page.evaluate("window.__qrDecoder") == decoder
    # and: the camera was let go of once the code was read
    expect(page.locator("video")).to_have_count(0)
    page.wait_for_function(CAMERA_RELEASED)

    # given: the decoder is in the service worker's precache (ZXing's wasm; nothing to cache if native)
    if decoder == "zxing":
        assert page.evaluate(PRECACHED_WASM), "the ZXing wasm is not precached"

    # when: the browser's HTTP cache is emptied (only the service worker's caches are left), the phone
    # goes offline, the app is reloaded and the scanner opened again
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Çevrimdışı")).to_be_visible()
    _open_scanner(page)

    # then: it still reads the code (decoder and its wasm come from the cache) and opens the screen
    expect(page).to_have_url(target, timeout=20_000)
    expect(page.get_by_role("heading", name="Tutanak doğrula")).to_be_visible()
    expect(page.get_by_label("Doğrulama kodu")).to_have_value(CODE)
    expect(page.get_by_text("Doğrulama için bağlantı gerekir.")).to_be_visible()
    assert page.evaluate("window.__qrDecoder") == decoder


def test_a_code_that_is_not_saha_is_shown_as_plain_text_and_can_be_scanned_again(
    server: str, camera_phone: Callable[..., Page]
) -> None:
    # given: a camera filming a foreign QR code that also carries markup
    text = '<img src=x onerror="window.__xss=1"> https://example.com/x'
    page = camera_phone(text)
    sign_in(page, "teknisyen")

    # when
    _open_scanner(page)

    # then: it says so, shows the content as text (never as HTML) and stays on the scanner screen
    expect(page.get_by_role("alert")).to_have_text("Bu kod bir Saha kodu değil.", timeout=20_000)
    shown = page.locator(".scan-text")
    expect(shown).to_have_text(text)
    expect(shown.locator("img")).to_have_count(0)
    assert page.evaluate("window.__xss") is None
    expect(page).to_have_url(re.compile(r"#/scan$"))
    expect(page.locator("video")).to_have_count(0)
    page.wait_for_function(CAMERA_RELEASED)
    _assert_no_overflow(page, "not a Saha code")

    # when: they scan again (the camera still films the same code)
    page.get_by_role("button", name="Yeniden tara").click()

    # then: the scanner runs anew and reads it again
    page.wait_for_function("window.__scanTexts >= 2", timeout=20_000)
    expect(shown).to_have_text(text)
    expect(page).to_have_url(f"{server}/#/scan")


def _scanner_alert(page: Page) -> Locator:
    return page.get_by_role("region", name="QR kod okuyucu").get_by_role("alert")


def test_scanner_says_why_it_cannot_scan_and_lets_go_of_the_camera(
    server: str, camera_phone: Callable[..., Page], new_phone: Callable[[], BrowserContext]
) -> None:
    # given: a camera that films no QR code (Chromium's test pattern)
    page = camera_phone(None)
    sign_in(page, "teknisyen")
    # when
    _open_scanner(page)
    # then: the live picture, a hint, and a screen that fits the phone
    scanner = page.get_by_role("region", name="QR kod okuyucu")
    expect(scanner.get_by_role("status")).to_have_text("QR kodu çerçevenin içine getirin.")
    expect(scanner.locator("video")).to_be_visible()
    _assert_no_overflow(page, "scanner")
    # when: they give up
    page.get_by_role("button", name="Vazgeç").click()
    # then: back to their home screen, camera off
    expect(page.get_by_role("heading", name="İşlerim")).to_be_visible()
    page.wait_for_function(CAMERA_RELEASED)

    # given: a phone without any camera (the shared browser has no fake device)
    page = new_phone().new_page()
    sign_in(page, "teknisyen")
    # when
    _open_scanner(page)
    # then
    expect(_scanner_alert(page)).to_have_text("Bu cihazda kullanılabilir kamera bulunamadı.")

    # given: a phone with a camera that the user did not allow
    page = camera_phone(None, grant=False)
    sign_in(page, "teknisyen")
    # when
    _open_scanner(page)
    # then
    expect(_scanner_alert(page)).to_contain_text("Kamera izni verilmedi.")
    expect(page.locator("video")).to_have_count(0)

    # given: a phone whose ZXing wasm cannot be fetched (no service worker, the request fails)
    page = camera_phone(f"{server}/#/verify?code={CODE}", service_workers="block")
    page.route(re.compile(r"\.wasm$"), lambda route: route.abort())
    sign_in(page, "teknisyen")
    if page.evaluate(EXPECTED_DECODER) == "native":
        return  # the browser reads QR codes itself; the wasm is never needed
    # when
    _open_scanner(page)
    # then: the reader says so, the camera is released and nothing is opened
    expect(_scanner_alert(page)).to_contain_text("QR kod çözücü yüklenemedi.")
    expect(page.locator("video")).to_have_count(0)
    page.wait_for_function(CAMERA_RELEASED)
    expect(page).to_have_url(f"{server}/#/scan")
