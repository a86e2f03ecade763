"""Local-first PWA end to end: work offline (start, note, photo), survive a page close, sync when
back online; a command the server refuses shows as rejected with the Turkish reason."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from typing import Any

from conftest import api_token, gql, sign_in
from playwright.sync_api import BrowserContext, Page, expect

SYNC_TIMEOUT = 25_000


def _tech_id_and_site(server: str) -> tuple[str, str]:
    token = api_token(server, "teknisyen")
    data = gql(server, "{ viewer { user { id } } myWorkOrders { site { id } } }", token=token)
    return str(data["viewer"]["user"]["id"]), str(data["myWorkOrders"][0]["site"]["id"])


def _new_order_for_tech(server: str, title: str) -> dict[str, Any]:
    """A fresh ASSIGNED work order for the demo technician (tests do not share orders)."""
    tech_id, site_id = _tech_id_and_site(server)
    data = gql(
        server,
        "mutation($i: CreateWorkOrderInput!) { r: createWorkOrder(input: $i) { __typename"
        " ... on WorkOrderSuccess { workOrder { id number title status } } ... on OperationError { code message } } }",
        {"i": {"type": "FAULT", "title": title, "siteId": site_id, "assigneeId": tech_id}},
        token=api_token(server, "mudur"),
    )
    assert data["r"]["__typename"] == "WorkOrderSuccess", data
    wo: dict[str, Any] = data["r"]["workOrder"]
    assert wo["status"] == "ASSIGNED", wo
    return wo


def _jpeg(page: Page) -> bytes:
    """A small real JPEG, drawn by the browser itself."""
    data_url = page.evaluate(
        """() => { const c = document.createElement('canvas'); c.width = 64; c.height = 48;
        const g = c.getContext('2d'); g.fillStyle = '#0d4f6c'; g.fillRect(0, 0, 64, 48);
        g.fillStyle = '#f5c518'; g.fillRect(8, 8, 24, 24); return c.toDataURL('image/jpeg', 0.9); }"""
    )
    raw = base64.b64decode(str(data_url).split(",", 1)[1])
    assert raw[:3] == b"\xff\xd8\xff"
    return raw


def _open_order(page: Page, wo: dict[str, Any]) -> None:
    link = page.get_by_role("link", name=re.compile(re.escape(wo["title"])))
    expect(link).to_be_visible(timeout=SYNC_TIMEOUT)
    link.click()
    expect(page.get_by_role("heading", name=wo["title"])).to_be_visible()


def _sync_screen(page: Page) -> None:
    page.get_by_role("navigation", name="Ana gezinme").get_by_role(
        "link", name=re.compile("Eşitleme")
    ).click()
    expect(page.get_by_role("heading", name="Eşitleme")).to_be_visible()


def _outbox(page: Page, state: str | None = None) -> Any:
    items = page.get_by_role("list", name="Gönderim kuyruğu").get_by_role("listitem")
    return items.and_(page.locator(f'[data-state="{state}"]')) if state else items


def _wait_synced(page: Page) -> None:
    """The first pull has stored the technician's orders on the device."""
    page.wait_for_function(
        """() => new Promise(r => { const o = indexedDB.open('saha'); o.onsuccess = () => {
        const db = o.result; if (!db.objectStoreNames.contains('meta')) { db.close(); r(false); return; }
        const g = db.transaction('meta').objectStore('meta').getAll();
        g.onsuccess = () => { db.close(); r(g.result.some(x => String(x.key).startsWith('cursor:'))); }; }; })""",
        timeout=SYNC_TIMEOUT,
    )


def test_offline_start_note_photo_survive_reload_and_sync(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: a technician whose phone has synced once, with a fresh ASSIGNED order
    wo = _new_order_for_tech(server, f"Çevrimdışı saha işi {uuid.uuid4().hex[:6]}")
    note = "Direkte çalışıldı, konnektör değişti."
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    _wait_synced(page)
    _open_order(page, wo)
    jpeg = _jpeg(page)

    # when: the connection drops (the header pill says so at once) and they start the order, add a note and a photo
    ctx.set_offline(True)
    expect(page.locator(".topbar").get_by_role("status")).to_have_text("Çevrimdışı")
    page.get_by_role("button", name="Başlat").click()
    expect(page.locator(".badges .badge")).to_have_text("Sürüyor")
    page.get_by_role("button", name="Not ekle").click()
    page.get_by_role("dialog").get_by_label("Not").fill(note)
    page.get_by_role("dialog").get_by_role("button", name="Notu kaydet").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "direk.jpg", "mimeType": "image/jpeg", "buffer": jpeg}]
    )

    # then: everything shows at once, from the device
    timeline = page.get_by_role("list", name="Geçmiş")
    expect(timeline).to_contain_text(note)
    expect(timeline).to_contain_text("Atandı → Sürüyor")
    photo = page.get_by_role("list", name="Fotoğraflar").locator("img")
    expect(photo).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('.photos img'); return i && i.naturalWidth === 64; }"
    )

    # when: the page is closed and the app opened again, still offline
    page.close()
    page = ctx.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="İşlerim")).to_be_visible()

    # then: the work is still there and the outbox shows three queued items
    _open_order(page, wo)
    expect(page.locator(".badges .badge")).to_have_text("Sürüyor")
    expect(page.get_by_role("list", name="Geçmiş")).to_contain_text(note)
    expect(page.get_by_role("list", name="Fotoğraflar").locator("img")).to_have_count(1)
    nav_badge = page.locator(".nav-badge")
    expect(nav_badge).to_have_text("4")  # three commands and the photo not uploaded yet
    _sync_screen(page)
    expect(
        page.get_by_role("status").filter(has_text="Çevrimdışı: bağlantı gelince gönderilecek")
    ).to_be_visible()
    expect(_outbox(page, "queued")).to_have_count(3)
    expect(_outbox(page)).to_contain_text(["Fotoğraf ekle", "Not ekle", "Başlat"])
    expect(page.get_by_text("1 fotoğraf yüklenmeyi bekliyor")).to_be_visible()
    expect(page.get_by_text(re.compile("^Kalıcı depolama:"))).to_be_visible()

    # when: the connection comes back and they tap "send now"
    ctx.set_offline(False)
    page.get_by_role("button", name="Şimdi gönder").click()

    # then: all three are confirmed, the photo uploaded, and the last sync time shows
    expect(_outbox(page, "confirmed")).to_have_count(3, timeout=SYNC_TIMEOUT)
    expect(_outbox(page, "confirmed").first).to_contain_text("Teyit edildi")
    expect(page.get_by_text(re.compile("fotoğraf yüklenmeyi bekliyor"))).to_have_count(
        0, timeout=SYNC_TIMEOUT
    )
    expect(page.get_by_text(re.compile(r"Son başarılı eşitleme: \d{2}\.\d{2}\.\d{4}"))).to_be_visible()
    expect(nav_badge).to_have_count(0)

    # when: the manager signs in on another device and opens the order
    mgr = new_phone().new_page()
    sign_in(mgr, "mudur")
    mgr.goto(f"/#/wo/{wo['id']}")
    mgr.reload()

    # then: the note and the photo (downloaded from /blobs/) are there
    expect(mgr.get_by_role("heading", name=wo["title"])).to_be_visible(timeout=SYNC_TIMEOUT)
    expect(mgr.locator(".badges .badge")).to_have_text("Sürüyor")
    expect(mgr.get_by_role("list", name="Geçmiş")).to_contain_text(note, timeout=SYNC_TIMEOUT)
    expect(mgr.get_by_role("list", name="Fotoğraflar").locator("img")).to_have_count(1, timeout=SYNC_TIMEOUT)
    mgr.wait_for_function(
        "() => { const i = document.querySelector('.photos img'); return i && i.complete && i.naturalWidth === 64; }",
        timeout=SYNC_TIMEOUT,
    )


def test_rejected_command_shows_turkish_reason_and_queue_continues(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: an order the technician has started, open on their phone
    wo = _new_order_for_tech(server, f"Reddedilecek gönderim {uuid.uuid4().hex[:6]}")
    tech_token = api_token(server, "teknisyen")
    started = gql(
        server,
        f'mutation {{ r: startWorkOrder(input: {{workOrderId: "{wo["id"]}"}}) {{ __typename }} }}',
        token=tech_token,
    )
    assert started["r"]["__typename"] == "WorkOrderSuccess"
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    _wait_synced(page)
    _open_order(page, wo)
    expect(page.locator(".badges .badge")).to_have_text("Sürüyor")

    # when: offline, they submit it and add a note after it
    ctx.set_offline(True)
    expect(page.locator(".topbar").get_by_role("status")).to_have_text("Çevrimdışı")
    page.get_by_role("button", name="Onaya gönder").click()
    page.get_by_role("dialog").get_by_role("button", name="Gönder").click()
    expect(page.locator(".badges .badge")).to_have_text("Onay bekliyor")
    page.get_by_role("button", name="Not ekle").click()
    page.get_by_role("dialog").get_by_label("Not").fill("Gönderimden sonraki not")
    page.get_by_role("dialog").get_by_role("button", name="Notu kaydet").click()
    expect(page.get_by_role("dialog")).to_be_hidden()

    # and: meanwhile the manager reassigns it, which takes it back to "assigned"
    tech_id, _ = _tech_id_and_site(server)
    assigned = gql(
        server,
        f'mutation {{ r: assignWorkOrder(input: {{workOrderId: "{wo["id"]}", assigneeId: "{tech_id}"}}) {{ __typename'
        " ... on WorkOrderSuccess { workOrder { status } } } }",
        token=api_token(server, "mudur"),
    )
    assert assigned["r"]["workOrder"]["status"] == "ASSIGNED", assigned

    # when: back online
    _sync_screen(page)
    ctx.set_offline(False)
    page.get_by_role("button", name="Şimdi gönder").click()

    # then: the submit is rejected with the server's Turkish reason, the note still went through
    rejected = _outbox(page, "rejected")
    expect(rejected).to_have_count(1, timeout=SYNC_TIMEOUT)
    expect(rejected).to_contain_text("Onaya gönder")
    expect(rejected).to_contain_text("Reddedildi")
    expect(rejected.get_by_role("alert")).to_contain_text(re.compile("onaya gönderme", re.IGNORECASE))
    expect(_outbox(page, "confirmed")).to_have_count(1, timeout=SYNC_TIMEOUT)
    expect(_outbox(page, "confirmed")).to_contain_text("Gönderimden sonraki not")
    expect(page.locator(".nav-badge")).to_have_text("1")

    # and: the optimistic status is rolled back to the server's
    page.goto(f"/#/wo/{wo['id']}")
    expect(page.locator(".badges .badge")).to_have_text("Atandı", timeout=SYNC_TIMEOUT)
    expect(page.get_by_role("list", name="Geçmiş")).to_contain_text("Gönderimden sonraki not")

    # when: the rejection is dismissed
    _sync_screen(page)
    _outbox(page, "rejected").get_by_role("button", name="Kaldır").click()

    # then
    expect(_outbox(page, "rejected")).to_have_count(0)
    expect(page.locator(".nav-badge")).to_have_count(0)
