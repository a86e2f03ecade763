"""The Saha PWA end to end: real backend, real Chromium, phone-sized viewport."""

from __future__ import annotations

import re
import struct
import tempfile
from collections.abc import Callable
from typing import Any

from conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, api_token, gql, sign_in
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

WO_FIELDS = "id number title status"
# True once every given text is in the IndexedDB `entities` store of the app.
IDB_HAS_TEXTS = """ts => new Promise(resolve => {
  const open = indexedDB.open('saha');
  open.onerror = () => resolve(false);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('entities')) { db.close(); resolve(false); return; }
    const get = db.transaction('entities').objectStore('entities').getAll();
    get.onsuccess = () => { const s = JSON.stringify(get.result); db.close(); resolve(ts.every(t => s.includes(t))); };
    get.onerror = () => { db.close(); resolve(false); };
  };
})"""


def _my_work_orders(server: str, status: str) -> list[dict[str, Any]]:
    token = api_token(server, "teknisyen")
    items = gql(server, f"{{ myWorkOrders {{ {WO_FIELDS} }} }}", token=token)["myWorkOrders"]
    return [w for w in items if w["status"] == status]


def _submit_via_api(server: str, wo_id: str) -> None:
    token = api_token(server, "teknisyen")
    for mutation, extra in (("startWorkOrder", ""), ("submitWorkOrder", ', summary: "Tamamlandı"')):
        data = gql(
            server,
            f'mutation {{ r: {mutation}(input: {{workOrderId: "{wo_id}"{extra}}}) {{ __typename'
            " ... on OperationError { code message } } }",
            token=token,
        )
        assert data["r"]["__typename"] == "WorkOrderSuccess", data


def _timeline(page: Page) -> Locator:
    return page.get_by_role("list", name="Geçmiş")


def test_technician_works_an_order_and_manager_approves_it(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: a technician on a phone with an ASSIGNED work order
    wo = _my_work_orders(server, "ASSIGNED")[0]
    note = "Lens temizlendi, konnektör değiştirildi."
    tech = new_phone().new_page()
    sign_in(tech, "teknisyen")
    expect(tech.get_by_role("heading", name="İşlerim")).to_be_visible()

    # when: they open it, start it, add a note and submit it
    tech.get_by_role("link", name=re.compile(re.escape(wo["title"]))).click()
    expect(tech.get_by_role("heading", name=wo["title"])).to_be_visible()
    expect(tech.locator(".badges .badge")).to_have_text("Atandı")
    tech.get_by_role("button", name="Başlat").click()
    expect(tech.locator(".badges .badge")).to_have_text("Sürüyor")

    tech.get_by_role("button", name="Not ekle").click()
    dialog = tech.get_by_role("dialog")
    dialog.get_by_label("Not").fill(note)
    dialog.get_by_role("button", name="Notu kaydet").click()
    expect(dialog).to_be_hidden()
    expect(_timeline(tech)).to_contain_text(note)

    tech.get_by_role("button", name="Onaya gönder").click()
    tech.get_by_role("dialog").get_by_label("Özet (isteğe bağlı)").fill("Kamera yeniden görüntü veriyor.")
    tech.get_by_role("dialog").get_by_role("button", name="Gönder").click()

    # then: status and timeline show every step
    expect(tech.locator(".badges .badge")).to_have_text("Onay bekliyor")
    timeline = _timeline(tech)
    expect(timeline).to_contain_text("Başlatıldı")
    expect(timeline).to_contain_text("Atandı → Sürüyor")
    expect(timeline).to_contain_text("Onaya gönderildi")
    expect(timeline).to_contain_text("Sürüyor → Onay bekliyor")
    expect(timeline).to_contain_text(note)
    expect(tech.get_by_role("button", name="Başlat")).to_have_count(0)

    # when: the manager, on another device, finds it in the review queue and approves it
    mgr = new_phone().new_page()
    sign_in(mgr, "mudur")
    expect(mgr.get_by_role("heading", name="Onay bekleyenler")).to_be_visible()
    mgr.get_by_role("link", name=re.compile(re.escape(wo["number"]))).click()
    expect(mgr.get_by_role("heading", name=wo["title"])).to_be_visible()
    expect(_timeline(mgr)).to_contain_text(note)
    mgr.get_by_role("button", name="Onayla").click()

    # then
    expect(mgr.locator(".badges .badge")).to_have_text("Onaylandı")
    expect(_timeline(mgr)).to_contain_text("Onay bekliyor → Onaylandı")
    expect(mgr.get_by_role("button", name="Onayla")).to_have_count(0)

    # when: the manager closes it (with a confirmation step)
    mgr.get_by_role("button", name="Kapat").click()
    mgr.get_by_role("dialog").get_by_role("button", name="İş emrini kapat").click()

    # then
    expect(mgr.locator(".badges .badge")).to_have_text("Kapatıldı")
    expect(_timeline(mgr)).to_contain_text("Onaylandı → Kapatıldı")
    mgr.get_by_role("link", name="Onay bekleyenler").click()
    expect(mgr.get_by_role("heading", name="Onay bekleyenler")).to_be_visible()
    expect(mgr.get_by_role("link", name=re.compile(re.escape(wo["number"])))).to_have_count(0)


def test_manager_returns_with_reason_and_cannot_return_without(server: str, phone: Page) -> None:
    # given: a work order submitted by the technician
    wo = _my_work_orders(server, "ASSIGNED")[-1]
    _submit_via_api(server, wo["id"])
    reason = "Fotoğraf eksik; direk etiketini de çekin."
    sign_in(phone, "mudur")
    expect(phone.get_by_role("link", name=re.compile(re.escape(wo["number"])))).to_be_visible()

    # when: the manager opens the return form from the queue and leaves the reason empty
    phone.get_by_role("button", name=f"İade et {wo['number']}").click()
    dialog = phone.get_by_role("dialog")
    confirm = dialog.get_by_role("button", name="Nedeniyle iade et")

    # then: returning is refused until a reason is written
    expect(confirm).to_be_disabled()
    dialog.get_by_label("İade nedeni").fill("   ")
    expect(confirm).to_be_disabled()
    refused = gql(
        server,
        f'mutation {{ r: returnWorkOrder(input: {{workOrderId: "{wo["id"]}", reason: ""}}) {{ __typename'
        " ... on OperationError { code } } }",
        token=api_token(server, "mudur"),
    )
    assert refused["r"] == {"__typename": "OperationError", "code": "WORKORDER_REASON_REQUIRED"}

    # when: a reason is given
    dialog.get_by_label("İade nedeni").fill(reason)
    expect(confirm).to_be_enabled()
    confirm.click()

    # then: it leaves the queue and shows as returned with the reason
    expect(dialog).to_be_hidden()
    expect(phone.get_by_role("link", name=re.compile(re.escape(wo["number"])))).to_have_count(0)
    phone.goto(f"/#/wo/{wo['id']}")
    expect(phone.locator(".badges .badge")).to_have_text("İade edildi")
    expect(phone.locator(".callout")).to_contain_text(reason)
    expect(_timeline(phone)).to_contain_text(reason)


def test_manager_assigns_a_draft_to_a_technician(server: str, phone: Page) -> None:
    # given: a DRAFT work order and the technician's full name
    token = api_token(server, "mudur")
    drafts = gql(server, f"{{ workOrders(status: DRAFT) {{ items {{ {WO_FIELDS} }} }} }}", token=token)
    wo = drafts["workOrders"]["items"][0]
    techs = gql(server, "{ technicians { username fullName } }", token=token)["technicians"]
    tech_name = next(u["fullName"] for u in techs if u["username"] == "teknisyen")
    sign_in(phone, "mudur")

    # when: the manager filters all work orders by "Taslak", opens it and assigns it
    phone.get_by_role("link", name="İş emirleri").click()
    phone.get_by_label("Duruma göre süz").select_option("DRAFT")
    phone.get_by_role("link", name=re.compile(re.escape(wo["number"]))).click()
    expect(phone.locator(".badges .badge")).to_have_text("Taslak")
    phone.get_by_role("button", name="Ata").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Atamayı kaydet")).to_be_disabled()
    dialog.get_by_label("Teknisyen").select_option(label=tech_name)
    dialog.get_by_role("button", name="Atamayı kaydet").click()

    # then
    expect(dialog).to_be_hidden()
    expect(phone.locator(".badges .badge")).to_have_text("Atandı")
    expect(phone.locator(".fields")).to_contain_text(tech_name)
    expect(_timeline(phone)).to_contain_text("Taslak → Atandı")


def test_app_opens_offline_with_last_known_data(server: str, new_phone: Callable[[], BrowserContext]) -> None:
    # given: one online visit that loaded the technician's work and one work order
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    first = page.locator(".cards .card-title").first
    expect(first).to_be_visible()
    titles = page.locator(".cards .card-title").all_inner_texts()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    page.get_by_role("link", name=re.compile(re.escape(titles[0]))).click()
    expect(page.get_by_role("heading", name=titles[0])).to_be_visible()
    page.get_by_role("link", name="İşlerim").click()
    expect(page.get_by_role("heading", name="İşlerim")).to_be_visible()
    # the store is written to IndexedDB shortly after a change
    page.wait_for_function(IDB_HAS_TEXTS, arg=titles)

    # when: the phone loses its connection and the app is reloaded
    ctx.set_offline(True)
    page.reload()

    # then: the shell renders from the service worker with the cached work orders
    expect(page.get_by_role("status").filter(has_text="Çevrimdışı")).to_be_visible()
    expect(page.get_by_role("heading", name="İşlerim")).to_be_visible()
    for title in titles:
        expect(page.locator(".cards .card-title").filter(has_text=title)).to_be_visible()
    expect(page.get_by_text("Bağlantı yok; son bilinen veriler gösteriliyor.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Son güncelleme: \d{2}\.\d{2}\.\d{4}"))).to_be_visible()

    # and: the work order opened earlier is there too; a write is kept on the device, pending
    page.get_by_role("link", name=re.compile(re.escape(titles[0]))).click()
    expect(page.get_by_role("heading", name=titles[0])).to_be_visible()
    page.get_by_role("button", name="Not ekle").click()
    page.get_by_role("dialog").get_by_label("Not").fill("Çevrimdışı not")
    page.get_by_role("dialog").get_by_role("button", name="Notu kaydet").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    pending = _timeline(page).get_by_role("listitem").filter(has_text="Çevrimdışı not")
    expect(pending).to_contain_text("Gönderilmeyi bekliyor")

    # when: the connection comes back
    ctx.set_offline(False)

    # then: the note is sent and no longer pending
    expect(page.get_by_role("status").filter(has_text="Çevrimiçi")).to_be_visible()
    expect(_timeline(page).locator(".ev-pending")).to_have_count(0, timeout=20_000)
    expect(_timeline(page)).to_contain_text("Çevrimdışı not")


def test_language_switch_to_english_persists_across_reload(phone: Page) -> None:
    # given
    phone.goto("/")
    expect(phone.get_by_role("heading", name="Oturum aç")).to_be_visible()

    # when
    phone.get_by_role("button", name="Switch to English").click()

    # then
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(phone.get_by_label("Username")).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "en")

    # when: reloaded and signed in
    phone.reload()
    expect(phone.get_by_label("Username")).to_be_visible()
    phone.get_by_label("Username").fill("teknisyen")
    phone.get_by_label("Password").fill("saha-demo")
    phone.get_by_role("button", name="Sign in").click()

    # then: the whole UI stays English
    nav = phone.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="My work")).to_be_visible()
    expect(phone.get_by_role("heading", name="My work")).to_be_visible()
    expect(phone.get_by_role("status").filter(has_text="Online")).to_be_visible()

    # when: switched back
    phone.get_by_role("button", name="Türkçeye geç").click()

    # then
    expect(phone.get_by_role("heading", name="İşlerim")).to_be_visible()


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    return int(width), int(height)


def test_pwa_is_installable(server: str, phone: Page, browser: Browser) -> None:
    # given
    phone.goto("/")

    # when
    href = phone.locator('link[rel="manifest"]').get_attribute("href")
    assert href
    manifest = phone.request.get(href).json()

    # then: manifest content and real PNG icons
    assert manifest["name"] == "Saha"
    assert manifest["lang"] == "tr"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    assert "Görüntülü" in manifest["description"]
    sizes: dict[str, set[str]] = {}
    for icon in manifest["icons"]:
        sizes.setdefault(icon["sizes"], set()).add(icon.get("purpose", "any"))
        if icon["type"] == "image/png":
            res = phone.request.get(icon["src"])
            assert res.ok
            w, h = _png_size(res.body())
            assert f"{w}x{h}" == icon["sizes"]
    assert {"any", "maskable"} <= sizes["192x192"]
    assert {"any", "maskable"} <= sizes["512x512"]

    # and: the service worker controls the page after a reload, with versioned caches
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    assert phone.evaluate("navigator.serviceWorker.controller !== null")
    phone.wait_for_function("caches.keys().then(k => k.length > 0)")
    cache_names = phone.evaluate("caches.keys()")
    assert any(re.match(r"saha-\d+\.\d+\.\d+", n) and "precache" in n for n in cache_names), cache_names
    sw_url = phone.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert sw_url.endswith("/sw.js")

    # and: Chromium itself reports no installability errors (needs a persistent profile)
    with tempfile.TemporaryDirectory() as profile:
        ctx = browser.browser_type.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            base_url=server,
            **PHONE,
        )
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.goto("/")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.reload()
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            cdp = ctx.new_cdp_session(page)
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            assert errors == [], errors
        finally:
            ctx.close()


TOUCH_TARGETS_JS = """() => [...document.querySelectorAll(
    'button, input, select, textarea, .bottomnav a, .card-link, .links a, a.back')]
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
               return {what: el.tagName + ' ' + (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 30),
                       w: Math.round(r.width), h: Math.round(r.height)}; })
  .filter(t => t.w < 48 || t.h < 48)"""


def _assert_no_overflow(page: Page, where: str) -> None:
    page.wait_for_timeout(200)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{where}: scrollWidth {width}"
    too_small = page.evaluate(TOUCH_TARGETS_JS)
    assert too_small == [], f"{where}: touch targets under 48 px: {too_small}"


def test_main_screens_fit_360px_with_48px_touch_targets(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: a technician and a manager on 360 px wide phones
    tech = new_phone().new_page()
    tech.goto("/")
    expect(tech.get_by_role("heading", name="Oturum aç")).to_be_visible()
    _assert_no_overflow(tech, "sign-in")
    sign_in(tech, "teknisyen")

    # when / then: every main screen fits
    expect(tech.locator(".cards .card").first).to_be_visible()
    _assert_no_overflow(tech, "my work")
    # the header (with the network pill) and the bottom nav stay in view while scrolling
    tech.mouse.wheel(0, 600)
    tech.wait_for_function("window.scrollY > 100")
    header = tech.locator("header").bounding_box()
    nav = tech.get_by_role("navigation", name="Ana gezinme").bounding_box()
    assert header is not None
    assert header["y"] == 0, header
    assert nav is not None
    assert nav["y"] + nav["height"] == 740, nav
    tech.locator(".cards .card-link").first.click()
    expect(_timeline(tech)).to_be_visible()
    _assert_no_overflow(tech, "work order")
    tech.get_by_role("link", name="Yerler").click()
    expect(tech.locator(".cards .card").first).to_be_visible()
    _assert_no_overflow(tech, "sites")
    tech.locator(".cards .card-link").first.click()
    expect(tech.get_by_role("heading", name="Cihazlar")).to_be_visible()
    _assert_no_overflow(tech, "site")
    tech.locator(".links a").first.click()
    expect(tech.get_by_text("Demirbaş no")).to_be_visible()
    _assert_no_overflow(tech, "device")
    tech.get_by_role("link", name="Hesap").click()
    expect(tech.get_by_role("button", name="Oturumu kapat")).to_be_visible()
    _assert_no_overflow(tech, "account")

    mgr = new_phone().new_page()
    sign_in(mgr, "mudur")
    expect(mgr.get_by_role("heading", name="Onay bekleyenler")).to_be_visible()
    _assert_no_overflow(mgr, "review queue")
    mgr.get_by_role("link", name="İş emirleri").click()
    expect(mgr.locator(".cards .card").first).to_be_visible()
    _assert_no_overflow(mgr, "all work orders")

    # and: the admin, who gets every screen in the bottom bar (six), still fits
    admin = new_phone().new_page()
    sign_in(admin, "admin")
    nav = admin.get_by_role("navigation", name="Ana gezinme")
    expect(nav.get_by_role("link")).to_have_count(6)
    expect(admin.get_by_role("heading", name="Onay bekleyenler")).to_be_visible()
    _assert_no_overflow(admin, "admin review queue")
    nav.get_by_role("link", name="İşlerim").click()
    expect(admin.get_by_role("heading", name="İşlerim")).to_be_visible()
    _assert_no_overflow(admin, "admin my work")


def test_session_refreshes_a_bad_access_token_and_sign_out_clears_everything(phone: Page) -> None:
    # given: a signed-in technician whose access token has gone bad (as after expiry)
    sign_in(phone, "teknisyen")
    expect(phone.locator(".cards .card").first).to_be_visible()
    old = phone.evaluate("JSON.parse(localStorage.getItem('saha.session'))")
    phone.evaluate(
        "s => localStorage.setItem('saha.session', JSON.stringify({...s, accessToken: 'not-a-valid-token'}))",
        old,
    )

    # when: the app talks to the server again
    phone.reload()
    phone.get_by_role("button", name="Yenile").click()

    # then: it refreshed once (the refresh token rotated) and still shows data
    expect(phone.get_by_role("heading", name="İşlerim")).to_be_visible()
    expect(phone.locator(".cards .card").first).to_be_visible()
    phone.wait_for_function(
        f"JSON.parse(localStorage.getItem('saha.session')).refreshToken !== {old['refreshToken']!r}"
    )
    assert (
        phone.evaluate("JSON.parse(localStorage.getItem('saha.session')).accessToken") != "not-a-valid-token"
    )

    # when: the user signs out
    phone.get_by_role("link", name="Hesap").click()
    phone.get_by_role("button", name="Oturumu kapat").click()

    # then: back at sign-in with nothing left on the device
    expect(phone.get_by_role("heading", name="Oturum aç")).to_be_visible()
    assert phone.evaluate("localStorage.getItem('saha.session')") is None
    assert phone.evaluate("localStorage.getItem('saha.store.v1')") is None
    phone.reload()
    expect(phone.get_by_role("heading", name="Oturum aç")).to_be_visible()


def test_sign_in_shows_the_server_error_message(phone: Page) -> None:
    # given
    phone.goto("/")

    # when
    phone.get_by_label("Kullanıcı adı").fill("teknisyen")
    phone.get_by_label("Parola").fill("yanlis-parola")
    phone.get_by_role("button", name="Giriş yap").click()

    # then: the server's Turkish message is shown and we stay on sign-in
    alert = phone.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).not_to_be_empty()
    expect(phone.get_by_role("heading", name="Oturum aç")).to_be_visible()
    expect(phone.get_by_role("navigation")).to_have_count(0)


def test_service_worker_deletes_caches_of_older_builds(new_phone: Callable[[], BrowserContext]) -> None:
    # given: a page whose service worker is not installed yet, and a precache left by an older build
    ctx = new_phone()
    ctx.route("**/sw.js", lambda route: route.abort())
    page = ctx.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Oturum aç")).to_be_visible()
    old = page.evaluate(
        "async () => { const n = `saha-0.0.1-oldbuild-precache-v2-${location.origin}/`;"
        " await (await caches.open(n)).put('/old.js', new Response('old')); return n; }"
    )
    assert old in page.evaluate("caches.keys()")

    # when: the current build's service worker installs and activates
    ctx.unroute("**/sw.js")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    page.wait_for_function(f"caches.keys().then(k => !k.includes({old!r}))", timeout=15_000)

    # then: only this build's caches are left, and they hold the app shell
    names = page.evaluate("caches.keys()")
    assert old not in names
    assert names, names
    assert all(n.startswith("saha-") for n in names), names
    shell = page.evaluate("caches.match('/index.html', {ignoreSearch: true}).then(r => r ? r.text() : null)")
    assert shell is not None
    assert '<link rel="manifest"' in shell


def test_read_only_roles_land_on_sites_without_work_order_screens(phone: Page) -> None:
    # given / when: Zabıta staff sign in (security staff and unit heads now have survey work)
    sign_in(phone, "zabita")

    # then: home is the sites list and the navigation offers only what the role may use
    expect(phone.get_by_role("heading", name="Yerler")).to_be_visible()
    nav = phone.get_by_role("navigation", name="Ana gezinme")
    expect(nav.get_by_role("link")).to_have_text(["Yerler", "Eşitleme", "Hesap"])
    expect(phone.locator(".cards .card-title").filter(has_text="Balçova")).not_to_have_count(0)

    # when: searching
    phone.get_by_label("Yer ara").fill("Bornova")

    # then: only matching sites are listed
    expect(phone.locator(".cards .card-title").filter(has_text="Balçova")).to_have_count(0)
    expect(phone.locator(".cards .card-title").first).to_contain_text("Bornova")
