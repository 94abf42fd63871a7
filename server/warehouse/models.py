"""Warehouses, zones and locations: every stock change is a move between two locations.

Physical bins and virtual locations (supplier, customer, loss, in transit) share one table, so a
receipt is simply supplier → receiving bin and a shipment pick-bin → customer (double entry, the
Odoo rule without its drift).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, str_enum


class LocationType(StrEnum):
    """What a location is for; the first seven are physical bins, the rest virtual."""

    receiving = "receiving"
    storage = "storage"
    pick = "pick"
    staging = "staging"
    shipping = "shipping"
    quarantine = "quarantine"
    returns = "returns"
    supplier = "supplier"
    customer = "customer"
    loss = "loss"
    transit = "transit"


PHYSICAL_TYPES = frozenset(
    {
        LocationType.receiving,
        LocationType.storage,
        LocationType.pick,
        LocationType.staging,
        LocationType.shipping,
        LocationType.quarantine,
        LocationType.returns,
    }
)
VIRTUAL_TYPES = frozenset({LocationType.supplier, LocationType.customer, LocationType.loss, LocationType.transit})
UNBOUNDED_TYPES = frozenset({LocationType.supplier, LocationType.customer, LocationType.loss})
"""Sources and sinks of the double entry: they have no stock level (their balance is meaningless)."""


class Warehouse(IdMixin, TimestampMixin, Base):
    """A site; business days follow its ``timezone``."""

    __tablename__ = "warehouses"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    province: Mapped[str] = mapped_column(String(64), default="")
    city: Mapped[str] = mapped_column(String(64), default="")
    region: Mapped[str] = mapped_column(String(64), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), default=None)
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), default=None)
    active: Mapped[bool] = mapped_column(default=True)


class Zone(IdMixin, Base):
    """An area of a warehouse (ambient, cold room, bulk …) that waves and tasks group by."""

    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")


class Location(IdMixin, TimestampMixin, Base):
    """A bin or a virtual location. ``barcode`` is unique everywhere because a scan must resolve it."""

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "code"),
        CheckConstraint("capacity_units IS NULL OR capacity_units >= 0", name="capacity_not_negative"),
    )

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"), index=True)
    zone_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("zones.id"), default=None, index=True)
    code: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[LocationType] = mapped_column(str_enum(LocationType))
    walking_sequence: Mapped[int] = mapped_column(default=0)
    capacity_units: Mapped[int | None] = mapped_column(default=None)
    frozen: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_virtual(self) -> bool:
        """Virtual locations never appear on a pick path or a count sheet."""
        return self.type in VIRTUAL_TYPES

    @property
    def tracks_level(self) -> bool:
        """Supplier, customer and loss are unbounded; every other location has a stock level."""
        return self.type not in UNBOUNDED_TYPES
