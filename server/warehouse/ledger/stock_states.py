"""The stock states a manager reads per SKU and warehouse, derived from levels (read-only).

Definitions (one place, so reports and the API agree):
- on_hand: everything physically in the warehouse's bins (quarantine and frozen bins included);
- reserved: locked for orders (锁库存);
- pending_inspection: in quarantine bins (待检), not sellable;
- frozen: in frozen bins, not sellable (returns bins count here too until processed);
- available: on_hand − pending_inspection − frozen − reserved, never below zero;
- in_transit: at the warehouse's transit location (on the road to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.warehouse.ledger.models import NO_LOT, StockLevel
from server.warehouse.models import PHYSICAL_TYPES, Location, LocationType


class StockState(msgspec.Struct, frozen=True, kw_only=True):
    sku_id: int
    warehouse_id: int
    on_hand: int
    reserved: int
    available: int
    in_transit: int
    pending_inspection: int
    frozen: int


def stock_state_query() -> Select[int, int, int, int, int, int, int]:
    """One grouped query; callers add filters (warehouse, SKU) and paging."""
    physical = Location.type.in_(list(PHYSICAL_TYPES))
    quarantine = Location.type == LocationType.quarantine
    blocked = physical & ~quarantine & or_(Location.frozen, Location.type == LocationType.returns)
    return (
        select(
            StockLevel.sku_id,
            Location.warehouse_id,
            func.sum(case((physical, StockLevel.on_hand), else_=0)),
            func.sum(case((physical, StockLevel.reserved), else_=0)),
            func.sum(case((Location.type == LocationType.transit, StockLevel.on_hand), else_=0)),
            func.sum(case((quarantine, StockLevel.on_hand), else_=0)),
            func.sum(case((blocked, StockLevel.on_hand), else_=0)),
        )
        .join(Location, Location.id == StockLevel.location_id)
        .group_by(StockLevel.sku_id, Location.warehouse_id)
        .order_by(StockLevel.sku_id, Location.warehouse_id)
    )


def to_stock_state(row: Sequence[int | None]) -> StockState:
    sku_id, warehouse_id, on_hand, reserved, in_transit, quarantine, frozen = (int(v or 0) for v in row)
    return StockState(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        on_hand=on_hand,
        reserved=reserved,
        available=max(0, on_hand - quarantine - frozen - reserved),
        in_transit=in_transit,
        pending_inspection=quarantine,
        frozen=frozen,
    )


async def stock_states(
    session: AsyncSession, *, sku_id: int | None = None, warehouse_id: int | None = None
) -> list[StockState]:
    query = stock_state_query()
    if sku_id is not None:
        query = query.where(StockLevel.sku_id == sku_id)
    if warehouse_id is not None:
        query = query.where(Location.warehouse_id == warehouse_id)
    return [to_stock_state(row) for row in await session.execute(query)]


async def level_on_hand(
    session: AsyncSession, location_id: int, sku_id: int, lot_id: int | None, *, lock: bool = False
) -> int:
    """On hand of one (location, SKU, lot) level, 0 if it has no row; ``lock`` row-locks it (PostgreSQL)."""
    statement = select(StockLevel.on_hand).where(
        StockLevel.location_id == location_id,
        StockLevel.sku_id == sku_id,
        StockLevel.lot_key == (lot_id if lot_id is not None else NO_LOT),
    )
    if lock:
        statement = statement.with_for_update()
    return int(await session.scalar(statement) or 0)
