"""Reading the ledger: moves, levels and stock states, always within the caller's warehouses.

A filter naming a warehouse or location outside the caller's scope is refused (403) rather than
answered with an empty page, so a mistyped id and a forbidden one do not look alike to a supervisor
but nothing of another warehouse is ever shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.auth.identity import AuthUser
from server.catalog.models import Sku
from server.lib.errors import NotFound
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.schemas import StockLevelOut
from server.warehouse.ledger.stock_states import stock_state_query
from server.warehouse.models import PHYSICAL_TYPES, Location, LocationType

AnySelect = Select[*tuple[Any, ...]]
"""A select of several columns (SQLAlchemy 2.1 types each one)."""
_UNSELLABLE = (LocationType.quarantine, LocationType.returns)


async def require_location(session: AsyncSession, user: AuthUser, location_id: int) -> int:
    """The location's warehouse id, after checking it exists (404) and is in scope (403)."""
    warehouse_id = await session.scalar(select(Location.warehouse_id).where(Location.id == location_id))
    if warehouse_id is None:
        raise NotFound(
            f"location {location_id} not found", message_zh="库位不存在", field="location_id", code="location_not_found"
        )
    user.require_warehouse(warehouse_id)
    return warehouse_id


async def moves_query(
    session: AsyncSession,
    user: AuthUser,
    *,
    sku_id: int | None = None,
    lot_id: int | None = None,
    location_id: int | None = None,
    warehouse_id: int | None = None,
    reason: MoveReason | None = None,
    reference: str | None = None,
    occurred_after: datetime | None = None,
    occurred_before: datetime | None = None,
) -> Select[StockMove]:
    """Moves touching the caller's warehouses (either side), newest first."""
    source, target = aliased(Location), aliased(Location)
    statement = (
        select(StockMove)
        .join(source, source.id == StockMove.from_location_id)
        .join(target, target.id == StockMove.to_location_id)
        .order_by(StockMove.occurred_at.desc(), StockMove.id.desc())
    )
    scope = user.visible_warehouses()
    if scope is not None:
        statement = statement.where(or_(source.warehouse_id.in_(scope), target.warehouse_id.in_(scope)))
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
        statement = statement.where(or_(source.warehouse_id == warehouse_id, target.warehouse_id == warehouse_id))
    if location_id is not None:
        await require_location(session, user, location_id)
        statement = statement.where(
            or_(StockMove.from_location_id == location_id, StockMove.to_location_id == location_id)
        )
    if sku_id is not None:
        statement = statement.where(StockMove.sku_id == sku_id)
    if lot_id is not None:
        statement = statement.where(StockMove.lot_id == lot_id)
    if reason is not None:
        statement = statement.where(StockMove.reason == reason)
    if reference:
        statement = statement.where(StockMove.reference == reference)
    if occurred_after is not None:
        statement = statement.where(StockMove.occurred_at >= occurred_after)
    if occurred_before is not None:
        statement = statement.where(StockMove.occurred_at < occurred_before)
    return statement


async def levels_query(
    session: AsyncSession,
    user: AuthUser,
    *,
    warehouse_id: int | None = None,
    location_id: int | None = None,
    sku_id: int | None = None,
    lot_id: int | None = None,
    nonzero: bool = True,
) -> AnySelect:
    """Levels per (location, SKU, lot) in walking order; rows for ``level_out``."""
    sellable = and_(
        Location.type.in_(list(PHYSICAL_TYPES)), Location.type.not_in(list(_UNSELLABLE)), not_(Location.frozen)
    )
    statement = (
        select(StockLevel, Location.code, Location.warehouse_id, Sku.code, sellable)
        .join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .order_by(Location.warehouse_id, Location.walking_sequence, Location.code, Sku.code, StockLevel.lot_key)
    )
    scope = user.visible_warehouses()
    if scope is not None:
        statement = statement.where(Location.warehouse_id.in_(scope))
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
        statement = statement.where(Location.warehouse_id == warehouse_id)
    if location_id is not None:
        await require_location(session, user, location_id)
        statement = statement.where(StockLevel.location_id == location_id)
    if sku_id is not None:
        statement = statement.where(StockLevel.sku_id == sku_id)
    if lot_id is not None:
        statement = statement.where(StockLevel.lot_id == lot_id)
    if nonzero:
        statement = statement.where(or_(StockLevel.on_hand != 0, StockLevel.reserved != 0))
    return statement


def level_out(row: Any) -> StockLevelOut:
    level, location_code, warehouse_id, sku_code, sellable = row
    return StockLevelOut(
        location_id=level.location_id,
        location_code=location_code,
        warehouse_id=warehouse_id,
        sku_id=level.sku_id,
        sku_code=sku_code,
        lot_id=level.lot_id,
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=max(0, level.on_hand - level.reserved) if sellable else 0,
    )


def states_query(user: AuthUser, *, sku_id: int | None = None, warehouse_id: int | None = None) -> AnySelect:
    """The six stock states per SKU and warehouse (see ``ledger.stock_states``), in scope."""
    statement: AnySelect = stock_state_query()
    scope = user.visible_warehouses()
    if scope is not None:
        statement = statement.where(Location.warehouse_id.in_(scope))
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
        statement = statement.where(Location.warehouse_id == warehouse_id)
    if sku_id is not None:
        statement = statement.where(StockLevel.sku_id == sku_id)
    return statement
