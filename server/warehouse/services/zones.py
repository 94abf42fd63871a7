"""Zones: the areas of a warehouse (ambient, cold room, bulk …) that waves and tasks group by."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.lib.errors import Conflict, NotFound
from server.warehouse.models import Zone
from server.warehouse.schemas import ZoneCreate, ZoneUpdate
from server.warehouse.services.warehouses import get_warehouse


async def create_zone(session: AsyncSession, user: AuthUser, warehouse_id: int, data: ZoneCreate) -> Zone:
    await get_warehouse(session, user, warehouse_id)
    await _require_free_code(session, warehouse_id, data.code)
    zone = Zone(warehouse_id=warehouse_id, code=data.code, name_zh=data.name_zh, name_en=data.name_en)
    session.add(zone)
    await session.flush()
    return zone


def zone_query(warehouse_id: int, *, q: str | None = None) -> Select[Zone]:
    """Zones of one warehouse by code; the caller has checked the scope."""
    statement = select(Zone).where(Zone.warehouse_id == warehouse_id).order_by(Zone.code, Zone.id)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Zone.code).like(pattern),
                func.lower(Zone.name_zh).like(pattern),
                func.lower(Zone.name_en).like(pattern),
            )
        )
    return statement


async def get_zone(session: AsyncSession, user: AuthUser, warehouse_id: int, zone_id: int) -> Zone:
    await get_warehouse(session, user, warehouse_id)
    zone = await session.get(Zone, zone_id)
    if zone is None or zone.warehouse_id != warehouse_id:
        raise NotFound(
            f"zone {zone_id} not found in warehouse {warehouse_id}",
            message_zh="库区不存在",
            field="zone_id",
            code="zone_not_found",
        )
    return zone


async def update_zone(session: AsyncSession, user: AuthUser, warehouse_id: int, zone_id: int, data: ZoneUpdate) -> Zone:
    zone = await get_zone(session, user, warehouse_id, zone_id)
    if data.code is not None and data.code != zone.code:
        await _require_free_code(session, warehouse_id, data.code)
        zone.code = data.code
    if data.name_zh is not None:
        zone.name_zh = data.name_zh
    if data.name_en is not None:
        zone.name_en = data.name_en
    await session.flush()
    return zone


async def _require_free_code(session: AsyncSession, warehouse_id: int, code: str) -> None:
    taken = await session.scalar(select(Zone.id).where(Zone.warehouse_id == warehouse_id, Zone.code == code))
    if taken is not None:
        raise Conflict(
            f"zone code {code!r} is taken in this warehouse",
            message_zh="库区编码已存在",
            field="code",
            code="zone_code_taken",
        )
