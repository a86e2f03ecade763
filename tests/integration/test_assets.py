"""Sites, IP blocks and devices: address rules, scope, typed errors that change nothing."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from backend.db.engine import Database
from backend.domain.assets.models import Device, IpBlock
from tests.conftest import GQL
from tests.factories import make_device, make_survey
from tests.integration.conftest import World

DEVICE_RESULT = """__typename ... on DeviceSuccess { device { id assetTag ipAddress status areaType site { code } } }
                   ... on OperationError { code message field }"""
CREATE_DEVICE = f"mutation($i: CreateDeviceInput!) {{ r: createDevice(input: $i) {{ {DEVICE_RESULT} }} }}"
UPDATE_DEVICE = f"mutation($i: UpdateDeviceInput!) {{ r: updateDevice(input: $i) {{ {DEVICE_RESULT} }} }}"
SITE_RESULT = """__typename ... on SiteSuccess { site { id code ipBlocks { id cidr } } }
                 ... on OperationError { code message field }"""
ADD_BLOCK = f"mutation($i: AddIpBlockInput!) {{ r: addIpBlock(input: $i) {{ {SITE_RESULT} }} }}"
REMOVE_BLOCK = f"mutation($i: RemoveIpBlockInput!) {{ r: removeIpBlock(input: $i) {{ {SITE_RESULT} }} }}"
CREATE_SITE = f"mutation($i: CreateSiteInput!) {{ r: createSite(input: $i) {{ {SITE_RESULT} }} }}"


def _count(db: Database, model: type) -> int:
    with db.read_session() as session:
        return int((session.exec(select(func.count()).select_from(model))).one())


async def test_device_address_must_be_in_site_block(gql: GQL, db: Database, world: World) -> None:
    admin = world.token(world.admin)
    before = _count(db, Device)
    base = {"siteId": str(world.site_north.id), "kind": "CAMERA", "assetTag": "DMB-NEW-1"}

    outside = await gql.ok(CREATE_DEVICE, {"i": {**base, "ipAddress": "10.2.1.50"}}, token=admin)
    garbage = await gql.ok(CREATE_DEVICE, {"i": {**base, "ipAddress": "10.1.1.999"}}, token=admin)
    assert _count(db, Device) == before

    inside = await gql.ok(
        CREATE_DEVICE, {"i": {**base, "ipAddress": "10.1.1.50", "areaType": "CASHIER"}}, token=admin
    )

    assert outside["r"]["code"] == "DEVICE_IP_OUTSIDE_SITE_BLOCKS"
    assert outside["r"]["field"] == "ipAddress"
    assert "10.2.1.50" in outside["r"]["message"]
    assert garbage["r"]["code"] == "DEVICE_IP_INVALID"
    assert inside["r"]["device"]["ipAddress"] == "10.1.1.50"
    assert inside["r"]["device"]["status"] == "PLANNED"
    assert _count(db, Device) == before + 1


async def test_device_update_keeps_address_rules(gql: GQL, world: World) -> None:
    admin = world.token(world.admin)
    cam = str(world.cam_north.id)

    moved_out = await gql.ok(UPDATE_DEVICE, {"i": {"deviceId": cam, "ipAddress": "192.168.1.5"}}, token=admin)
    clash = await gql.ok(UPDATE_DEVICE, {"i": {"deviceId": cam, "ipAddress": "10.2.1.10"}}, token=admin)
    faulty = await gql.ok(
        UPDATE_DEVICE, {"i": {"deviceId": cam, "status": "FAULTY", "firmware": "V5.8.0"}}, token=admin
    )

    assert moved_out["r"]["code"] == "DEVICE_IP_OUTSIDE_SITE_BLOCKS"
    assert clash["r"]["code"] == "DEVICE_IP_OUTSIDE_SITE_BLOCKS"
    assert faulty["r"]["device"]["status"] == "FAULTY"
    assert faulty["r"]["device"]["ipAddress"] == "10.1.1.10"


async def test_duplicate_address_and_asset_tag_refused(gql: GQL, db: Database, world: World) -> None:
    admin = world.token(world.admin)
    base = {"siteId": str(world.site_north.id), "kind": "CAMERA"}

    same_ip = await gql.ok(
        CREATE_DEVICE, {"i": {**base, "assetTag": "DMB-X1", "ipAddress": "10.1.1.10"}}, token=admin
    )
    same_tag = await gql.ok(
        CREATE_DEVICE, {"i": {**base, "assetTag": world.cam_north.asset_tag}}, token=admin
    )
    area_on_switch = await gql.ok(
        CREATE_DEVICE,
        {"i": {**base, "kind": "SWITCH", "assetTag": "DMB-SW", "areaType": "ENTRANCE"}},
        token=admin,
    )

    assert same_ip["r"]["code"] == "DEVICE_IP_TAKEN"
    assert same_tag["r"]["code"] == "DEVICE_ASSET_TAG_TAKEN"
    assert area_on_switch["r"]["code"] == "DEVICE_AREA_TYPE_ONLY_FOR_CAMERAS"


async def test_ip_blocks_validate_and_do_not_overlap(gql: GQL, db: Database, world: World) -> None:
    admin = world.token(world.admin)
    site = str(world.site_north.id)
    before = _count(db, IpBlock)

    host_bits = await gql.ok(ADD_BLOCK, {"i": {"siteId": site, "cidr": "10.1.2.5/24"}}, token=admin)
    overlap = await gql.ok(ADD_BLOCK, {"i": {"siteId": site, "cidr": "10.2.0.0/16"}}, token=admin)
    no_prefix = await gql.ok(ADD_BLOCK, {"i": {"siteId": site, "cidr": "10.9.9.9"}}, token=admin)
    assert _count(db, IpBlock) == before
    added = await gql.ok(ADD_BLOCK, {"i": {"siteId": site, "cidr": "10.1.2.0/24"}}, token=admin)

    assert host_bits["r"]["code"] == "IPBLOCK_INVALID"
    assert overlap["r"]["code"] == "IPBLOCK_OVERLAP"
    assert "10.2.1.0/24" in overlap["r"]["message"]
    assert no_prefix["r"]["code"] == "IPBLOCK_INVALID"
    assert [b["cidr"] for b in added["r"]["site"]["ipBlocks"]] == ["10.1.1.0/24", "10.1.2.0/24"]


async def test_block_in_use_cannot_be_removed(gql: GQL, db: Database, world: World) -> None:
    admin = world.token(world.admin)
    data = await gql.ok(
        "query($id: ID!) { site(id: $id) { ipBlocks { id cidr } } }",
        {"id": str(world.site_north.id)},
        token=admin,
    )
    block_id = data["site"]["ipBlocks"][0]["id"]

    refused = await gql.ok(REMOVE_BLOCK, {"i": {"ipBlockId": block_id}}, token=admin)

    assert refused["r"]["code"] == "IPBLOCK_IN_USE"
    assert _count(db, IpBlock) == 2


async def test_site_code_unique_and_technician_cannot_manage(gql: GQL, world: World) -> None:
    payload = {
        "i": {
            "code": world.site_north.code,
            "name": "Başka Bina",
            "kind": "CAMPUS",
            "district": "Buca",
            "recordingLocation": "CENTRAL_SERVER",
        }
    }

    taken = await gql.ok(CREATE_SITE, payload, token=world.token(world.admin))
    denied = await gql.ok(CREATE_SITE, payload, token=world.token(world.tech))

    assert taken["r"]["code"] == "SITE_CODE_TAKEN"
    assert denied["r"]["code"] == "PERMISSION_DENIED"


async def test_technician_sees_sites_of_region_and_of_own_work(gql: GQL, db: Database, world: World) -> None:
    tech = world.token(world.tech)
    q = "{ sites { total items { code } } devices { total } }"

    before = await gql.ok(q, token=tech)
    south = await gql.ok(
        "query($id: ID!) { site(id: $id) { code } device(id: $d) { id } }".replace(
            "query($id: ID!)", "query($id: ID!, $d: ID!)"
        ),
        {"id": str(world.site_south.id), "d": str(world.cam_south.id)},
        token=tech,
    )

    assert [s["code"] for s in before["sites"]["items"]] == [world.site_north.code]
    assert before["devices"]["total"] == 1
    assert south == {"site": None, "device": None}

    # given work in the south assigned to them, that site becomes visible
    from tests.factories import make_work_order

    make_work_order(db, world.manager, world.site_south, assignee=world.tech)
    after = await gql.ok(q, token=tech)
    assert sorted(s["code"] for s in after["sites"]["items"]) == sorted(
        [world.site_north.code, world.site_south.code]
    )
    assert after["devices"]["total"] == 2


async def test_managers_and_zabita_see_all_sites_survey_parties_theirs(
    gql: GQL, db: Database, world: World
) -> None:
    for user in (world.manager, world.zabita):
        data = await gql.ok("{ sites { total } }", token=world.token(user))
        assert data["sites"]["total"] == 2, user.role
    for user in (world.security, world.unit_head):
        data = await gql.ok("{ sites { total } }", token=world.token(user))
        assert data["sites"]["total"] == 0, user.role
    make_survey(db, world.manager, world.site_south, world.tech_south, world.security, world.unit_head)
    for user in (world.security, world.unit_head):
        data = await gql.ok("{ sites { items { code } } }", token=world.token(user))
        assert [s["code"] for s in data["sites"]["items"]] == [world.site_south.code], user.role


async def test_site_page_shows_blocks_devices_and_counts(gql: GQL, db: Database, world: World) -> None:
    make_device(db, world.admin, world.site_north, ip="10.1.1.11")

    data = await gql.ok(
        "query($id: ID!) { site(id: $id) { code deviceCount ipBlocks { cidr } devices { assetTag recorder { id } site { code } } } }",
        {"id": str(world.site_north.id)},
        token=world.token(world.tech),
    )

    site = data["site"]
    assert site["deviceCount"] == 2
    assert site["ipBlocks"] == [{"cidr": "10.1.1.0/24"}]
    assert {d["site"]["code"] for d in site["devices"]} == {world.site_north.code}


async def test_paging_limits_are_enforced(gql: GQL, world: World) -> None:
    body = await gql("{ sites(limit: 5000) { total } }", token=world.token(world.admin))

    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"


async def test_blocks_and_addresses_in_refused_ranges_are_refused(
    gql: GQL, db: Database, world: World
) -> None:
    admin = world.token(world.admin)
    site = str(world.site_north.id)
    blocks, devices = _count(db, IpBlock), _count(db, Device)

    refused_blocks = {
        cidr: await gql.ok(ADD_BLOCK, {"i": {"siteId": site, "cidr": cidr}}, token=admin)
        for cidr in ("127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/24", "0.0.0.0/8", "fe80::/64", "::1/128")
    }
    create = {"siteId": site, "kind": "CAMERA", "assetTag": "DMB-LOOP-1", "ipAddress": "127.0.0.1"}
    created = await gql.ok(CREATE_DEVICE, {"i": create}, token=admin)
    cam = str(world.cam_north.id)
    moved = {
        ip: await gql.ok(UPDATE_DEVICE, {"i": {"deviceId": cam, "ipAddress": ip}}, token=admin)
        for ip in ("169.254.169.254", "::ffff:127.0.0.1", "255.255.255.255")
    }

    for cidr, answer in refused_blocks.items():
        assert answer["r"]["code"] == "IPBLOCK_RESERVED_RANGE", cidr
        assert answer["r"]["field"] == "cidr"
    assert "loopback" in refused_blocks["127.0.0.0/8"]["r"]["message"]
    assert "link-local" in refused_blocks["169.254.0.0/16"]["r"]["message"]
    assert created["r"]["code"] == "DEVICE_IP_RESERVED_RANGE"
    assert created["r"]["field"] == "ipAddress"
    assert "127.0.0.1" in created["r"]["message"]
    assert "loopback" in created["r"]["message"]
    assert {ip: a["r"]["code"] for ip, a in moved.items()} == dict.fromkeys(moved, "DEVICE_IP_RESERVED_RANGE")
    assert "link-local" in moved["169.254.169.254"]["r"]["message"]
    assert (_count(db, IpBlock), _count(db, Device)) == (blocks, devices)


def test_refused_range_messages_exist_in_both_languages() -> None:
    from backend.domain.errors import ErrorCode, render

    for code in (ErrorCode.IPBLOCK_RESERVED_RANGE, ErrorCode.DEVICE_IP_RESERVED_RANGE):
        tr = render(code, "tr", cidr="127.0.0.0/8", ip="127.0.0.1", range="loopback")
        en = render(code, "en", cidr="127.0.0.0/8", ip="127.0.0.1", range="loopback")
        assert "loopback" in tr
        assert "loopback" in en
        assert tr != en
