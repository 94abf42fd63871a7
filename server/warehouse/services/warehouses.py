"""Warehouses (sites): create with their virtual locations, list within scope, update.

A warehouse's time zone decides its business days, so it must be a zone the tz database knows;
its coordinates feed routing by distance, so they must be on the globe.
"""

from __future__ import annotations

import functools
import zoneinfo
from decimal import ROUND_HALF_EVEN, Decimal

import msgspec
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.models import Role, UserWarehouse
from server.lib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import UNBOUNDED_TYPES, Location, Warehouse
from server.warehouse.schemas import WarehouseCreate, WarehouseUpdate
from server.warehouse.virtual_locations import ensure_virtual_locations

COORDINATE_PLACES = Decimal("0.000001")
"""The column keeps six decimal places (about 0.1 m); more is rounded, not refused."""


@functools.cache
def _iana_zones() -> frozenset[str]:
    """Scanning the tz database takes milliseconds; it does not change while the process runs."""
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str) -> str:
    """Answer ``name`` if the IANA database knows it; refuse abbreviations, paths and typos."""
    try:
        known = name in _iana_zones() and zoneinfo.ZoneInfo(name) is not None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        known = False
    if not known:
        raise ValidationFailed(
            f"{name!r} is not an IANA time zone (for example Asia/Shanghai)",
            message_zh="时区无效，请使用 IANA 时区名（如 Asia/Shanghai）",
            field="timezone",
            code="invalid_timezone",
        )
    return name


def check_coordinates(latitude: Decimal | None, longitude: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """Both or neither; latitude within ±90, longitude within ±180; rounded to the column's places."""
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise ValidationFailed(
            "give latitude and longitude together (or neither)",
            message_zh="经纬度须同时提供",
            field=field,
            code="invalid_coordinates",
        )
    if latitude is None or longitude is None:
        return None, None
    return _coordinate(latitude, "latitude", 90), _coordinate(longitude, "longitude", 180)


def _coordinate(value: Decimal, field: str, bound: int) -> Decimal:
    if not value.is_finite() or not -bound <= value <= bound:
        raise ValidationFailed(
            f"{field} must be a number between -{bound} and {bound}",
            message_zh="纬度须在 -90 到 90 之间" if field == "latitude" else "经度须在 -180 到 180 之间",
            field=field,
            code="invalid_coordinates",
        )
    return value.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_EVEN)


def _may_create_warehouses(user: AuthUser) -> bool:
    """Only head office opens sites: a supervisor scoped to one warehouse may not add another."""
    return user.all_warehouses or Role.admin.value in user.roles


async def create_warehouse(session: AsyncSession, user: AuthUser, data: WarehouseCreate) -> Warehouse:
    """Create the site and its four virtual locations, so stock can move into it at once."""
    if not _may_create_warehouses(user):
        raise Forbidden(
            "only administrators or users with every warehouse in scope may create warehouses",
            message_zh="只有管理员或拥有全部仓库权限的用户可以新建仓库",
            code="warehouse_create_forbidden",
        )
    timezone = check_timezone(data.timezone)
    latitude, longitude = check_coordinates(data.latitude, data.longitude)
    taken = await session.scalar(select(Warehouse.id).where(func.lower(Warehouse.code) == data.code.lower()))
    if taken is not None:
        raise Conflict(
            f"warehouse code {data.code!r} is taken",
            message_zh="仓库编码已存在",
            field="code",
            code="warehouse_code_taken",
        )
    warehouse = Warehouse(
        code=data.code,
        name_zh=data.name_zh,
        name_en=data.name_en,
        address=data.address,
        province=data.province,
        city=data.city,
        region=data.region,
        timezone=timezone,
        latitude=latitude,
        longitude=longitude,
    )
    session.add(warehouse)
    await session.flush()
    await ensure_virtual_locations(session, warehouse)
    if not user.all_warehouses:  # a scoped administrator must be able to see what they created
        session.add(UserWarehouse(user_id=user.id, warehouse_id=warehouse.id))
        await session.flush()
    return warehouse


def warehouse_query(
    user: AuthUser, *, q: str | None = None, province: str | None = None, active: bool | None = None
) -> Select[Warehouse]:
    """Warehouses the user can see, filtered, by code."""
    statement = select(Warehouse).order_by(Warehouse.code, Warehouse.id)
    scope = user.visible_warehouses()
    if scope is not None:
        statement = statement.where(Warehouse.id.in_(scope))
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Warehouse.code).like(pattern),
                func.lower(Warehouse.name_zh).like(pattern),
                func.lower(Warehouse.name_en).like(pattern),
            )
        )
    if province:
        statement = statement.where(Warehouse.province == province)
    if active is not None:
        statement = statement.where(Warehouse.active.is_(active))
    return statement


async def get_warehouse(session: AsyncSession, user: AuthUser, warehouse_id: int) -> Warehouse:
    """The warehouse, if it exists and is in the user's scope (403 before 404: scope is checked first)."""
    user.require_warehouse(warehouse_id)
    warehouse = await session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(
            f"warehouse {warehouse_id} not found",
            message_zh="仓库不存在",
            field="warehouse_id",
            code="warehouse_not_found",
        )
    return warehouse


async def update_warehouse(
    session: AsyncSession, user: AuthUser, warehouse_id: int, data: WarehouseUpdate
) -> Warehouse:
    """Apply the given fields; a warehouse still holding stock cannot be deactivated."""
    warehouse = await get_warehouse(session, user, warehouse_id)
    if data.timezone is not None:
        warehouse.timezone = check_timezone(data.timezone)
    latitude = warehouse.latitude if data.latitude is msgspec.UNSET else data.latitude
    longitude = warehouse.longitude if data.longitude is msgspec.UNSET else data.longitude
    warehouse.latitude, warehouse.longitude = check_coordinates(latitude, longitude)
    for name in ("name_zh", "name_en", "address", "province", "city", "region"):
        value = getattr(data, name)
        if value is not None:
            setattr(warehouse, name, value)
    if data.active is False and warehouse.active:
        await _require_no_stock(session, warehouse_id)
    if data.active is not None:
        warehouse.active = data.active
    await session.flush()
    return warehouse


async def _require_no_stock(session: AsyncSession, warehouse_id: int) -> None:
    held = await session.scalar(
        select(func.count())
        .select_from(StockLevel)
        .join(Location, Location.id == StockLevel.location_id)
        .where(
            Location.warehouse_id == warehouse_id,
            Location.type.not_in(list(UNBOUNDED_TYPES)),
            or_(StockLevel.on_hand != 0, StockLevel.reserved != 0),
        )
    )
    if held:
        raise Conflict(
            f"warehouse {warehouse_id} still holds stock; move it out first",
            message_zh="仓库仍有库存，不能停用",
            field="active",
            code="warehouse_not_empty",
        )
