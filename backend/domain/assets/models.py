"""Sites, IP blocks and devices (directive 4, 5, 8, 14)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, enum_type, utcnow
from backend.domain.choices import Choice


class SiteKind(Choice):
    SERVICE_BUILDING = "service_building"  # hizmet binası
    CAMPUS = "campus"  # kampüs
    CITY_WATCH_POLE = "city_watch_pole"  # kent izleme direği


class RecordingLocation(Choice):
    """Where a site's footage is recorded (directive 8)."""

    OWN_RECORDING_ROOM = "own_recording_room"  # kendi kayıt odası
    OWN_CABINET = "own_cabinet"  # kendi sistem kabineti
    CENTRAL_SERVER = "central_server"  # merkez sunucu


class DeviceKind(Choice):
    CAMERA = "camera"
    RECORDER = "recorder"  # NVR
    SWITCH = "switch"
    CABINET = "cabinet"


class DeviceStatus(Choice):
    PLANNED = "planned"
    ACTIVE = "active"
    FAULTY = "faulty"
    REMOVED = "removed"
    SCRAPPED = "scrapped"


class AreaType(Choice):
    """What a camera watches. The private types may never get a camera (directive 7(4))."""

    ENTRANCE = "entrance"
    LOBBY = "lobby"
    PUBLIC_CORRIDOR = "public_corridor"
    PARKING = "parking"
    PERIMETER = "perimeter"
    STREET = "street"
    SQUARE = "square"
    PARK = "park"
    WAREHOUSE = "warehouse"
    CASHIER = "cashier"  # vezne: the directive's explicit exception
    TECHNICAL_ROOM = "technical_room"
    OFFICE = "office"  # private
    WORK_ROOM = "work_room"  # private
    TOILET = "toilet"  # private (tuvalet / lavabo, inside or outside the building)
    CORRIDOR_TO_PRIVATE = "corridor_to_private"  # private: a corridor opening onto the above

    @property
    def is_private(self) -> bool:
        return self in PRIVATE_AREA_TYPES


PRIVATE_AREA_TYPES = frozenset(
    {AreaType.OFFICE, AreaType.WORK_ROOM, AreaType.TOILET, AreaType.CORRIDOR_TO_PRIVATE}
)


class SiteBase(SQLModel):
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=160)
    kind: SiteKind = Field(sa_type=enum_type(SiteKind))
    district: str = Field(max_length=64, index=True)
    address: str = Field(default="", max_length=255)
    latitude: float | None = None
    longitude: float | None = None
    recording_location: RecordingLocation = Field(sa_type=enum_type(RecordingLocation))
    region_id: uuid.UUID | None = Field(default=None, foreign_key="regions.id", index=True)


class Site(SiteBase, table=True):
    __tablename__ = "sites"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IpBlock(SQLModel, table=True):
    """An address block (CIDR) registered for a site (directive 5(3), 12(13))."""

    __tablename__ = "ip_blocks"
    __table_args__ = (sa.UniqueConstraint("site_id", "cidr"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    site_id: uuid.UUID = Field(foreign_key="sites.id", index=True, ondelete="CASCADE")
    cidr: str = Field(max_length=64)
    description: str = Field(default="", max_length=160)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeviceBase(SQLModel):
    site_id: uuid.UUID = Field(foreign_key="sites.id", index=True)
    kind: DeviceKind = Field(sa_type=enum_type(DeviceKind))
    asset_tag: str = Field(max_length=32, unique=True)  # demirbaş no
    make: str = Field(default="", max_length=64)
    model: str = Field(default="", max_length=64)
    serial_number: str = Field(default="", max_length=64)
    firmware: str = Field(default="", max_length=64)
    ip_address: str | None = Field(default=None, max_length=45)
    onvif_port: int | None = None
    installed_on: date | None = None
    status: DeviceStatus = Field(sa_type=enum_type(DeviceStatus))
    is_public_city_watch: bool = False
    area_type: AreaType | None = Field(default=None, sa_type=enum_type(AreaType))
    recorder_id: uuid.UUID | None = Field(default=None, foreign_key="devices.id")
    notes: str = Field(default="", max_length=2000)


class Device(DeviceBase, table=True):
    __tablename__ = "devices"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
