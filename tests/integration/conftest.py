"""A small city for integration tests: one person per role, two regions, sites, devices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.assets.models import Device, Site
from backend.domain.people.auth import issue_access_token
from backend.domain.people.models import Region, Role, User
from tests.factories import make_device, make_region, make_site, make_user


@dataclass
class World:
    north: Region
    south: Region
    admin: User
    manager: User
    tech: User  # region north
    tech_south: User
    security: User
    unit_head: User
    zabita: User
    site_north: Site
    site_south: Site
    cam_north: Device
    cam_south: Device
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: User) -> str:
        return self.tokens[user.username]


@pytest.fixture
def world(db: Database, settings: Settings) -> World:
    north = make_region(db, "Kuzey")
    south = make_region(db, "Güney")
    admin = make_user(db, Role.ADMIN)
    site_north = make_site(db, admin, region=north, cidr="10.1.1.0/24")
    site_south = make_site(db, admin, region=south, cidr="10.2.1.0/24")
    w = World(
        north=north,
        south=south,
        admin=admin,
        manager=make_user(db, Role.MANAGER),
        tech=make_user(db, Role.TECHNICIAN, region=north),
        tech_south=make_user(db, Role.TECHNICIAN, region=south),
        security=make_user(db, Role.SECURITY),
        unit_head=make_user(db, Role.UNIT_HEAD),
        zabita=make_user(db, Role.ZABITA),
        site_north=site_north,
        site_south=site_south,
        cam_north=make_device(db, admin, site_north, ip="10.1.1.10"),
        cam_south=make_device(db, admin, site_south, ip="10.2.1.10"),
    )
    now = datetime.now(UTC)
    for user in (w.admin, w.manager, w.tech, w.tech_south, w.security, w.unit_head, w.zabita):
        w.tokens[user.username] = issue_access_token(user, settings, now)[0]
    return w
