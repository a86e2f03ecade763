"""Photos on a bad uplink (issue 13 item 7): the phone resizes a large photo before upload (long
edge ≤ 1600 px, upright, GPS and capture time kept), the sync screen shows the photo's bytes sent /
total while it uploads at 750 kbit/s, and "Eşitlendi" appears only once the server has the photo."""

from __future__ import annotations

import io
import os
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable

from conftest import api_token, sign_in
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from test_offline_sync import SYNC_TIMEOUT, _new_order_for_tech, _open_order, _sync_screen, _wait_synced

RED = (220, 20, 20)
BLUE = (20, 20, 220)
GPS_LAT = (39.0, 55.0, 12.34)
GPS_LON = (32.0, 51.0, 30.5)
TAKEN = "2026:12:05 14:03:22"
UPLINK_BYTES_PER_S = 750_000 // 8


def _camera_photo() -> bytes:
    """A 4000×3000 phone photo (~4 MB) stored sideways: EXIF orientation 6 (turn 90° clockwise to
    show), red in the stored top-left corner, blue in the bottom-right, GPS and capture time."""
    w, h = 4000, 3000
    img = Image.frombytes("RGB", (w // 4, h // 4), os.urandom(w // 4 * h // 4 * 3)).resize(
        (w, h), Image.Resampling.BILINEAR
    )
    img.paste(RED, (0, 0, 600, 600))
    img.paste(BLUE, (w - 600, h - 600, w, h))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = TAKEN
    gps = exif.get_ifd(0x8825)
    gps.update({0: b"\x02\x03\x00\x00", 1: "N", 2: GPS_LAT, 3: "E", 4: GPS_LON})
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _stored_sha(page: Page) -> str:
    """The SHA-256 of the (only) photo kept in this phone's IndexedDB."""
    page.wait_for_function(
        """() => new Promise(r => { const o = indexedDB.open('saha'); o.onsuccess = () => {
        const g = o.result.transaction('blobs').objectStore('blobs').getAllKeys();
        g.onsuccess = () => { o.result.close(); r(g.result.length === 1); }; }; })""",
        timeout=SYNC_TIMEOUT,
    )
    return str(
        page.evaluate(
            """() => new Promise(r => { const o = indexedDB.open('saha'); o.onsuccess = () => {
            const g = o.result.transaction('blobs').objectStore('blobs').getAllKeys();
            g.onsuccess = () => { o.result.close(); r(g.result[0]); }; }; })"""
        )
    )


def _server_blob(server: str, sha: str, token: str) -> bytes | None:
    req = urllib.request.Request(f"{server}/blobs/{sha}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return bytes(r.read())
    except urllib.error.HTTPError:
        return None


def _near(px: tuple[int, ...], want: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(px[:3], want, strict=True))


def test_large_photo_resized_upright_with_gps_and_progress_on_slow_uplink(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: a technician's phone, synced once, with a fresh order open, on a 750 kbit/s uplink
    wo = _new_order_for_tech(server, f"Yavaş bağlantı fotoğraf {uuid.uuid4().hex[:6]}")
    token = api_token(server, "teknisyen")
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    _wait_synced(page)
    _open_order(page, wo)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 4 * UPLINK_BYTES_PER_S,
            "uploadThroughput": UPLINK_BYTES_PER_S,
        },
    )
    original = _camera_photo()
    assert len(original) > 3_000_000

    # when: they add a 4000×3000 camera photo and open the sync screen
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "IMG_1234.jpg", "mimeType": "image/jpeg", "buffer": original}]
    )
    expect(page.get_by_role("list", name="Fotoğraflar").locator("img")).to_have_count(1, timeout=SYNC_TIMEOUT)
    sha = _stored_sha(page)
    _sync_screen(page)

    # then: until the server has the photo, the screen never says "Eşitlendi", and it shows the
    # photo's bytes sent / total climbing
    phase = page.locator(".sync-phase")
    upload = page.get_by_role("list", name="Fotoğraf yüklemeleri").get_by_role("listitem")
    progress_seen: set[str] = set()
    stored: bytes | None = None
    deadline = time.monotonic() + 60
    while stored is None:
        assert time.monotonic() < deadline, "the photo never reached the server"
        shown = phase.text_content() or ""
        rows = upload.all_text_contents()
        stored = _server_blob(server, sha, token)
        if stored is None:
            assert shown != "Eşitlendi", f"'Eşitlendi' shown while the photo is still uploading ({rows})"
            for row in rows:
                m = re.search(r"([\d.,]+ (?:kB|MB)) / ([\d.,]+ (?:kB|MB)) gönderildi", row)
                if m and not m.group(1).startswith("0 "):
                    progress_seen.add(m.group(1))
        time.sleep(0.25)
    assert len(progress_seen) >= 2, f"per-photo progress not seen climbing: {progress_seen}"

    # then: once it is there, the screen says "Eşitlendi" and the upload row is gone
    expect(page.get_by_role("status").filter(has_text="Eşitlendi")).to_be_visible(timeout=SYNC_TIMEOUT)
    expect(upload).to_have_count(0)
    expect(page.locator(".nav-badge")).to_have_count(0)

    # then: the stored photo is the resized one: long edge 1600 px, upright (portrait, red now top-right,
    # blue bottom-left), much smaller than the original, GPS and capture time kept
    assert len(stored) < len(original) / 3
    img = Image.open(io.BytesIO(stored))
    assert img.format == "JPEG"
    assert img.size == (1200, 1600), img.size
    rgb = img.convert("RGB")
    assert _near(rgb.getpixel((1200 - 40, 40)), RED), rgb.getpixel((1200 - 40, 40))
    assert _near(rgb.getpixel((40, 1600 - 40)), BLUE), rgb.getpixel((40, 1600 - 40))
    exif = img.getexif()
    assert exif.get(0x0112, 1) == 1
    assert exif.get_ifd(0x8769).get(0x9003) == TAKEN
    gps = exif.get_ifd(0x8825)
    assert gps[1] == "N"
    assert gps[3] == "E"
    assert tuple(float(x) for x in gps[2]) == GPS_LAT
    assert tuple(float(x) for x in gps[4]) == GPS_LON


def test_photo_size_chosen_on_account_screen_applies_on_this_phone(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: a technician who picks 1280 px on the account screen
    wo = _new_order_for_tech(server, f"Fotoğraf boyutu {uuid.uuid4().hex[:6]}")
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    _wait_synced(page)
    page.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="Hesap").click()
    size = page.get_by_label("Fotoğraf boyutu (uzun kenar)")
    expect(size).to_have_value("1600")
    size.select_option(label="1280 piksel")
    page.go_back()

    # when: offline, they add the sideways 4000×3000 photo to an order
    ctx.set_offline(True)
    _open_order(page, wo)
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "IMG_5678.jpg", "mimeType": "image/jpeg", "buffer": _camera_photo()}]
    )
    expect(page.get_by_role("list", name="Fotoğraflar").locator("img")).to_have_count(1, timeout=SYNC_TIMEOUT)
    sha = _stored_sha(page)

    # then: the phone keeps it at 960×1280, upright
    dims = page.evaluate(
        """sha => new Promise(r => { const o = indexedDB.open('saha'); o.onsuccess = () => {
        const g = o.result.transaction('blobs').objectStore('blobs').get(sha);
        g.onsuccess = async () => { o.result.close(); const row = g.result;
          const b = await createImageBitmap(new Blob([row.bytes], { type: row.contentType }));
          r([b.width, b.height, row.contentType, row.filename]); }; }; })""",
        sha,
    )
    assert dims == [960, 1280, "image/jpeg", "IMG_5678.jpg"]
