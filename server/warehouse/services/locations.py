"""Locations (bins): create one or a pattern of them, find them by id or scanned barcode, edit, freeze.

Virtual locations (supplier, customer, loss, transit) belong to the ledger's double entry: they
are made with their warehouse and never created, edited or frozen through here. Their codes start
with ``@``, which is therefore refused in a bin code, so a label can never be scanned as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement

from server.auth.identity import AuthUser
from server.lib.errors import Conflict, NotFound, ValidationFailed
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import PHYSICAL_TYPES, Location, LocationType, Warehouse, Zone
from server.warehouse.schemas import LocationBulkCreate, LocationCreate, LocationUpdate
from server.warehouse.services.bin_pattern import expand_pattern
from server.warehouse.services.warehouses import get_warehouse
from server.warehouse.virtual_locations import VIRTUAL_PREFIX

LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""Bin codes and barcodes: what a Code 128 label prints legibly and a URL path carries unescaped."""
MAX_LABEL = 64
_CHUNK = 500


def _check_label(value: str, field: str) -> None:
    if value.startswith(VIRTUAL_PREFIX) or VIRTUAL_PREFIX in value:
        raise ValidationFailed(
            f"{field} may not contain {VIRTUAL_PREFIX!r}: it marks virtual locations",
            message_zh="“@”为虚拟库位保留字符，不能用于库位编码或条码",
            field=field,
            code="reserved_location_code",
        )
    if len(value) > MAX_LABEL or not LABEL.match(value):
        raise ValidationFailed(
            f"{field} {value!r} must be 1–{MAX_LABEL} letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            message_zh="库位编码或条码只能包含字母、数字、“.”、“_”、“-”，且以字母或数字开头",
            field=field,
            code="invalid_location_code",
        )


def _check_physical(location_type: LocationType, field: str = "type") -> None:
    if location_type not in PHYSICAL_TYPES:
        raise ValidationFailed(
            f"{location_type.value} locations are virtual: they come with their warehouse",
            message_zh="虚拟库位随仓库自动创建，不能手工创建或修改",
            field=field,
            code="virtual_location_readonly",
        )


def _refuse_virtual(location: Location) -> None:
    if location.is_virtual:
        raise ValidationFailed(
            f"location {location.id} ({location.code}) is virtual and cannot be changed",
            message_zh="虚拟库位不能修改或冻结",
            field="location_id",
            code="virtual_location_readonly",
        )


def _not_found(what: str, field: str) -> NotFound:
    return NotFound(f"location {what} not found", message_zh="库位不存在", field=field, code="location_not_found")


async def get_location(
    session: AsyncSession, user: AuthUser, location_id: int, *, for_update: bool = False
) -> Location:
    """The location if it exists and its warehouse is in scope (row-locked for an edit)."""
    statement = select(Location).where(Location.id == location_id)
    location = await session.scalar(statement.with_for_update() if for_update else statement)
    if location is None:
        raise _not_found(str(location_id), "location_id")
    user.require_warehouse(location.warehouse_id)
    return location


async def resolve_barcode(session: AsyncSession, user: AuthUser, barcode: str) -> Location:
    """The bin a scan names. Virtual locations have no label, so they never resolve."""
    location = await session.scalar(select(Location).where(Location.barcode == barcode))
    if location is None or location.is_virtual:
        raise _not_found(f"with barcode {barcode!r}", "barcode")
    user.require_warehouse(location.warehouse_id)
    return location


def location_query(
    user: AuthUser,
    *,
    warehouse_id: int | None = None,
    zone_id: int | None = None,
    location_type: LocationType | None = None,
    frozen: bool | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> Select[Location]:
    """Locations in scope, in walking order (the order a picker meets them)."""
    statement = select(Location).order_by(Location.warehouse_id, Location.walking_sequence, Location.code, Location.id)
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
        statement = statement.where(Location.warehouse_id == warehouse_id)
    scope = user.visible_warehouses()
    if scope is not None:
        statement = statement.where(Location.warehouse_id.in_(scope))
    if zone_id is not None:
        statement = statement.where(Location.zone_id == zone_id)
    if location_type is not None:
        statement = statement.where(Location.type == location_type)
    if frozen is not None:
        statement = statement.where(Location.frozen.is_(frozen))
    if active is not None:
        statement = statement.where(Location.active.is_(active))
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(
            or_(func.lower(Location.code).like(pattern), func.lower(Location.barcode).like(pattern))
        )
    return statement


async def _check_zone(session: AsyncSession, warehouse_id: int, zone_id: int | None) -> None:
    if zone_id is None:
        return
    zone_warehouse = await session.scalar(select(Zone.warehouse_id).where(Zone.id == zone_id))
    if zone_warehouse != warehouse_id:
        raise ValidationFailed(
            f"zone {zone_id} is not a zone of warehouse {warehouse_id}",
            message_zh="库区不属于该仓库",
            field="zone_id",
            code="zone_not_in_warehouse",
        )


async def _next_sequence(session: AsyncSession, warehouse_id: int) -> int:
    last = await session.scalar(
        select(func.max(Location.walking_sequence)).where(Location.warehouse_id == warehouse_id)
    )
    return int(last or 0) + 1


async def _require_free(session: AsyncSession, warehouse_id: int, codes: list[str], barcodes: list[str]) -> None:
    """Refuse (409) if any code is used in the warehouse or any barcode anywhere; name them all."""
    taken_codes = await _existing(session, Location.code, codes, Location.warehouse_id == warehouse_id)
    if taken_codes:
        raise Conflict(
            f"location code {taken_codes[0]!r} already exists in this warehouse",
            message_zh="库位编码已存在",
            field="code",
            code="location_code_taken",
            detail={"codes": taken_codes[:100]},
        )
    taken_barcodes = await _existing(session, Location.barcode, barcodes)
    if taken_barcodes:
        raise Conflict(
            f"barcode {taken_barcodes[0]!r} is already used by another location",
            message_zh="库位条码已被使用",
            field="barcode",
            code="location_barcode_taken",
            detail={"barcodes": taken_barcodes[:100]},
        )


async def _existing(
    session: AsyncSession, column: InstrumentedAttribute[str], values: list[str], *where: ColumnElement[bool]
) -> list[str]:
    found: list[str] = []
    for start in range(0, len(values), _CHUNK):  # bounded IN lists: SQLite caps bound parameters
        statement = select(column).where(column.in_(values[start : start + _CHUNK]), *where)
        found.extend(await session.scalars(statement))
    return sorted(found)


async def create_location(session: AsyncSession, user: AuthUser, data: LocationCreate) -> Location:
    warehouse = await get_warehouse(session, user, data.warehouse_id)
    _check_physical(data.type)
    _check_label(data.code, "code")
    barcode = data.barcode if data.barcode is not None else f"{warehouse.code}-{data.code}"
    _check_label(barcode, "barcode")
    await _check_zone(session, warehouse.id, data.zone_id)
    await _require_free(session, warehouse.id, [data.code], [barcode])
    sequence = (
        data.walking_sequence if data.walking_sequence is not None else await _next_sequence(session, warehouse.id)
    )
    location = Location(
        warehouse_id=warehouse.id,
        zone_id=data.zone_id,
        code=data.code,
        barcode=barcode,
        type=data.type,
        walking_sequence=sequence,
        capacity_units=data.capacity_units,
    )
    session.add(location)
    await session.flush()
    return location


async def create_locations_from_pattern(
    session: AsyncSession, user: AuthUser, data: LocationBulkCreate
) -> list[Location]:
    """All bins of the pattern, or none: a clash with one existing code refuses the whole request."""
    warehouse = await get_warehouse(session, user, data.warehouse_id)
    _check_physical(data.type)
    await _check_zone(session, warehouse.id, data.zone_id)
    first = data.first_sequence if data.first_sequence is not None else await _next_sequence(session, warehouse.id)
    specs = expand_pattern(
        data.aisles,
        rack_from=data.rack_from,
        rack_to=data.rack_to,
        level_from=data.level_from,
        level_to=data.level_to,
        first_sequence=first,
    )
    barcodes = [_barcode(warehouse, spec.code) for spec in specs]
    for spec, barcode in zip(specs, barcodes, strict=True):
        _check_label(spec.code, "aisles")
        _check_label(barcode, "aisles")
    await _require_free(session, warehouse.id, [s.code for s in specs], barcodes)
    locations = [
        Location(
            warehouse_id=warehouse.id,
            zone_id=data.zone_id,
            code=spec.code,
            barcode=barcode,
            type=data.type,
            walking_sequence=spec.walking_sequence,
            capacity_units=data.capacity_units,
        )
        for spec, barcode in zip(specs, barcodes, strict=True)
    ]
    session.add_all(locations)
    await session.flush()
    return locations


def _barcode(warehouse: Warehouse, code: str) -> str:
    return f"{warehouse.code}-{code}"


async def update_location(session: AsyncSession, user: AuthUser, location_id: int, data: LocationUpdate) -> Location:
    """Edit a bin; a bin that holds or has reserved stock cannot be deactivated (409)."""
    location = await get_location(session, user, location_id, for_update=True)
    _refuse_virtual(location)
    if data.type is not None:
        _check_physical(data.type)
        location.type = data.type
    if not isinstance(data.zone_id, msgspec.UnsetType):
        await _check_zone(session, location.warehouse_id, data.zone_id)
        location.zone_id = data.zone_id
    if data.walking_sequence is not None:
        location.walking_sequence = data.walking_sequence
    if not isinstance(data.capacity_units, msgspec.UnsetType):
        location.capacity_units = data.capacity_units
    if data.active is False and location.active:
        await _require_empty(session, location)
    if data.active is not None:
        location.active = data.active
    await session.flush()
    return location


async def set_frozen(session: AsyncSession, user: AuthUser, location_id: int, *, frozen: bool) -> Location:
    """Freeze (count, damage, blocked aisle) or release a bin; the ledger refuses moves while frozen."""
    location = await get_location(session, user, location_id, for_update=True)
    _refuse_virtual(location)
    location.frozen = frozen
    await session.flush()
    return location


async def _require_empty(session: AsyncSession, location: Location) -> None:
    held = await session.execute(
        select(StockLevel.sku_id, StockLevel.lot_id, StockLevel.on_hand, StockLevel.reserved)
        .where(StockLevel.location_id == location.id, or_(StockLevel.on_hand != 0, StockLevel.reserved != 0))
        .order_by(StockLevel.sku_id, StockLevel.lot_key)
        .limit(100)
    )
    lines = _stock_lines(held)
    if lines:
        raise Conflict(
            f"location {location.code} still holds stock; move it out before deactivating",
            message_zh="库位仍有库存，不能停用",
            field="active",
            code="location_not_empty",
            detail={"stock": lines},
        )


def _stock_lines(rows: Iterable[tuple[int, int | None, int, int]]) -> list[dict[str, int | None]]:
    return [
        {"sku_id": sku, "lot_id": lot, "on_hand": on_hand, "reserved": reserved} for sku, lot, on_hand, reserved in rows
    ]
