"""HTTP face of the warehouse domain: warehouses, zones and locations; ``CONTROLLERS`` lists every route
class of the domain, the stock endpoints of ``ledger/controller.py`` included."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.lib.pagination import Page, PageParams, paginate
from server.warehouse.count_controller import CONTROLLERS as COUNT_CONTROLLERS
from server.warehouse.ledger.controller import LEDGER_CONTROLLERS
from server.warehouse.models import Location, LocationType, Warehouse, Zone
from server.warehouse.schemas import (
    LocationBulkCreate,
    LocationBulkOut,
    LocationCreate,
    LocationOut,
    LocationUpdate,
    WarehouseCreate,
    WarehouseOut,
    WarehouseUpdate,
    ZoneCreate,
    ZoneOut,
    ZoneUpdate,
)
from server.warehouse.services import locations, warehouses, zones

Read = [requires(Permission.warehouse_read)]
Write = [requires(Permission.warehouse_write)]


def warehouse_out(w: Warehouse) -> WarehouseOut:
    return WarehouseOut(
        id=w.id,
        code=w.code,
        name_zh=w.name_zh,
        name_en=w.name_en,
        address=w.address,
        province=w.province,
        city=w.city,
        region=w.region,
        timezone=w.timezone,
        latitude=w.latitude,
        longitude=w.longitude,
        active=w.active,
        created_at=w.created_at,
        updated_at=w.updated_at,
    )


def zone_out(z: Zone) -> ZoneOut:
    return ZoneOut(id=z.id, warehouse_id=z.warehouse_id, code=z.code, name_zh=z.name_zh, name_en=z.name_en)


def location_out(loc: Location) -> LocationOut:
    return LocationOut(
        id=loc.id,
        warehouse_id=loc.warehouse_id,
        zone_id=loc.zone_id,
        code=loc.code,
        barcode=loc.barcode,
        type=LocationType(loc.type),
        walking_sequence=loc.walking_sequence,
        capacity_units=loc.capacity_units,
        frozen=loc.frozen,
        active=loc.active,
        is_virtual=loc.is_virtual,
        created_at=loc.created_at,
        updated_at=loc.updated_at,
    )


class WarehouseController(Controller):
    path = "/api/warehouses"
    tags = ["warehouse"]  # noqa: RUF012

    @post("/", operation_id="CreateWarehouse", guards=Write)
    async def create_warehouse(
        self, db_session: AsyncSession, current_user: AuthUser, data: WarehouseCreate
    ) -> WarehouseOut:
        """Open a site (administrators and head office); its virtual locations are created with it."""
        return warehouse_out(await warehouses.create_warehouse(db_session, current_user, data))

    @get("/", operation_id="ListWarehouses", guards=Read)
    async def list_warehouses(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        q: Annotated[str | None, Parameter(description="code or name contains")] = None,
        province: str | None = None,
        active: bool | None = None,
    ) -> Page[WarehouseOut]:
        statement = warehouses.warehouse_query(current_user, q=q, province=province, active=active)
        return await paginate(db_session, statement, page, warehouse_out)

    @get("/{warehouse_id:int}", operation_id="GetWarehouse", guards=Read)
    async def get_warehouse(self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: int) -> WarehouseOut:
        return warehouse_out(await warehouses.get_warehouse(db_session, current_user, warehouse_id))

    @patch("/{warehouse_id:int}", operation_id="UpdateWarehouse", guards=Write)
    async def update_warehouse(
        self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: int, data: WarehouseUpdate
    ) -> WarehouseOut:
        return warehouse_out(await warehouses.update_warehouse(db_session, current_user, warehouse_id, data))

    @post("/{warehouse_id:int}/zones", operation_id="CreateZone", guards=Write)
    async def create_zone(
        self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: int, data: ZoneCreate
    ) -> ZoneOut:
        return zone_out(await zones.create_zone(db_session, current_user, warehouse_id, data))

    @get("/{warehouse_id:int}/zones", operation_id="ListZones", guards=Read)
    async def list_zones(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        warehouse_id: int,
        q: Annotated[str | None, Parameter(description="code or name contains")] = None,
    ) -> Page[ZoneOut]:
        await warehouses.get_warehouse(db_session, current_user, warehouse_id)
        return await paginate(db_session, zones.zone_query(warehouse_id, q=q), page, zone_out)

    @get("/{warehouse_id:int}/zones/{zone_id:int}", operation_id="GetZone", guards=Read)
    async def get_zone(
        self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: int, zone_id: int
    ) -> ZoneOut:
        return zone_out(await zones.get_zone(db_session, current_user, warehouse_id, zone_id))

    @patch("/{warehouse_id:int}/zones/{zone_id:int}", operation_id="UpdateZone", guards=Write)
    async def update_zone(
        self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: int, zone_id: int, data: ZoneUpdate
    ) -> ZoneOut:
        return zone_out(await zones.update_zone(db_session, current_user, warehouse_id, zone_id, data))


class LocationController(Controller):
    path = "/api/locations"
    tags = ["warehouse"]  # noqa: RUF012

    @post("/", operation_id="CreateLocation", guards=Write)
    async def create_location(
        self, db_session: AsyncSession, current_user: AuthUser, data: LocationCreate
    ) -> LocationOut:
        return location_out(await locations.create_location(db_session, current_user, data))

    @post("/bulk", operation_id="CreateLocationsFromPattern", guards=Write)
    async def create_locations_from_pattern(
        self, db_session: AsyncSession, current_user: AuthUser, data: LocationBulkCreate
    ) -> LocationBulkOut:
        """Create a block of shelving in one go (at most 5,000 bins), walking order serpentine."""
        created = await locations.create_locations_from_pattern(db_session, current_user, data)
        return LocationBulkOut(
            created=len(created),
            first_code=created[0].code,
            last_code=created[-1].code,
            items=[location_out(loc) for loc in created],
        )

    @get("/", operation_id="ListLocations", guards=Read)
    async def list_locations(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        warehouse_id: int | None = None,
        zone_id: int | None = None,
        location_type: Annotated[LocationType | None, QueryParameter(name="type")] = None,
        frozen: bool | None = None,
        active: bool | None = None,
        q: Annotated[str | None, Parameter(description="code or barcode contains")] = None,
    ) -> Page[LocationOut]:
        """Locations in walking order, only in the caller's warehouses."""
        statement = locations.location_query(
            current_user,
            warehouse_id=warehouse_id,
            zone_id=zone_id,
            location_type=location_type,
            frozen=frozen,
            active=active,
            q=q,
        )
        return await paginate(db_session, statement, page, location_out)

    @get("/{location_id:int}", operation_id="GetLocation", guards=Read)
    async def get_location(self, db_session: AsyncSession, current_user: AuthUser, location_id: int) -> LocationOut:
        return location_out(await locations.get_location(db_session, current_user, location_id))

    @get("/by-barcode/{barcode:str}", operation_id="GetLocationByBarcode", guards=Read)
    async def get_location_by_barcode(
        self, db_session: AsyncSession, current_user: AuthUser, barcode: str
    ) -> LocationOut:
        """Resolve a scanned bin label (what the phone does at every 'scan bin' step)."""
        return location_out(await locations.resolve_barcode(db_session, current_user, barcode))

    @patch("/{location_id:int}", operation_id="UpdateLocation", guards=Write)
    async def update_location(
        self, db_session: AsyncSession, current_user: AuthUser, location_id: int, data: LocationUpdate
    ) -> LocationOut:
        return location_out(await locations.update_location(db_session, current_user, location_id, data))

    @post("/{location_id:int}/freeze", operation_id="FreezeLocation", guards=Write, status_code=200)
    async def freeze_location(self, db_session: AsyncSession, current_user: AuthUser, location_id: int) -> LocationOut:
        """Block every move in or out of the bin (a count, damage); the ledger answers ``location_frozen``."""
        return location_out(await locations.set_frozen(db_session, current_user, location_id, frozen=True))

    @post("/{location_id:int}/unfreeze", operation_id="UnfreezeLocation", guards=Write, status_code=200)
    async def unfreeze_location(
        self, db_session: AsyncSession, current_user: AuthUser, location_id: int
    ) -> LocationOut:
        return location_out(await locations.set_frozen(db_session, current_user, location_id, frozen=False))


CONTROLLERS: list[type] = [WarehouseController, LocationController, *COUNT_CONTROLLERS, *LEDGER_CONTROLLERS]
