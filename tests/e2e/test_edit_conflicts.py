"""Editing a work order offline while the manager edits it too: the same field becomes a conflict
both people see on the sync screen; different fields both stay, with no conflict."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from conftest import api_token, gql, sign_in
from playwright.sync_api import BrowserContext, Page, expect
from test_offline_sync import SYNC_TIMEOUT, _outbox, _sync_screen, _tech_id_and_site, _wait_synced
from test_pwa import _assert_no_overflow


def _full_name(server: str, username: str) -> str:
    data = gql(server, "{ viewer { user { fullName } } }", token=api_token(server, username))
    return str(data["viewer"]["user"]["fullName"])


def _order(server: str, title: str, description: str) -> dict[str, Any]:
    """A fresh ASSIGNED order of the demo technician, made by the manager."""
    tech_id, site_id = _tech_id_and_site(server)
    data = gql(
        server,
        "mutation($i: CreateWorkOrderInput!) { r: createWorkOrder(input: $i) { __typename"
        " ... on WorkOrderSuccess { workOrder { id number title description priority version } } } }",
        {
            "i": {
                "type": "MAINTENANCE",
                "title": title,
                "description": description,
                "priority": "NORMAL",
                "siteId": site_id,
                "assigneeId": tech_id,
            }
        },
        token=api_token(server, "mudur"),
    )
    assert data["r"]["__typename"] == "WorkOrderSuccess", data
    wo: dict[str, Any] = data["r"]["workOrder"]
    return wo


def _server_copy(server: str, wo_id: str) -> dict[str, Any]:
    data = gql(
        server,
        "query($id: ID!) { workOrder(id: $id) { title description priority version } }",
        {"id": wo_id},
        token=api_token(server, "mudur"),
    )
    out: dict[str, Any] = data["workOrder"]
    return out


def _pill(page: Page) -> Any:
    return page.locator(".topbar").get_by_role("status")


def _open_online(page: Page, wo: dict[str, Any]) -> None:
    """Signed in and synced once: the order is on the device; open its detail."""
    _wait_synced(page)
    link = page.get_by_role("link", name=re.compile(re.escape(wo["title"])))
    expect(link).to_be_visible(timeout=SYNC_TIMEOUT)
    link.click()
    expect(page.get_by_role("heading", name=wo["title"])).to_be_visible()


def _edit(page: Page, fields: dict[str, str], check_layout: bool = False) -> None:
    """Opens "Düzenle", changes the given fields (label → value) and saves."""
    page.get_by_role("group", name="İşlemler").get_by_role("button", name="Düzenle").click()
    sheet = page.get_by_role("dialog")
    expect(sheet).to_be_visible()
    if check_layout:
        _assert_no_overflow(page, "edit sheet")
    for label, value in fields.items():
        control = sheet.get_by_label(label)
        if label == "Öncelik":
            control.select_option(label=value)
        else:
            control.fill(value)
    sheet.get_by_role("button", name="Değişiklikleri kaydet").click()
    expect(sheet).to_be_hidden()


def _conflicts(page: Page, wo: dict[str, Any], resolved: bool = False) -> Any:
    name = "Son çözülen çakışmalar" if resolved else "Çakışmalar"
    return (
        page.get_by_role("list", name=name, exact=True).get_by_role("listitem").filter(has_text=wo["number"])
    )


def test_same_field_offline_edit_becomes_a_conflict_and_take_client_wins(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: an order the technician has opened online (so it is on the phone)
    tag = uuid.uuid4().hex[:6]
    wo = _order(server, f"Düzenleme çakışması {tag}", "Kamera lensi temizlenecek.")
    tech_name, mgr_name = _full_name(server, "teknisyen"), _full_name(server, "mudur")
    tech_text = f"Lens değişti, kablo yenilendi ({tag})."
    mgr_text = f"Önce yetkiliyle görüşün ({tag})."
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    _open_online(page, wo)

    # when: the connection drops (the pill says so at once) and they edit the description
    ctx.set_offline(True)
    expect(_pill(page)).to_have_text("Çevrimdışı")
    _assert_no_overflow(page, "work order with the edit action")
    _edit(page, {"Açıklama": tech_text}, check_layout=True)

    # then: the detail shows it at once, with a pending "edited" line
    expect(page.locator("p.prewrap").filter(has_text=tech_text)).to_be_visible()
    edited = page.get_by_role("list", name="Geçmiş").get_by_role("listitem").filter(has_text="Düzenlendi")
    expect(edited).to_contain_text("Gönderilmeyi bekliyor")
    expect(edited).to_contain_text("Açıklama")

    # when: meanwhile the manager, online on another phone, edits the same description
    mgr = new_phone().new_page()
    sign_in(mgr, "mudur")
    mgr.goto(f"/#/wo/{wo['id']}")
    expect(mgr.get_by_role("heading", name=wo["title"])).to_be_visible(timeout=SYNC_TIMEOUT)
    _edit(mgr, {"Açıklama": mgr_text})
    _sync_screen(mgr)
    expect(_outbox(mgr, "confirmed")).to_have_count(1, timeout=SYNC_TIMEOUT)
    assert _server_copy(server, wo["id"])["description"] == mgr_text

    # when: the technician is back online and sends
    _sync_screen(page)
    ctx.set_offline(False)
    expect(_pill(page)).to_have_text("Çevrimiçi")
    page.get_by_role("button", name="Şimdi gönder").click()

    # then: the edit went through, and one open conflict names the order, field, values and people
    expect(_outbox(page, "confirmed")).to_have_count(1, timeout=SYNC_TIMEOUT)
    card = _conflicts(page, wo)
    expect(card).to_have_count(1, timeout=SYNC_TIMEOUT)
    expect(page.get_by_role("list", name="Çakışmalar", exact=True).get_by_role("listitem")).to_have_count(1)
    expect(card).to_contain_text(wo["title"])
    expect(card.locator(".cf-field")).to_have_text("Açıklama")
    expect(card).to_contain_text(f"Sunucudaki değer · {mgr_name}")
    expect(card).to_contain_text(mgr_text)
    expect(card).to_contain_text(f"Gönderilen değer · {tech_name}")
    expect(card).to_contain_text(tech_text)
    _assert_no_overflow(page, "sync screen with a conflict")
    # the server kept the manager's text for now
    assert _server_copy(server, wo["id"])["description"] == mgr_text

    # when: the technician takes their own value and syncs
    card.get_by_role("button", name=re.compile("^Gönderileni kullan")).click()
    resolved = _conflicts(page, wo, resolved=True)
    expect(resolved).to_contain_text(re.compile("gönderilmeyi bekliyor|Çözüldü"))
    page.get_by_role("button", name="Şimdi gönder").click()

    # then: it shows as resolved from the server's copy, and no conflict is open
    expect(resolved.and_(page.locator('[data-state="resolved"]'))).to_have_count(1, timeout=SYNC_TIMEOUT)
    expect(resolved).to_contain_text("Çözüldü: gönderilen değer kullanıldı")
    expect(resolved).to_contain_text(tech_name)
    expect(page.get_by_text("Açık çakışma yok.")).to_be_visible()
    assert _server_copy(server, wo["id"])["description"] == tech_text

    # and: the detail shows the technician's description
    page.goto(f"/#/wo/{wo['id']}")
    expect(page.locator("p.prewrap").filter(has_text=tech_text)).to_be_visible(timeout=SYNC_TIMEOUT)
    expect(page.locator("p.prewrap").filter(has_text=mgr_text)).to_have_count(0)
    # the timeline keeps what each edit changed, old → new (the manager's text lives on there)
    history = page.get_by_role("list", name="Geçmiş").get_by_role("listitem").filter(has_text="Düzenlendi")
    expect(history.filter(has_text=f"Kamera lensi temizlenecek. → {mgr_text}")).to_have_count(1)
    expect(history.filter(has_text=f"{mgr_text} → {tech_text}")).to_have_count(1)

    # and: the manager reloading the order sees it too, and the conflict as resolved
    mgr.goto(f"/#/wo/{wo['id']}")
    mgr.reload()
    expect(mgr.locator("p.prewrap").filter(has_text=tech_text)).to_be_visible(timeout=SYNC_TIMEOUT)
    _sync_screen(mgr)
    mgr.get_by_role("button", name="Şimdi gönder").click()
    expect(_conflicts(mgr, wo, resolved=True)).to_contain_text(
        "Çözüldü: gönderilen değer kullanıldı", timeout=SYNC_TIMEOUT
    )
    expect(_conflicts(mgr, wo)).to_have_count(0)


def test_different_fields_both_kept_without_conflict(
    server: str, new_phone: Callable[[], BrowserContext]
) -> None:
    # given: an order the technician has opened online
    tag = uuid.uuid4().hex[:6]
    wo = _order(server, f"Ayrı alanlar {tag}", "Kayıt cihazı kontrol edilecek.")
    new_title = f"Ayrı alanlar, başlık müdürden {tag}"
    ctx = new_phone()
    page = ctx.new_page()
    sign_in(page, "teknisyen")
    _open_online(page, wo)
    base_version = _server_copy(server, wo["id"])["version"]

    # when: offline, the technician raises the priority
    ctx.set_offline(True)
    expect(_pill(page)).to_have_text("Çevrimdışı")
    _edit(page, {"Öncelik": "Acil"})
    expect(page.locator(".badges")).to_contain_text("Öncelik: Acil")

    # and: the manager changes the title meanwhile (a device of theirs pushing an edit)
    pushed = gql(
        server,
        "mutation($c: String!, $e: [SyncEnvelopeInput!]!) { r: syncPush(clientId: $c, envelopes: $e) { __typename"
        " ... on SyncPushResult { replies { status code message } } } }",
        {
            "c": str(uuid.uuid4()),
            "e": [
                {
                    "seq": 1,
                    "mutationId": str(uuid.uuid4()),
                    "name": "workorder.update",
                    "args": {"workOrderId": wo["id"], "title": new_title},
                    "baseVersions": {f"workOrder:{wo['id']}": base_version},
                }
            ],
        },
        token=api_token(server, "mudur"),
    )
    assert pushed["r"]["replies"][0]["status"] == "APPLIED", pushed

    # when: back online, "send now"
    _sync_screen(page)
    ctx.set_offline(False)
    page.get_by_role("button", name="Şimdi gönder").click()

    # then: confirmed, no conflict about this order
    expect(_outbox(page, "confirmed")).to_have_count(1, timeout=SYNC_TIMEOUT)
    expect(page.get_by_role("status").filter(has_text="Eşitlendi")).to_be_visible(timeout=SYNC_TIMEOUT)
    expect(_conflicts(page, wo)).to_have_count(0)
    expect(_conflicts(page, wo, resolved=True)).to_have_count(0)
    server_copy = _server_copy(server, wo["id"])
    assert server_copy["title"] == new_title, server_copy
    assert server_copy["priority"] == "URGENT", server_copy

    # and: the detail shows both changes
    page.goto(f"/#/wo/{wo['id']}")
    expect(page.get_by_role("heading", name=new_title)).to_be_visible(timeout=SYNC_TIMEOUT)
    expect(page.locator(".badges")).to_contain_text("Öncelik: Acil")
