"""People who see devices as places (Zabıta) get the camera's page without its technical side."""

from __future__ import annotations

from conftest import api_token, gql, sign_in
from playwright.sync_api import Page, expect


def test_zabita_opens_a_camera_as_a_place(server: str, phone: Page) -> None:
    token = api_token(server, "zabita")
    cams = gql(server, "{ devices(kind: CAMERA, limit: 1) { items { id assetTag ipAddress } } }", token=token)
    [camera] = cams["devices"]["items"]
    assert camera["ipAddress"] is None  # the server already hides it

    sign_in(phone, "zabita")
    phone.goto(f"/#/device/{camera['id']}")

    expect(phone.get_by_text(camera["assetTag"]).first).to_be_visible()
    for technical in ("IP adresi", "Seri no", "Marka"):
        expect(phone.get_by_text(technical, exact=True)).to_have_count(0)
    expect(phone.get_by_role("heading", name="Uzaktan teşhis")).to_have_count(0)
    expect(phone.get_by_role("alert")).to_have_count(0)
