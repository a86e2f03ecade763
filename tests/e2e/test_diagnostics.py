"""ONVIF diagnostics in the PWA (docs/diagnostics.md): the managers' camera health overview, a
device's diagnosis history with a fault work order opened from it, the server refusing a remote
diagnosis of a camera without credentials, and (when ipycam is installed) a real remote
diagnosis of a virtual ONVIF camera on 127.0.0.1, whose snapshot becomes the camera's reference.

The demo data has one recorded nightly sweep with ok / warning / fail cameras; demo cameras are
not on any network.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, api_token, gql, sign_in
from playwright.sync_api import Page, expect
from test_offline_sync import _wait_synced
from test_pwa import _assert_no_overflow

NO_CREDENTIALS_TR = "Bu cihazın ONVIF kullanıcı bilgileri tanımlı değil; yönetici cihaz sayfasından girmeli."
PEER_SCRIPT = REPO / "tests" / "onvif" / "_ipycam_peer.py"
PEER_USER, PEER_PASSWORD = "saha-e2e", "Kamera-Parola-9!"
POLE_SITE = "KNK-KI-02"  # one camera, in the technician's region
DIAGNOSIS_TIMEOUT = 60_000

HEALTH_QUERY = "{ healthOverview { siteId siteCode siteName ok warning fail unchecked } }"
DIAGNOSE = (
    "mutation($d: ID!) { diagnoseDevice(deviceId: $d) { __typename ... on OperationError { code message } } }"
)


# --- helpers ----------------------------------------------------------------------------------


def _cameras(server: str, token: str) -> list[dict[str, Any]]:
    data = gql(
        server,
        "{ devices(kind: CAMERA, limit: 200) { items { id assetTag status site { code } } } }",
        token=token,
    )
    items: list[dict[str, Any]] = data["devices"]["items"]
    return items


def _first_failing(
    server: str, token: str, cameras: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first camera whose latest diagnosis is FAIL, with that diagnosis (aliased queries of
    at most 15 fields: the server's alias limit)."""
    fields = "id overall source results { check label verdict message }"
    for start in range(0, len(cameras), 15):
        chunk = cameras[start : start + 15]
        aliases = (
            f'd{i}: deviceDiagnoses(deviceId: "{c["id"]}", limit: 1) {{ {fields} }}'
            for i, c in enumerate(chunk)
        )
        data = gql(server, "{ " + " ".join(aliases) + " }", token=token)
        for i, c in enumerate(chunk):
            rows = data[f"d{i}"]
            if rows and rows[0]["overall"] == "FAIL":
                return c, rows[0]
    raise AssertionError("the demo sweep should have a failing camera in the technician's region")


def _diagnosis_section(page: Page) -> Any:
    return page.locator("section.diag")


# --- (a) health overview ----------------------------------------------------------------------


def test_manager_sees_camera_health_totals_and_sites_as_the_server_counts_them(
    server: str, phone: Page
) -> None:
    # given: what the server says about camera health
    rows: list[dict[str, Any]] = gql(server, HEALTH_QUERY, token=api_token(server, "mudur"))["healthOverview"]
    totals = {k: sum(r[k] for r in rows) for k in ("ok", "warning", "fail", "unchecked")}
    # the demo sweep has all three
    assert totals["ok"] > 0, totals
    assert totals["warning"] > 0, totals
    assert totals["fail"] > 0, totals

    # when: the manager opens Kamera sağlığı from the sites tab
    sign_in(phone, "mudur")
    phone.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="Yerler").click()
    phone.get_by_role("link", name="Kamera sağlığı").click()
    expect(phone.get_by_role("heading", name="Kamera sağlığı", level=1)).to_be_visible()

    # then: the totals are the server's
    for kind, label in (
        ("ok", "Sağlam"),
        ("warning", "Uyarı"),
        ("fail", "Arızalı"),
        ("unchecked", "Hiç denetlenmedi"),
    ):
        tile = phone.locator(f".totals .tile[data-kind={kind}]")
        expect(tile.locator("dt")).to_have_text(label)
        expect(tile.locator("dd")).to_have_text(str(totals[kind]))

    # and: every site is listed with its counts, the most failures first
    cards = phone.locator(".cards .card")
    expect(cards).to_have_count(len(rows))
    for r in rows:
        card = phone.locator(f'.card[data-site="{r["siteId"]}"]')
        expect(card).to_contain_text(r["siteName"])
        expect(card.locator("[data-kind=fail]")).to_have_text(f"Arızalı: {r['fail']}")
        expect(card.locator("[data-kind=warning]")).to_have_text(f"Uyarı: {r['warning']}")
    worst = max(r["fail"] for r in rows)
    expect(cards.first.locator("[data-kind=fail]")).to_have_text(f"Arızalı: {worst}")
    _assert_no_overflow(phone, "health overview")

    # when: tapping the first site
    first_name = cards.first.locator(".card-title").inner_text()
    cards.first.get_by_role("link").click()

    # then: its site page opens
    expect(phone.get_by_role("heading", name=first_name, level=1)).to_be_visible()
    assert "#/site/" in phone.url


# --- (b) history and a fault work order ------------------------------------------------------


def test_technician_opens_a_fault_work_order_from_a_failing_cameras_history(server: str, phone: Page) -> None:
    # given: one of the technician's cameras whose latest result (last night's sweep) is FAIL
    token = api_token(server, "teknisyen")
    camera, diagnosis = _first_failing(server, token, _cameras(server, token))
    bad = next(r for r in diagnosis["results"] if r["verdict"] == "FAIL")

    # when: the technician opens the camera's page
    sign_in(phone, "teknisyen")
    phone.goto(f"/#/device/{camera['id']}")
    expect(phone.get_by_role("heading", name="Teşhis geçmişi")).to_be_visible()

    # then: the history lists the nightly sweep as faulty, latest first
    item = phone.locator(".diag-list .diag-item").first
    expect(item).to_contain_text("Gece taraması")
    expect(item).to_contain_text("Arızalı")
    # and: the change list shows the failing check with its Turkish message
    expect(phone.locator(".diag-changes")).to_contain_text(f"{bad['label']}: Hata")
    expect(phone.locator(".diag-changes")).to_contain_text(bad["message"])

    # when: tapping it
    item.click()

    # then: the details show the overall verdict and the failing check's message, 360 px wide
    view = phone.locator(".diag-list .diagnosis")
    expect(view.locator(".overall strong")).to_have_text("Arızalı")
    check = view.locator(".check").filter(
        has=phone.locator("strong", has_text=re.compile(f"^{re.escape(bad['label'])}$"))
    )
    expect(check.locator(".badge")).to_have_text("Hata")
    expect(check.locator(".check-msg")).to_have_text(bad["message"])
    _assert_no_overflow(phone, "diagnosis details")

    # when: opening a fault work order from it
    view.get_by_role("button", name="Arıza iş emri aç").click()

    # then: the new work order opens, pre-filled with the findings, for this camera
    expect(phone).to_have_url(re.compile(r"#/wo/[0-9a-f-]{36}$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text(camera["assetTag"])
    expect(phone.locator(".prewrap").first).to_contain_text(bad["message"])
    expect(phone.get_by_text("Arıza", exact=True)).to_be_visible()
    wo_number = phone.locator(".wo-number").first.inner_text()

    # and: its device links back to the device page for this work order
    phone.locator("section").filter(has_text="Cihazlar").get_by_role(
        "link", name=re.compile(re.escape(camera["assetTag"]))
    ).click()
    expect(phone.get_by_text(f"Bu teşhis şu iş emrine bağlanır: {wo_number}")).to_be_visible()
    expect(phone.get_by_role("button", name="Uzaktan teşhis")).to_be_visible()


def _wait_stored(page: Page, entity: str, entity_id: str) -> None:
    """The sync pull has written this entity into the device's IndexedDB store."""
    page.wait_for_function(
        """([type, id]) => new Promise(r => { const o = indexedDB.open('saha'); o.onsuccess = () => {
        const db = o.result; if (!db.objectStoreNames.contains('entities')) { db.close(); r(false); return; }
        const g = db.transaction('entities').objectStore('entities').get([type, id]);
        g.onsuccess = () => { db.close(); r(!!g.result); }; g.onerror = () => { db.close(); r(false); }; }; })""",
        arg=[entity, entity_id],
        timeout=30_000,
    )


def test_technician_sees_a_failing_cameras_synced_result_offline_after_reload(
    server: str, phone: Page
) -> None:
    # given: a camera of the technician's whose latest result is FAIL, synced onto the phone
    token = api_token(server, "teknisyen")
    camera, diagnosis = _first_failing(server, token, _cameras(server, token))
    bad = next(r for r in diagnosis["results"] if r["verdict"] == "FAIL")
    sign_in(phone, "teknisyen")
    phone.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    phone.goto(f"/#/device/{camera['id']}")
    expect(phone.get_by_role("heading", name="Teşhis geçmişi")).to_be_visible()
    _wait_stored(phone, "device", camera["id"])
    _wait_stored(phone, "diagnosis", diagnosis["id"])
    _wait_synced(phone)
    phone.get_by_role("navigation", name="Ana gezinme").get_by_role(
        "link", name=re.compile("Eşitleme")
    ).click()
    expect(phone.get_by_role("heading", name="Eşitleme")).to_be_visible()
    expect(phone.get_by_text(re.compile("Son başarılı eşitleme"))).to_be_visible(timeout=30_000)

    # when: the phone goes offline, the app is reloaded and the device page opened again
    phone.context.set_offline(True)
    phone.goto("/#/my")
    phone.reload()
    expect(phone.get_by_role("heading", name="İşlerim")).to_be_visible()
    phone.evaluate("id => { location.hash = `#/device/${id}`; }", camera["id"])
    expect(phone.get_by_role("heading", name="Teşhis geçmişi")).to_be_visible()

    # then: the latest synced result shows the failing check's Turkish message, with the note
    section = _diagnosis_section(phone)
    expect(section.get_by_text("Çevrimdışı: son eşitlenen sonuçlar")).to_be_visible()
    latest = section.locator(".diagnosis")
    expect(latest.locator(".overall strong")).to_have_text("Arızalı")
    expect(latest.locator(".check-msg").filter(has_text=bad["message"]).first).to_be_visible()
    # and: the history lists it too
    expect(phone.locator(".diag-list .diag-item").first).to_contain_text("Arızalı")


# --- (c) no credentials -----------------------------------------------------------------------


def test_remote_diagnosis_of_a_camera_without_credentials_shows_the_servers_refusal(
    server: str, phone: Page
) -> None:
    # given: a demo camera the server refuses for lack of credentials (before connecting)
    token = api_token(server, "teknisyen")
    camera = None
    for c in _cameras(server, token):
        if c["site"]["code"] == POLE_SITE:
            continue  # the real-camera test below gives that one credentials
        refused = gql(server, DIAGNOSE, {"d": c["id"]}, token=token)["diagnoseDevice"]
        if refused.get("code") == "DIAGNOSTICS_NO_CREDENTIALS":
            camera = c
            break
    assert camera is not None, "no demo camera is refused for lack of credentials"

    # when: the technician presses Uzaktan teşhis on its page
    sign_in(phone, "teknisyen")
    phone.goto(f"/#/device/{camera['id']}")
    phone.get_by_role("button", name="Uzaktan teşhis").click()

    # then: the Turkish refusal is shown, and no result
    expect(_diagnosis_section(phone).get_by_role("alert")).to_have_text(NO_CREDENTIALS_TR)
    expect(_diagnosis_section(phone).locator(".diagnosis")).to_have_count(0)
    expect(phone.get_by_role("button", name="Uzaktan teşhis")).to_be_enabled()
    _assert_no_overflow(phone, "device page with diagnostics")

    # when: the connection drops
    phone.context.set_offline(True)

    # then: the page says the server runs diagnoses and the button waits for the connection
    expect(_diagnosis_section(phone).get_by_role("status")).to_have_text(
        "Teşhis sunucu tarafından yapılır; bağlantı gelince tekrar deneyin."
    )
    expect(phone.get_by_role("button", name="Uzaktan teşhis")).to_be_disabled()
    phone.context.set_offline(False)


# --- (d) a real remote diagnosis ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A virtual ONVIF camera (ipycam) on 127.0.0.1 without WS-Discovery; yields its port."""
    pytest.importorskip("ipycam")
    pytest.importorskip("cv2")
    if not PEER_SCRIPT.exists():
        pytest.skip("the ipycam peer launcher (tests/onvif/_ipycam_peer.py) is not there")
    port = _free_port()
    log_path: Path = tmp_path_factory.mktemp("ipycam") / "peer.log"
    log = log_path.open("w")
    command = [
        sys.executable, str(PEER_SCRIPT), "--bind", "127.0.0.1", "--port", str(port),
        "--rtsp-port", str(_free_port()), "--username", PEER_USER, "--password", PEER_PASSWORD,
        "--width", "640", "--height", "360", "--fps", "5", "--no-discovery",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENCV_LOG_LEVEL": "ERROR"}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=log, text=True, env=env, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline and proc.poll() is None:
                if sel.select(timeout=0.2) and proc.stdout.readline().startswith("READY"):
                    break
            else:
                pytest.fail(f"ipycam peer did not start: {log_path.read_text()[-2000:]}")
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_manager_diagnoses_a_real_onvif_camera_and_makes_its_snapshot_the_reference(
    server: str, peer: int, phone: Page
) -> None:
    # given: the pole site's camera moved (in the inventory) to the peer's address
    admin = api_token(server, "admin")
    site = gql(
        server,
        f'{{ sites(search: "{POLE_SITE}", limit: 1) {{ items {{ id devices {{ id kind assetTag }} }} }} }}',
        token=admin,
    )
    [site_row] = site["sites"]["items"]
    [camera] = [d for d in site_row["devices"] if d["kind"] == "CAMERA"]
    # Loopback is a refused range for every block and address entered through the app (a device
    # there would make the server talk to itself), so the lab row is written straight into the
    # database of this test server, which runs with SAHA_ONVIF_ALLOW_LOOPBACK=1.
    with sqlite3.connect(Path(os.environ["SAHA_E2E_DATA_DIR"]) / "saha.db") as lab:
        lab.execute(
            "INSERT INTO ip_blocks (id, site_id, cidr, description, created_at) VALUES (?, ?, ?, ?, ?)",
            (
                uuid.uuid4().hex,
                uuid.UUID(site_row["id"]).hex,
                "127.0.0.0/8",
                "e2e peer",
                "2026-12-05 10:00:00.000000",
            ),
        )
        lab.execute(
            "UPDATE devices SET ip_address = '127.0.0.1', onvif_port = ?, status = 'active' WHERE id = ?",
            (peer, uuid.UUID(camera["id"]).hex),
        )

    # when: the manager enters the camera's ONVIF account on its page
    sign_in(phone, "mudur")
    phone.goto(f"/#/device/{camera['id']}")
    phone.get_by_text("ONVIF hesabı").click()
    phone.get_by_label("Kullanıcı adı").fill(PEER_USER)
    phone.get_by_label("ONVIF parolası").fill(PEER_PASSWORD)
    expect(phone.get_by_text("Parola şifreli saklanır")).to_be_visible()
    phone.get_by_role("button", name="Hesabı kaydet").click()
    expect(phone.get_by_text("ONVIF hesabı kaydedildi.")).to_be_visible()
    expect(phone.get_by_label("ONVIF parolası")).to_have_value("")

    # and: presses Uzaktan teşhis
    phone.get_by_role("button", name="Uzaktan teşhis").click()

    # then: progress, then the result with the camera's snapshot
    result = _diagnosis_section(phone).locator(".diagnosis")
    expect(result.locator(".overall strong")).to_have_text(
        re.compile("^(Sağlam|Uyarı)$"), timeout=DIAGNOSIS_TIMEOUT
    )
    for label in ("Ağ erişimi", "ONVIF", "Kimlik doğrulama", "Anlık görüntü"):
        check = result.locator(".check").filter(
            has=phone.locator("strong", has_text=re.compile(f"^{label}$"))
        )
        expect(check.locator(".badge")).to_have_text("Tamam")
    snapshot = result.get_by_role("img", name="Anlık görüntü")
    expect(snapshot).to_be_visible()
    expect(snapshot).to_have_js_property("complete", True)
    assert snapshot.evaluate("img => img.naturalWidth") == 640
    assert PEER_PASSWORD not in phone.content()
    _assert_no_overflow(phone, "real diagnosis result")

    # when: making the snapshot the camera's reference
    result.get_by_role("button", name="Referans yap").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_label("Neden")).to_have_value("Temizlik sonrası")
    dialog.get_by_role("button", name="Referans yap").click()

    # then: the server has it as the camera's reference
    expect(result.get_by_text("Bu görüntü kameranın referansı yapıldı.")).to_be_visible()
    ref = gql(
        server,
        "query($d: ID!) { deviceReference(deviceId: $d) { imageSha256 reason } }",
        {"d": camera["id"]},
        token=admin,
    )["deviceReference"]
    sha = snapshot.get_attribute("data-sha")
    assert ref == {"imageSha256": sha, "reason": "Temizlik sonrası"}
    expect(result.get_by_text("Bu görüntü kameranın şu anki referansı.")).to_be_visible()


# --- firmware baselines -----------------------------------------------------------------------


def test_admin_lists_and_sets_approved_firmware(server: str, phone: Page) -> None:
    # given: the demo's approved firmware
    baselines = gql(
        server, "{ firmwareBaselines { make model approvedFirmware } }", token=api_token(server, "admin")
    )
    rows = baselines["firmwareBaselines"]
    assert rows

    # when: the admin opens the list from the sites tab
    sign_in(phone, "admin")
    phone.get_by_role("navigation", name="Ana gezinme").get_by_role("link", name="Yerler").click()
    phone.get_by_role("link", name="Onaylı yazılım sürümleri").click()

    # then: every baseline is listed
    expect(phone.locator(".fw-row")).to_have_count(len(rows))
    for r in rows:
        expect(phone.locator(".fw-row").filter(has_text=f"{r['make']} {r['model']}")).to_contain_text(
            r["approvedFirmware"]
        )
    _assert_no_overflow(phone, "firmware baselines")

    # when: adding one for a new model
    phone.get_by_label("Marka").fill("Uniview")
    phone.get_by_label("Model").fill("IPC2124LB-SF28KM-G")
    phone.get_by_label("Onaylı sürüm").fill("IPC_G6103-B0016P60D1711")
    phone.get_by_role("button", name="Sürümü kaydet").click()

    # then: it is saved and listed
    expect(phone.locator("main").get_by_role("status")).to_contain_text(
        "Uniview IPC2124LB-SF28KM-G: IPC_G6103-B0016P60D1711 kaydedildi."
    )
    expect(phone.locator(".fw-row")).to_have_count(len(rows) + 1)
