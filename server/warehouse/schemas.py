"""Wire shapes of the warehouse endpoints: warehouses, zones and locations (bins).

Coordinates travel as decimals (a JSON number or string, answered as a string) so that no float
rounding moves a warehouse; their range and the time zone are checked by the service, which
answers with a stable code (``invalid_coordinates``, ``invalid_timezone``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from server.lib.schema import Input, Schema
from server.warehouse.models import LocationType

DbId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
WarehouseCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
ZoneCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
LocationCode = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
"""Checked by the service, so that a reserved ``@`` code gets its own error code."""
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
OptionalName = Annotated[str, msgspec.Meta(max_length=200)]
Place = Annotated[str, msgspec.Meta(max_length=64)]
WalkSequence = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
Capacity = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
RackNumber = Annotated[int, msgspec.Meta(ge=0, le=9999)]
AisleCode = Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9]+$")]


class WarehouseCreate(Input):
    code: WarehouseCode
    name_zh: Name
    name_en: OptionalName = ""
    address: Annotated[str, msgspec.Meta(max_length=500)] = ""
    province: Place = ""
    city: Place = ""
    region: Place = ""
    timezone: Annotated[str, msgspec.Meta(max_length=64)] = "Asia/Shanghai"
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class WarehouseUpdate(Input):
    """Every field optional; ``null`` clears a coordinate. The code is fixed: bin barcodes embed it."""

    name_zh: Name | None = None
    name_en: OptionalName | None = None
    address: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    province: Place | None = None
    city: Place | None = None
    region: Place | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    latitude: Decimal | msgspec.UnsetType | None = msgspec.UNSET
    longitude: Decimal | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    address: str
    province: str
    city: str
    region: str
    timezone: str
    latitude: Decimal | None
    longitude: Decimal | None
    active: bool
    created_at: datetime
    updated_at: datetime


class ZoneCreate(Input):
    code: ZoneCode
    name_zh: Name
    name_en: OptionalName = ""


class ZoneUpdate(Input):
    code: ZoneCode | None = None
    name_zh: Name | None = None
    name_en: OptionalName | None = None


class ZoneOut(Schema):
    id: int
    warehouse_id: int
    code: str
    name_zh: str
    name_en: str


class LocationCreate(Input):
    """One bin. ``barcode`` defaults to ``<WAREHOUSECODE>-<code>``; ``walking_sequence`` to the end of the walk."""

    warehouse_id: DbId
    code: LocationCode
    type: LocationType = LocationType.storage
    zone_id: DbId | None = None
    barcode: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    walking_sequence: WalkSequence | None = None
    capacity_units: Capacity | None = None


class LocationBulkCreate(Input):
    """Bins from a pattern: every aisle × rack × level, coded ``<aisle>-<rack>-<level>`` (``A-01-01``).

    The walking sequence snakes through the aisles (racks up the first aisle, down the next), so a
    pick path sorted by it never walks an aisle twice.
    """

    warehouse_id: DbId
    aisles: Annotated[list[AisleCode], msgspec.Meta(min_length=1, max_length=200)]
    rack_from: RackNumber
    rack_to: RackNumber
    level_from: RackNumber
    level_to: RackNumber
    type: LocationType = LocationType.storage
    zone_id: DbId | None = None
    first_sequence: WalkSequence | None = None
    """Walking sequence of the first bin; default: right after the warehouse's last bin."""
    capacity_units: Capacity | None = None


class LocationUpdate(Input):
    """``zone_id``/``capacity_units`` accept ``null`` to clear them; absent fields stay as they are."""

    type: LocationType | None = None
    zone_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    walking_sequence: WalkSequence | None = None
    capacity_units: Capacity | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | None = None


class LocationOut(Schema):
    id: int
    warehouse_id: int
    zone_id: int | None
    code: str
    barcode: str
    type: LocationType
    walking_sequence: int
    capacity_units: int | None
    frozen: bool
    active: bool
    is_virtual: bool
    created_at: datetime
    updated_at: datetime


class LocationBulkOut(Schema):
    created: int
    first_code: str
    last_code: str
    items: list[LocationOut]
