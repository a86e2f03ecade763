"""Demo data, and the database settings the sync invariants rely on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, text
from sqlmodel import select

from backend.config import Settings
from backend.db.engine import Database
from backend.demo.data import DEMO_PASSWORD, DEMO_USERS
from backend.demo.loader import load_demo
from backend.domain.assets.models import Device, DeviceKind, IpBlock, Site
from backend.domain.people.models import User
from backend.domain.workorders.models import WorkOrder, WorkOrderStatus
from backend.integrations.pdf.seal import load_seal_identity, verify_pdf
from tests.conftest import GQL


async def test_demo_loads_a_realistic_city_once(db: Database, settings: Settings, gql: GQL) -> None:
    # when the demo is loaded into an empty database, and then again
    first = load_demo(settings, db=db)
    second = load_demo(settings, db=db)

    # then it loaded once, with ~200 cameras, recorders, blocks and work in every state
    assert (first, second) == (True, False)
    with db.read_session() as session:
        cameras = (session.exec(select(func.count()).where(Device.kind == DeviceKind.CAMERA))).one()
        recorders = (session.exec(select(func.count()).where(Device.kind == DeviceKind.RECORDER))).one()
        sites = (session.exec(select(func.count()).select_from(Site))).one()
        blocks = (session.exec(select(func.count()).select_from(IpBlock))).one()
        statuses = set((session.exec(select(WorkOrder.status).distinct())).all())
        districts = set((session.exec(select(Site.district).distinct())).all())
        users = (session.exec(select(func.count()).select_from(User))).one()
    assert 190 <= cameras <= 220
    assert recorders >= 10
    assert blocks == sites >= 20
    assert statuses == set(WorkOrderStatus)
    assert {"Konak", "Karşıyaka", "Bornova", "Buca"} <= districts
    assert users >= len(DEMO_USERS)
    with db.read_session() as session:
        tech = (session.exec(select(User).where(User.username == "teknisyen"))).one()
        mine = set((session.exec(select(WorkOrder.status).where(WorkOrder.assignee_id == tech.id))).all())
    assert {
        WorkOrderStatus.ASSIGNED,
        WorkOrderStatus.IN_PROGRESS,
        WorkOrderStatus.SUBMITTED,
        WorkOrderStatus.RETURNED,
        WorkOrderStatus.APPROVED,
        WorkOrderStatus.CLOSED,
    } <= mine

    # and every demo account signs in with the documented password
    for username, _name, role in DEMO_USERS:
        body = await gql.ok(
            "mutation($u: String!, $p: String!) { r: signIn(username: $u, password: $p) "
            "{ ... on SessionSuccess { session { viewer { user { role } } } } ... on OperationError { code } } }",
            {"u": username, "p": DEMO_PASSWORD},
        )
        assert body["r"]["session"]["viewer"]["user"]["role"] == role.name, username


async def test_demo_has_sealed_minutes_whose_pdf_is_made_and_validates(
    db: Database, settings: Settings, gql: GQL, client: Any
) -> None:
    # given the demo
    load_demo(settings, db=db)
    token = (
        await gql.ok(
            'mutation { r: signIn(username: "mudur", password: "saha-demo") '
            "{ ... on SessionSuccess { session { accessToken } } } }"
        )
    )["r"]["session"]["accessToken"]

    # when the manager lists sealed surveys and downloads the minutes' PDF
    surveys = (
        await gql.ok(
            "{ surveys(status: SEALED) { requestingUnit minutes { id status verificationCode"
            " signatures { role method } } } }",
            token=token,
        )
    )["surveys"]
    assert len(surveys) == 1
    minutes = surveys[0]["minutes"][0]
    response = await client.get(
        f"/api/minutes/{minutes['id']}.pdf", headers={"Authorization": f"Bearer {token}"}
    )

    # then: three PIN signatures, a PAdES-sealed PDF that verifies, the code on record
    assert minutes["status"] == "SEALED"
    assert sorted(s["role"] for s in minutes["signatures"]) == ["SECURITY", "TECHNICIAN", "UNIT_HEAD"]
    assert {s["method"] for s in minutes["signatures"]} == {"PIN"}
    assert response.status_code == 200, response.text
    check = verify_pdf(response.content, load_seal_identity(data_dir=settings.data_dir))
    assert (check.signed, check.intact, check.valid) == (True, True, True)
    verdict = (await client.post("/api/verify", content=response.content)).json()
    assert (verdict["verdict"], verdict["code"]) == ("VALID", minutes["verificationCode"])


async def test_demo_never_loads_in_production(db: Database, settings: Settings) -> None:
    loaded = load_demo(settings.model_copy(update={"production": True}), db=db)

    with db.read_session() as session:
        users = (session.exec(select(func.count()).select_from(User))).one()
    assert loaded is False
    assert users == 0


async def test_sqlite_runs_durable_settings(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    for engine in (db.engine, db.read_engine):
        with engine.connect() as conn:
            journal = conn.execute(text("PRAGMA journal_mode")).scalar()
            synchronous = conn.execute(text("PRAGMA synchronous")).scalar()
            foreign_keys = conn.execute(text("PRAGMA foreign_keys")).scalar()
        assert (journal, synchronous, foreign_keys) == ("wal", 2, 1)  # 2 = FULL
