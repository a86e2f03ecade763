"""Signatures nobody can forge, in the real PWA (docs/surveys.md, "Signatures"):

- each party registers a passkey on their own phone (Chromium's virtual platform authenticator over
  CDP) and signs offline there; back online, the minutes seal and the sealed PDF validates;
- the QR hand-off: the technician's phone shows the signing request as a QR code, the security
  staff's phone films it with its (fake) camera through "Kod tara", reviews the same content and
  signs with its passkey offline; it comes online first and the signature reaches the minutes;
- a request opened by the wrong person, or for content that differs, is refused on the phone.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    PHONE,
    add_passkey_authenticator,
    api_token,
    sign_in,
)
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect
from test_offline_sync import SYNC_TIMEOUT, _outbox, _wait_synced
from test_pwa import _assert_no_overflow
from test_scan import RECORD_SCANS, _write_y4m, decode_qr
from test_surveys import (
    NAMES,
    ROLE_LABEL,
    _add_point,
    _create_minutes,
    _dialog,
    _fill_survey,
    _open_survey_from_my_work,
    _request_by_api,
    _role,
    _seal_check,
    _send_now,
    _server_data_dir,
    _survey,
    draw_signature,
)

FRAME_W, FRAME_H = 640, 480


def _add_passkey(page: Page) -> None:
    """Hesap → İmza: the person adds a passkey on this phone (password again, then screen lock)."""
    page.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="Hesap").click()
    region = page.get_by_role("region", name="Passkey")
    # (a passkey made on another phone in an earlier test may be listed: not on this one)
    expect(region.get_by_text("bu telefonda", exact=True)).to_have_count(0)
    region.get_by_role("button", name="Bu telefona passkey ekle").click()
    d = _dialog(page)
    d.get_by_label("Parolanız").fill(DEMO_PASSWORD)
    d.get_by_role("button", name="Devam").click()
    expect(d).to_be_hidden(timeout=SYNC_TIMEOUT)
    expect(region.get_by_role("status")).to_contain_text("Passkey eklendi")
    expect(
        region.get_by_role("list", name="Passkey’leriniz").get_by_text("bu telefonda", exact=True)
    ).to_be_visible()


def _phone_with_passkey(new_phone: Callable[[], BrowserContext], who: str) -> Page:
    page = new_phone().new_page()
    add_passkey_authenticator(page)
    sign_in(page, who)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    _wait_synced(page)
    _add_passkey(page)
    return page


def _sign_with_passkey(page: Page, who: str) -> None:
    """The signer's own slot on their own phone: draw, then the passkey."""
    page.get_by_role("button", name=f"İmzala: {ROLE_LABEL[who]}").click()
    d = _dialog(page)
    expect(d.locator('form[data-method="passkey"]')).to_be_visible()
    draw_signature(page, who)
    d.get_by_role("button", name="Passkey ile imzala", exact=True).click()
    expect(d).to_be_hidden(timeout=SYNC_TIMEOUT)
    expect(page.locator(f'.sig-slot[data-role="{_role(who)}"]')).to_have_attribute(
        "data-state", re.compile("^(pending|signed)$")
    )


def _minutes_ready(server: str, new_phone: Callable[[], BrowserContext], unit: str) -> tuple[Page, str, str]:
    """A survey request, and the technician's phone (with a passkey) that filled it in and made
    its minutes online. Returns (technician's page, survey id, minutes url)."""
    survey_id = _request_by_api(server, unit)
    tech = _phone_with_passkey(new_phone, "teknisyen")
    page = tech
    page.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="İşlerim").click()
    _open_survey_from_my_work(page, unit)
    _fill_survey(page)
    _add_point(page, "Ana giriş", "Giriş", "Duvar")
    _create_minutes(page)
    minutes_url = page.url
    _send_now(page)
    page.goto(minutes_url)
    expect(page.locator(".vcode")).to_be_visible()
    return page, survey_id, minutes_url


def _pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "tutanak.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def _download_pdf(server: str, minutes_id: str) -> bytes:
    import urllib.request

    req = urllib.request.Request(
        f"{server}/api/minutes/{minutes_id}.pdf",
        headers={"Authorization": f"Bearer {api_token(server, 'mudur')}"},
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        data: bytes = r.read()
    return data


def test_each_party_signs_offline_with_a_passkey_on_their_own_phone_and_the_minutes_seal(
    server: str,
    new_phone: Callable[[], BrowserContext],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # given: minutes made on the technician's phone; the security staff and the unit head each
    # have their own phone with a passkey, synced (so the minutes are on their phones too)
    unit = f"Kültür Müdürlüğü {uuid.uuid4().hex[:5]}"
    tech, survey_id, minutes_url = _minutes_ready(server, new_phone, unit)
    minutes_path = minutes_url.split("#", 1)[1]
    minutes_id = minutes_path.rsplit("/", 1)[-1]
    security = _phone_with_passkey(new_phone, "guvenlik")
    head = _phone_with_passkey(new_phone, "birimamiri")
    phones = {"teknisyen": tech, "guvenlik": security, "birimamiri": head}
    for page in (security, head):
        page.goto(f"/#{minutes_path}")
        expect(page.locator(".vcode")).to_be_visible(timeout=SYNC_TIMEOUT)

    # when: on site, all three phones offline, each person signs on their own phone
    for who, page in phones.items():
        page.context.set_offline(True)
        if who != "teknisyen":
            page.reload()
        _sign_with_passkey(page, who)
        if who == "guvenlik":
            _assert_no_overflow(page, "minutes with a passkey signature")
    # (nothing reached the server yet)
    assert _survey(server, survey_id)["minutes"][0]["status"] == "AWAITING_SIGNATURES"
    assert _survey(server, survey_id)["minutes"][0]["signatures"] == []

    # and: back online, each phone sends its signature
    for page in phones.values():
        page.context.set_offline(False)
        _send_now(page)
        expect(_outbox(page, "rejected")).to_have_count(0)

    # then: the minutes are sealed with three passkey signatures, each sent by its own signer
    server_copy = _survey(server, survey_id)
    assert server_copy["minutes"][0]["status"] == "SEALED", server_copy
    _send_now(tech)  # the technician's phone pulls what the others sent
    tech.goto(f"/#{minutes_path}")
    expect(tech.locator(".sealed-title")).to_have_text("Mühürlendi", timeout=SYNC_TIMEOUT)
    expect(tech.locator(".sig-method")).to_have_count(3)
    for method in tech.locator(".sig-method").all_inner_texts():
        assert method == "Passkey ile (kendi telefonunda)", method

    # and: the sealed PDF validates and says how each signature was made
    pdf = _download_pdf(server, minutes_id)
    check = _seal_check(pdf, _server_data_dir(tmp_path_factory))
    assert (check.signed, check.intact, check.valid) == (True, True, True), check
    text = _pdf_text(pdf, tmp_path)
    assert text.count("Kendi cihazında passkey ile imzaladı") == 3, text
    for name in NAMES.values():
        assert name in text


# --- the QR hand-off ---------------------------------------------------------------------------


def _frame_of(png: bytes) -> np.ndarray:
    """The screenshot of a QR code, on white, as a 640x480 camera frame."""
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    scale = min((FRAME_H - 40) / image.shape[0], (FRAME_W - 40) / image.shape[1])
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.full((FRAME_H, FRAME_W, 3), 255, np.uint8)
    top, left = (FRAME_H - image.shape[0]) // 2, (FRAME_W - image.shape[1]) // 2
    frame[top : top + image.shape[0], left : left + image.shape[1]] = image
    return frame


@pytest.fixture
def camera_phone(
    playwright_instance: Playwright, server: str, tmp_path: Path
) -> Iterator[Callable[[np.ndarray], Page]]:
    """Factory: a phone (own Chromium) whose camera films `frame`."""
    browsers: list[Browser] = []

    def make(frame: np.ndarray) -> Page:
        video = tmp_path / f"camera-{len(browsers)}.y4m"
        _write_y4m(video, frame)
        args = [
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args)
        browsers.append(browser)
        ctx = browser.new_context(base_url=server, permissions=["camera"], bypass_csp=True, **PHONE)  # type: ignore[arg-type]
        ctx.add_init_script(RECORD_SCANS)
        return ctx.new_page()

    yield make
    for b in browsers:
        b.close()


def _show_handoff(tech: Page, who: str) -> tuple[str, bytes]:
    """On the technician's phone: the co-signer's slot → "on their own phone" → the QR code."""
    tech.get_by_role("button", name=f"İmzala: {ROLE_LABEL[who]}").click()
    d = _dialog(tech)
    d.get_by_role("button", name="Kendi telefonunda imzalasın (QR kod)").click()
    qr = d.get_by_role("img", name=f"{NAMES[who]} için imza isteği QR kodu")
    expect(qr).to_be_visible()
    _assert_no_overflow(tech, "hand-off QR")
    url = str(d.locator(".handoff").get_attribute("data-url"))
    return url, qr.screenshot()


def test_qr_hand_off_the_co_signer_scans_reviews_and_signs_on_their_own_phone_which_syncs_first(
    server: str,
    new_phone: Callable[[], BrowserContext],
    camera_phone: Callable[[np.ndarray], Page],
) -> None:
    # given: minutes on the technician's phone, which then goes offline on site
    unit = f"Gençlik Merkezi {uuid.uuid4().hex[:5]}"
    tech, survey_id, minutes_url = _minutes_ready(server, new_phone, unit)
    minutes_id = minutes_url.rsplit("/", 1)[-1]
    tech.context.set_offline(True)

    # when: the technician's phone shows the security staff's signing request as a QR code
    url, png = _show_handoff(tech, "guvenlik")

    # then: the code is that request, readable by an independent decoder
    content_hash = _survey_minutes_hash(server, survey_id)
    assert url == f"{server}/#/cosign/{minutes_id}/SECURITY?h={content_hash}"
    assert decode_qr(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)) == url
    _dialog(tech).get_by_role("button", name="Tamam").click()

    # given: the security staff's own phone, with a passkey, filming the technician's screen
    security = camera_phone(_frame_of(png))
    add_passkey_authenticator(security)
    sign_in(security, "guvenlik")
    security.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    _wait_synced(security)
    _add_passkey(security)
    security.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="İşlerim").click()
    security.context.set_offline(True)

    # when: offline, they scan the code in Saha
    security.get_by_role("link", name="Kod tara").click()

    # then: the request opens with the same content, for them
    expect(security.get_by_role("heading", name="İmza isteği")).to_be_visible(timeout=SYNC_TIMEOUT)
    expect(
        security.get_by_text("İçerik, isteği gösteren telefondakiyle aynı (özet eşleşiyor).")
    ).to_be_visible()
    expect(security.get_by_role("list", name="Tutanaktaki kamera noktaları")).to_contain_text("Ana giriş")
    _assert_no_overflow(security, "co-sign request")

    # when: they sign with their passkey
    security.get_by_role("button", name="Passkey ile imzala").click()
    draw_signature(security, "guvenlik", in_sheet=False)
    security.get_by_role("button", name="Passkey ile imzala", exact=True).click()
    expect(security.get_by_role("status").filter(has_text="İmza cihaza kaydedildi")).to_be_visible()

    # and: their phone comes online first
    security.context.set_offline(False)
    _send_now(security)

    # then: the server has the co-signature, made and sent by the security staff themselves
    sigs = _signatures(server, survey_id)
    assert [(s["role"], s["method"], s["capturedBy"]["username"]) for s in sigs] == [
        ("SECURITY", "PASSKEY", "guvenlik")
    ]

    # and: the technician's phone, once online, shows the slot signed
    tech.context.set_offline(False)
    _send_now(tech)
    tech.goto(minutes_url)
    expect(tech.locator('.sig-slot[data-role="SECURITY"]')).to_have_attribute(
        "data-state", "signed", timeout=SYNC_TIMEOUT
    )


def test_a_signing_request_for_someone_else_or_for_changed_content_is_refused_on_the_phone(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: minutes and the security staff's request link
    unit = f"Zabıta Hizmet Binası {uuid.uuid4().hex[:5]}"
    tech, survey_id, _ = _minutes_ready(server, new_phone, unit)
    url, _ = _show_handoff(tech, "guvenlik")
    path = url.split("#", 1)[1]

    # when: the unit head opens it on their phone
    head = new_phone().new_page()
    sign_in(head, "birimamiri")
    _wait_synced(head)
    head.goto(f"/#{path}")

    # then: not theirs to sign
    alert = head.get_by_role("alert")
    expect(alert).to_contain_text("Koruma Güvenlik Personeli", timeout=SYNC_TIMEOUT)
    expect(alert).to_contain_text("siz imzalayamazsınız")
    expect(head.get_by_role("button", name=re.compile("imzala", re.IGNORECASE))).to_have_count(0)

    # when: the security staff open a request whose content hash differs from their copy
    security = new_phone().new_page()
    sign_in(security, "guvenlik")
    _wait_synced(security)
    security.goto(f"/#{path[:-6]}000000")

    # then: they are told not to sign
    expect(security.get_by_role("alert")).to_contain_text("İmzalamayın", timeout=SYNC_TIMEOUT)
    assert _signatures(server, survey_id) == []


def _survey_minutes_hash(server: str, survey_id: str) -> str:
    from conftest import gql

    data = gql(
        server,
        "query($id: ID!) { survey(id: $id) { minutes { contentHash } } }",
        {"id": survey_id},
        token=api_token(server, "mudur"),
    )
    return str(data["survey"]["minutes"][0]["contentHash"])


def _signatures(server: str, survey_id: str) -> list[dict[str, Any]]:
    from conftest import gql

    data = gql(
        server,
        "query($id: ID!) { survey(id: $id) { minutes { signatures { role method capturedBy { username } } } } }",
        {"id": survey_id},
        token=api_token(server, "mudur"),
    )
    out: list[dict[str, Any]] = data["survey"]["minutes"][0]["signatures"]
    return out
