"""Joint survey end to end (docs/surveys.md): the manager records a unit's request; on site and
offline, the technician fills in the survey, proposes camera points (a private office is refused
in the form, directive 7(4); the cashier is allowed, with a photo), creates the minutes, and all
three parties sign on the technician's phone — the co-signers with their own PIN on a shared
phone; the work survives a reload; back online it syncs and the minutes are sealed; the manager
sees the chain, downloads the sealed PDF (valid PAdES seal, Turkish names) and records the
approval; anyone can verify the code without signing in. A co-signature with a wrong PIN is
refused and shown at its slot and in the technician's İşlerim. Passkey signing on each party's
own phone and the QR hand-off are in test_signatures.py."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_PASSWORD, DEMO_PIN, api_token, gql, sign_in
from playwright.sync_api import BrowserContext, Geolocation, Page, expect
from test_offline_sync import SYNC_TIMEOUT, _jpeg, _outbox, _sync_screen, _wait_synced
from test_pwa import _assert_no_overflow

NAMES = {"teknisyen": "Mehmet Yılmaz", "guvenlik": "Hüseyin Çelik", "birimamiri": "Ayşe Öztürk"}
ROLE_LABEL = {
    "teknisyen": "Teknisyen",
    "guvenlik": "Koruma Güvenlik Personeli",
    "birimamiri": "Talep Eden Birim Amiri",
}
KONAK: Geolocation = {"latitude": 38.4189, "longitude": 27.1287, "accuracy": 12}

assert DEMO_PASSWORD  # the demo accounts' password; their signing PIN is DEMO_PIN


# --- helpers ----------------------------------------------------------------------------------


def _survey(server: str, survey_id: str) -> dict[str, Any]:
    data = gql(
        server,
        "query($id: ID!) { survey(id: $id) { id status requestingUnit olurReference"
        " workOrder { id number } installationWorkOrder { id number }"
        " points { place areaType photos } minutes { id status verificationCode sealedAt"
        " signatures { role } } } }",
        {"id": survey_id},
        token=api_token(server, "mudur"),
    )
    out: dict[str, Any] = data["survey"]
    return out


def _user_ids(server: str) -> dict[str, str]:
    ids = {}
    for username in ("teknisyen", "guvenlik", "birimamiri"):
        data = gql(server, "{ viewer { user { id } } }", token=api_token(server, username))
        ids[username] = str(data["viewer"]["user"]["id"])
    return ids


def _request_by_api(server: str, unit: str) -> str:
    """A survey request pushed by the manager's (other) device; returns the survey id."""
    ids = _user_ids(server)
    site = gql(
        server, '{ sites(search: "KNK-HB-01", limit: 1) { items { id } } }', token=api_token(server, "mudur")
    )
    survey_id = str(uuid.uuid4())
    args = {
        "id": survey_id,
        "workOrderId": str(uuid.uuid4()),
        "siteId": site["sites"]["items"][0]["id"],
        "reason": "Giriş holü için kamera talebi.",
        "requestingUnit": unit,
        "unitHeadId": ids["birimamiri"],
        "technicianId": ids["teknisyen"],
        "securityId": ids["guvenlik"],
    }
    pushed = gql(
        server,
        "mutation($c: String!, $e: [SyncEnvelopeInput!]!) { r: syncPush(clientId: $c, envelopes: $e) { __typename"
        " ... on SyncPushResult { replies { status code message } } } }",
        {
            "c": str(uuid.uuid4()),
            "e": [{"seq": 1, "mutationId": str(uuid.uuid4()), "name": "survey.request", "args": args}],
        },
        token=api_token(server, "mudur"),
    )
    assert pushed["r"]["replies"][0]["status"] == "APPLIED", pushed
    return survey_id


def _pill(page: Page) -> Any:
    return page.locator(".topbar").get_by_role("status")


def _dialog(page: Page) -> Any:
    return page.get_by_role("dialog")


def _open_survey_from_my_work(page: Page, unit: str) -> None:
    card = page.get_by_role("link", name=re.compile(re.escape(f"Ortak keşif: {unit}")))
    expect(card).to_be_visible(timeout=SYNC_TIMEOUT)
    card.click()
    page.get_by_role("link", name="Keşif ve tutanak").click()
    expect(page.get_by_role("heading", name=unit)).to_be_visible()


def _fill_survey(page: Page) -> None:
    page.get_by_role("button", name="Keşif bilgilerini düzenle").click()
    d = _dialog(page)
    expect(d.get_by_label("Keşif tarihi")).not_to_have_value("")  # today by default
    d.get_by_role("combobox", name=re.compile("^Kayıt yeri")).select_option(label="Kendi sistem kabini")
    d.get_by_label("Altyapı ihtiyacı").fill("  1 adet PoE anahtar, kabinde 2U boş yer  ")
    d.get_by_label("Kablolama ihtiyacı").fill("Cat6, yaklaşık 40 m, kablo kanalı ile")
    d.get_by_label("“Bu alan kamera ile izlenmektedir” levhası sayısı").fill("2")
    d.get_by_label("Levha notu (nereye)").fill("Ana giriş kapısı ve vezne üstü")
    d.get_by_role("radio", name="Olumlu").click()
    d.get_by_label("Sonuç açıklaması").fill("Vezne ve giriş için kamera uygundur.")
    _assert_no_overflow(page, "survey form")
    d.get_by_role("button", name="Değişiklikleri kaydet").click()
    expect(d).to_be_hidden()
    expect(page.locator(".fields")).to_contain_text("Kendi sistem kabini")
    expect(page.locator(".fields")).to_contain_text("1 adet PoE anahtar, kabinde 2U boş yer")


def _add_point(
    page: Page, place: str, area: str, mounting: str, jpeg: bytes | None = None, gps: bool = False
) -> None:
    page.get_by_role("button", name="Kamera noktası ekle").click()
    d = _dialog(page)
    d.get_by_label("Yer tanımı").fill(place)
    d.get_by_label("Alan türü").select_option(label=area)
    d.get_by_label("Montaj").select_option(label=mounting)
    d.get_by_label("Bakış yönü").fill("Kapıya doğru")
    if jpeg:
        d.locator('input[type="file"]').set_input_files(
            files=[{"name": "nokta.jpg", "mimeType": "image/jpeg", "buffer": jpeg}]
        )
        expect(d.get_by_role("list", name="Noktanın fotoğrafları").locator("img")).to_have_count(1)
    if gps:
        d.get_by_role("button", name="Konumu al").click()
        expect(d.get_by_text("38.418900, 27.128700 (±12 m)")).to_be_visible()
    d.get_by_role("button", name="Noktayı kaydet").click()
    expect(d).to_be_hidden()
    expect(page.get_by_role("list", name="Kamera noktaları")).to_contain_text(place)


def _create_minutes(page: Page) -> str:
    page.get_by_role("button", name="Tutanak oluştur").click()
    _dialog(page).get_by_role("button", name="Oluştur").click()
    expect(page.get_by_role("heading", name=re.compile("Keşif tutanağı · Rev. 1"))).to_be_visible()
    code = page.locator(".vcode").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", code), code
    expect(page.get_by_text("İçerik bu özetle eşleşiyor")).to_be_visible()
    return code


def draw_signature(page: Page, who: str, *, in_sheet: bool = True) -> None:
    """Draws a signature in the pad of the open sheet (or of the page)."""
    pad = (_dialog(page) if in_sheet else page).get_by_role("img", name=f"{NAMES[who]} imza alanı")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 20, y)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + 20 + i * 20, y + (15 if i % 2 else -15), steps=2)
    page.mouse.up()


def _sign(page: Page, who: str, pin: str = DEMO_PIN) -> None:
    """The person signs their slot on this phone with their own PIN: on the technician's own
    phone for the technician, on a shared phone (the technician's) for a co-signer."""
    page.get_by_role("button", name=re.compile(f"^(İmzala|Yeniden imzala): {ROLE_LABEL[who]}$")).click()
    d = _dialog(page)
    expect(d).to_contain_text(NAMES[who])
    if who != "teknisyen":  # someone else's phone: hand-off or PIN here
        expect(d.get_by_role("button", name="Kendi telefonunda imzalasın (QR kod)")).to_be_visible()
        d.get_by_role("button", name="Bu telefonda PIN ile imzalasın").click()
    draw_signature(page, who)
    d.get_by_label(f"{NAMES[who]}: imza PIN’i").fill(pin)
    if who == "teknisyen":
        _assert_no_overflow(page, "signature sheet")
    d.get_by_role("button", name="İmzala", exact=True).click()
    expect(d).to_be_hidden(timeout=SYNC_TIMEOUT)
    slot = page.locator(f'.sig-slot[data-role="{_role(who)}"]')
    expect(slot).to_have_attribute("data-state", re.compile("^(pending|signed)$"))


def _role(who: str) -> str:
    return {"teknisyen": "TECHNICIAN", "guvenlik": "SECURITY", "birimamiri": "UNIT_HEAD"}[who]


def _send_now(page: Page) -> None:
    _sync_screen(page)
    page.get_by_role("button", name="Şimdi gönder").click()
    expect(page.get_by_role("status").filter(has_text="Eşitlendi")).to_be_visible(timeout=SYNC_TIMEOUT)


def _seal_check(pdf: bytes, data_dir: Path) -> Any:
    from backend.integrations.pdf.seal import load_seal_identity, verify_pdf

    return verify_pdf(pdf, load_seal_identity(data_dir=data_dir))


def _server_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = sorted(tmp_path_factory.getbasetemp().glob("saha-data*"))
    assert found, "the server fixture's data dir"
    return found[0]


# --- the scenario -----------------------------------------------------------------------------


def test_offline_joint_survey_three_pin_signatures_sealed_pdf_chain_and_public_verification(
    server: str,
    new_phone: Callable[[], BrowserContext],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    unit = f"Mali Hizmetler Veznesi {uuid.uuid4().hex[:5]}"

    # given: the manager records the unit's request on their phone
    mgr_ctx = new_phone()
    mgr = mgr_ctx.new_page()
    sign_in(mgr, "mudur")
    mgr.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="İş emirleri").click()
    mgr.get_by_role("link", name="Keşifler ve keşif talepleri").click()
    mgr.get_by_role("link", name="Yeni keşif talebi").click()
    mgr.get_by_role("combobox", name=re.compile("^Yer")).select_option(
        label="KNK-HB-01 · Konak Hizmet Binası"
    )
    mgr.get_by_label("Talep eden birim").fill(unit)
    mgr.get_by_label("Talep nedeni").fill("Vezne ve giriş holü için kamera talebi (Yönerge 4(3)).")
    mgr.get_by_label("Birim amiri").select_option(label=NAMES["birimamiri"])
    mgr.get_by_label("Teknisyen").select_option(label=NAMES["teknisyen"])
    mgr.get_by_label("Koruma güvenlik personeli").select_option(label=NAMES["guvenlik"])
    _assert_no_overflow(mgr, "survey request")
    mgr.get_by_role("button", name="Talebi kaydet").click()
    expect(mgr.get_by_role("heading", name=unit)).to_be_visible()
    survey_id = mgr.url.rsplit("/", 1)[-1]
    expect(mgr.get_by_role("list", name="Süreç")).to_contain_text(NAMES["birimamiri"])
    # the request reaches the server (the survey work order gets its number)
    expect(
        mgr.get_by_role("list", name="Süreç").get_by_role("link", name=re.compile(r"IE-\d{4}-\d+"))
    ).to_be_visible(timeout=SYNC_TIMEOUT)
    assert _survey(server, survey_id)["status"] == "DRAFT"

    # and: the technician's phone has synced, then goes offline on site
    ctx = new_phone()
    ctx.grant_permissions(["geolocation"])
    ctx.set_geolocation(KONAK)
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    _wait_synced(page)
    _open_survey_from_my_work(page, unit)
    jpeg = _jpeg(page)
    ctx.set_offline(True)
    expect(_pill(page)).to_have_text("Çevrimdışı")

    # when: they fill in the survey
    _fill_survey(page)

    # and: try a camera in the office → refused at once, naming directive 7(4)
    page.get_by_role("button", name="Kamera noktası ekle").click()
    d = _dialog(page)
    d.get_by_label("Yer tanımı").fill("Daire başkanı odası")
    d.get_by_label("Alan türü").select_option(label="Ofis")
    rule = d.get_by_role("alert")
    expect(rule).to_contain_text("Yönerge md. 7(4): özel alanlara kamera konulamaz")
    expect(rule).to_contain_text("vezne hariç")
    expect(d.get_by_role("button", name="Noktayı kaydet")).to_be_disabled()
    # the cashier is the exception
    d.get_by_label("Alan türü").select_option(label="Vezne")
    expect(d.get_by_role("alert")).to_have_count(0)
    expect(d.get_by_text(re.compile("istisnasıdır"))).to_be_visible()
    _assert_no_overflow(page, "point form")
    d.get_by_role("button", name="Vazgeç").click()

    # and: add the cashier point with a photo and GPS, and the entrance without GPS
    _add_point(page, "Vezne önü", "Vezne", "Tavan", jpeg=jpeg, gps=True)
    _add_point(page, "Ana giriş", "Giriş", "Duvar")
    points = page.get_by_role("list", name="Kamera noktaları")
    expect(points.locator("li.card")).to_have_count(2)
    expect(points).to_contain_text("38.418900, 27.128700")
    _assert_no_overflow(page, "survey page")

    # and: create the minutes and sign: technician, then security staff and unit head on the same phone
    code = _create_minutes(page)
    expect(page.get_by_role("list", name="Tutanaktaki kamera noktaları")).to_contain_text("Vezne önü")
    _assert_no_overflow(page, "minutes")
    _sign(page, "teknisyen")
    _sign(page, "guvenlik")
    _sign(page, "birimamiri")

    # then: all three show, waiting for the server to seal
    expect(page.get_by_text("Üç imza tamam; mühürleme sunucu teyidi bekliyor.")).to_be_visible()
    expect(page.locator(".sig-slot .sig-image img")).to_have_count(3)

    # when: the app is reloaded, still offline
    page.reload()

    # then: everything is still there
    expect(page.locator(".vcode")).to_have_text(code)
    expect(page.get_by_text("Üç imza tamam; mühürleme sunucu teyidi bekliyor.")).to_be_visible()
    expect(page.locator('.sig-slot[data-state="pending"]')).to_have_count(3)
    minutes_url = page.url

    # when: back online, the outbox is sent
    ctx.set_offline(False)
    _send_now(page)

    # then: every command is confirmed, the photo and signature images are uploaded
    expect(_outbox(page, "confirmed")).to_have_count(
        7, timeout=SYNC_TIMEOUT
    )  # update, 2 points, minutes, 3 signatures
    expect(_outbox(page, "rejected")).to_have_count(0)
    expect(page.get_by_text(re.compile("fotoğraf yüklenmeyi bekliyor"))).to_have_count(
        0, timeout=SYNC_TIMEOUT
    )
    server_copy = _survey(server, survey_id)
    assert server_copy["status"] == "SEALED", server_copy
    assert server_copy["minutes"][0]["verificationCode"] == code
    assert {p["areaType"] for p in server_copy["points"]} == {"CASHIER", "ENTRANCE"}

    # and: the minutes are sealed on the phone too
    page.goto(minutes_url)
    expect(page.locator(".sealed-title")).to_have_text("Mühürlendi", timeout=SYNC_TIMEOUT)
    _assert_no_overflow(page, "sealed minutes")
    expect(page.locator('.sig-slot[data-state="signed"]')).to_have_count(3)
    expect(page.get_by_role("button", name="İmzala", exact=False)).to_have_count(0)
    expect(page.get_by_role("button", name="Tutanağı geri çek")).to_have_count(0)

    # when: the manager opens the survey (after a sync)
    mgr.goto(f"/#/survey/{survey_id}")
    mgr.reload()
    chain = mgr.get_by_role("list", name="Süreç")

    # then: the chain shows the sealed minutes
    expect(chain).to_contain_text(code, timeout=SYNC_TIMEOUT)
    expect(chain).to_contain_text("Mühürlendi")
    chain.get_by_role("link", name=re.compile(code)).click()
    expect(mgr.locator(".sealed-title")).to_have_text("Mühürlendi")

    # when: the sealed PDF is downloaded
    with mgr.expect_download(timeout=30_000) as dl:
        mgr.get_by_role("button", name="PDF indir").click()
    target = tmp_path / "tutanak.pdf"
    dl.value.save_as(target)
    pdf = target.read_bytes()
    assert dl.value.suggested_filename == f"kesif-tutanagi-{code}.pdf"

    # then: a sealed PDF whose seal is intact and valid, with the three names in Turkish
    assert pdf.startswith(b"%PDF"), pdf[:20]
    check = _seal_check(pdf, _server_data_dir(tmp_path_factory))
    assert check.signed, check
    assert check.intact, check
    assert check.valid, check
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(target), "-"], capture_output=True, check=True
    ).stdout.decode()
    for name in NAMES.values():
        assert name in text, name
    assert code in text

    # when: the manager records the approval (Olur)
    mgr.goto(f"/#/survey/{survey_id}")
    mgr.get_by_role("button", name="Olur kaydet").click()
    mgr.get_by_role("dialog").get_by_label("Olur sayısı").fill("E-2026/4711")
    mgr.get_by_role("dialog").get_by_role("button", name="Oluru kaydet").click()
    expect(mgr.get_by_role("dialog")).to_be_hidden()

    # then: the chain ends in the installation work order, which links back to its survey
    expect(chain).to_contain_text("E-2026/4711")
    installation = chain.get_by_role("link", name=re.compile(r"IE-\d{4}-\d+ · "))
    expect(installation).to_have_count(2, timeout=SYNC_TIMEOUT)  # the survey's and the installation's
    assert _survey(server, survey_id)["installationWorkOrder"] is not None
    installation.last.click()
    expect(mgr.get_by_role("heading", name=re.compile("Kurulum: Konak Hizmet Binası"))).to_be_visible()
    mgr.get_by_role("link", name="Olur: E-2026/4711").click()
    expect(mgr.get_by_role("heading", name=unit)).to_be_visible()

    # when: someone without an account checks the code from the PDF
    public = new_phone().new_page()
    public.goto("/")
    public.get_by_role("link", name="Tutanak doğrula").click()
    public.get_by_label("Doğrulama kodu").fill(code.lower().replace("-", " "))
    public.get_by_role("button", name="Doğrula").click()

    # then: valid, with whose signatures
    verdict = public.locator(".verdict-word")
    expect(verdict).to_have_text("GEÇERLİ", timeout=SYNC_TIMEOUT)
    signatures = public.get_by_role("list", name="İmzalar")
    for name in NAMES.values():
        expect(signatures).to_contain_text(name)
    _assert_no_overflow(public, "verify")

    # and: the PDF file itself verifies too, and a code link opens straight to the verdict
    public.locator('input[type="file"]').set_input_files(str(target))
    expect(public.locator(".verdict-msg")).to_be_visible()
    expect(verdict).to_have_text("GEÇERLİ", timeout=SYNC_TIMEOUT)
    linked = new_phone().new_page()
    linked.goto(f"/#/verify?code={code}")
    expect(linked.locator(".verdict-word")).to_have_text("GEÇERLİ", timeout=SYNC_TIMEOUT)


def test_wrong_pin_co_signature_is_refused_shown_at_its_slot_and_can_be_signed_again(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: a survey request, and the technician's phone with the survey filled in and its minutes
    unit = f"Park ve Bahçeler {uuid.uuid4().hex[:5]}"
    survey_id = _request_by_api(server, unit)
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    _wait_synced(page)
    _open_survey_from_my_work(page, unit)
    _fill_survey(page)
    _add_point(page, "Ana giriş", "Giriş", "Duvar")
    _create_minutes(page)
    minutes_url = page.url

    # when: on site without a connection, the technician signs and the security staff co-sign
    # with a wrong PIN (the phone cannot tell: only the server holds what the PIN is checked against)
    ctx.set_offline(True)
    _sign(page, "teknisyen")
    _sign(page, "guvenlik", pin="654321")
    expect(page.locator('.sig-slot[data-state="pending"]')).to_have_count(2)
    ctx.set_offline(False)
    _send_now(page)

    # then: the co-signature is refused with the server's reason, shown at its slot
    expect(_outbox(page, "rejected")).to_have_count(1, timeout=SYNC_TIMEOUT)
    # (the drawing is the same as in the other test: the server already has it, the upload ends at once)
    expect(page.get_by_text(re.compile("fotoğraf yüklenmeyi bekliyor"))).to_have_count(
        0, timeout=SYNC_TIMEOUT
    )
    page.goto(minutes_url)
    slot = page.locator('.sig-slot[data-role="SECURITY"]')
    expect(slot).to_have_attribute("data-state", "rejected")
    expect(slot.get_by_role("alert")).to_contain_text("İmza reddedildi:")
    message = slot.get_by_role("alert").inner_text()
    assert len(message) > len("İmza reddedildi: "), message
    expect(page.locator('.sig-slot[data-role="TECHNICIAN"]')).to_have_attribute("data-state", "signed")
    assert _survey(server, survey_id)["minutes"][0]["status"] == "AWAITING_SIGNATURES"

    # and: the technician's İşlerim marks the survey work order, impossible to miss
    page.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="İşlerim").click()
    card = page.get_by_role("listitem").filter(has_text=f"Ortak keşif: {unit}")
    expect(card.get_by_role("alert")).to_have_text("İmza reddedildi: tutanakta yeniden imzalanmalı")
    page.goto(minutes_url)

    # when: they sign again with the right PIN
    expect(slot.get_by_role("button", name="Yeniden imzala: Koruma Güvenlik Personeli")).to_be_visible()
    _sign(page, "guvenlik")
    _send_now(page)

    # then: the slot is signed; the minutes wait for the unit head only
    page.goto(minutes_url)
    expect(page.locator('.sig-slot[data-role="SECURITY"]')).to_have_attribute(
        "data-state", "signed", timeout=SYNC_TIMEOUT
    )
    expect(page.locator('.sig-slot[data-role="UNIT_HEAD"]')).to_have_attribute("data-state", "open")
    roles = {s["role"] for s in _survey(server, survey_id)["minutes"][0]["signatures"]}
    assert roles == {"TECHNICIAN", "SECURITY"}, roles
    # and İşlerim no longer marks the work order
    page.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="İşlerim").click()
    expect(page.get_by_role("listitem").filter(has_text=f"Ortak keşif: {unit}")).to_be_visible()
    expect(page.get_by_text("İmza reddedildi: tutanakta yeniden imzalanmalı")).to_have_count(0)

    # when: the security staff open the app on their own phone
    own = new_phone().new_page()
    sign_in(own, "guvenlik")

    # then: İşlerim has the survey work order, and says a signature in their name was refused
    expect(own.get_by_role("heading", name="İşlerim")).to_be_visible()
    refusal = own.get_by_role("alert").filter(has_text="Adınıza atılan imza reddedildi")
    expect(refusal).to_be_visible(timeout=SYNC_TIMEOUT)
    expect(refusal).to_contain_text("PIN yanlış. · ")
    expect(refusal).to_contain_text(f"gönderen: {NAMES['teknisyen']}")
    _open_survey_from_my_work(own, unit)


def test_setting_a_signing_pin_on_hesap_needs_the_password_and_stores_only_a_peppered_verifier(
    server: str, new_phone: Callable[[], BrowserContext], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # given: the administrator (not one of the survey signers other tests use) on their phone
    page = new_phone().new_page()
    sign_in(page, "admin")
    page.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="Hesap").click()
    section = page.get_by_role("region", name="İmza PIN’i")
    expect(section.get_by_text(re.compile("İmza PIN’iniz belirlenmiş"))).to_be_visible()
    _assert_no_overflow(page, "account")

    # when: two different PINs; then a guessable one; then a wrong password
    section.get_by_label("Yeni PIN (6 hane)").fill("246810")
    section.get_by_label("PIN (yeniden)").fill("246811")
    section.get_by_label("Parolanız").fill(DEMO_PASSWORD)
    section.get_by_role("button", name="PIN’i değiştir").click()
    expect(section.get_by_role("alert")).to_have_text("İki PIN aynı değil.")
    section.get_by_label("Yeni PIN (6 hane)").fill("123456")
    section.get_by_label("PIN (yeniden)").fill("123456")
    section.get_by_role("button", name="PIN’i değiştir").click()
    expect(section.get_by_role("alert")).to_contain_text("kolay tahmin edilir")
    section.get_by_label("Yeni PIN (6 hane)").fill("246810")
    section.get_by_label("PIN (yeniden)").fill("246810")
    section.get_by_label("Parolanız").fill("not-the-password")
    section.get_by_role("button", name="PIN’i değiştir").click()
    expect(section.get_by_role("alert")).to_have_text("Kullanıcı adı veya parola hatalı.")

    # and: the right password
    section.get_by_label("Yeni PIN (6 hane)").fill("246810")
    section.get_by_label("PIN (yeniden)").fill("246810")
    section.get_by_label("Parolanız").fill(DEMO_PASSWORD)
    section.get_by_role("button", name="PIN’i değiştir").click()

    # then: set, with nothing queued (it happened online, directly)
    expect(section.get_by_role("status")).to_have_text("İmza PIN’iniz belirlendi.")
    expect(section.get_by_label("Parolanız")).to_have_value("")

    # and: the server holds a verifier that needs its pepper: with it the PIN checks, without it
    # (a copy of the database) no guess can be tested; the PIN is nowhere on the phone
    from backend.domain.signing.message import b64url_decode
    from backend.domain.signing.pin import check_pin

    data_dir = _server_data_dir(tmp_path_factory)
    db = sqlite3.connect(f"file:{data_dir / 'saha.db'}?mode=ro", uri=True)
    user_id, salt, verifier, params = db.execute(
        "SELECT u.id, p.salt, p.verifier, p.params FROM users u JOIN signing_pins p ON p.user_id = u.id"
        " WHERE u.username = 'admin'"
    ).fetchone()
    columns = {row[1] for row in db.execute("PRAGMA table_info(users)")}
    db.close()
    assert not {"signing_salt", "signing_iterations", "signing_key"} & columns
    pepper = b64url_decode((data_dir / "signing_pepper").read_text().strip())
    uid = uuid.UUID(hex=str(user_id)) if not isinstance(user_id, bytes) else uuid.UUID(bytes=user_id)
    assert check_pin(pepper, uid, "246810", salt, verifier, params)
    assert not check_pin(b"\0" * 32, uid, "246810", salt, verifier, params)
    assert "246810" not in page.evaluate("JSON.stringify(localStorage)")


def test_the_demo_s_sealed_minutes_are_there_to_download_and_verify_at_once(
    server: str,
    new_phone: Callable[[], BrowserContext],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # given: the manager, on a fresh installation's demo data
    mgr = new_phone().new_page()
    sign_in(mgr, "mudur")

    # when: İş emirleri → Keşifler → the demo's sealed survey → its minutes
    mgr.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="İş emirleri").click()
    mgr.get_by_role("link", name="Keşifler ve keşif talepleri").click()
    mgr.get_by_role("link", name=re.compile("Kültür ve Sanat Dairesi Başkanlığı")).click()
    chain = mgr.get_by_role("list", name="Süreç")
    chain.get_by_role("link", name=re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")).first.click()

    # then: sealed, three signatures, and the PDF downloads with a valid seal
    expect(mgr.locator(".sealed-title")).to_have_text("Mühürlendi", timeout=SYNC_TIMEOUT)
    expect(mgr.locator('.sig-slot[data-state="signed"]')).to_have_count(3)
    with mgr.expect_download(timeout=30_000) as dl:
        mgr.get_by_role("button", name="PDF indir").click()
    target = tmp_path / "demo.pdf"
    dl.value.save_as(target)
    check = _seal_check(target.read_bytes(), _server_data_dir(tmp_path_factory))
    assert (check.signed, check.intact, check.valid) == (True, True, True), check
