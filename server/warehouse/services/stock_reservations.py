"""Reserving (锁库存) and releasing stock at a bin through the API.

The ledger's ``reserve`` only checks the numbers; here we also refuse to promise stock that cannot
be sold — goods in quarantine or returns bins, in a frozen bin, or at a virtual location — so a
reservation never points at stock the stock states do not count as available.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.lib.errors import NotFound, ValidationFailed
from server.warehouse.ledger.errors import LocationFrozen
from server.warehouse.ledger.models import NO_LOT, StockLevel
from server.warehouse.ledger.reservations import release, reserve
from server.warehouse.ledger.schemas import ReservationInput, ReservationOut
from server.warehouse.models import PHYSICAL_TYPES, Location, LocationType

UNSELLABLE_TYPES = frozenset({LocationType.quarantine, LocationType.returns})


async def _location(session: AsyncSession, user: AuthUser, location_id: int) -> Location:
    location = await session.get(Location, location_id)
    if location is None:
        raise NotFound(
            f"location {location_id} not found", message_zh="库位不存在", field="location_id", code="location_not_found"
        )
    user.require_warehouse(location.warehouse_id)
    return location


async def reserve_stock(session: AsyncSession, user: AuthUser, data: ReservationInput) -> ReservationOut:
    """Reserve ``qty`` of sellable stock; 409 ``insufficient_stock`` beyond what is unreserved."""
    location = await _location(session, user, data.location_id)
    if location.type not in PHYSICAL_TYPES or location.type in UNSELLABLE_TYPES:
        raise ValidationFailed(
            f"stock at a {location.type} location cannot be reserved for orders",
            message_zh="该库位的库存不可销售，不能锁定",
            field="location_id",
            code="location_not_sellable",
        )
    if location.frozen:
        raise LocationFrozen(f"location {location.id} is frozen", message_zh="库位已冻结", field="location_id")
    await reserve(session, location_id=location.id, sku_id=data.sku_id, lot_id=data.lot_id, qty=data.qty)
    return await _answer(session, data)


async def release_stock(session: AsyncSession, user: AuthUser, data: ReservationInput) -> ReservationOut:
    """Release a reservation (order cancelled or picked); allowed anywhere, releasing is always safe."""
    location = await _location(session, user, data.location_id)
    await release(session, location_id=location.id, sku_id=data.sku_id, lot_id=data.lot_id, qty=data.qty)
    return await _answer(session, data)


async def _answer(session: AsyncSession, data: ReservationInput) -> ReservationOut:
    await session.flush()
    row = (
        await session.execute(
            select(StockLevel.on_hand, StockLevel.reserved).where(
                StockLevel.location_id == data.location_id,
                StockLevel.sku_id == data.sku_id,
                StockLevel.lot_key == (data.lot_id if data.lot_id is not None else NO_LOT),
            )
        )
    ).one()
    on_hand, reserved = int(row[0]), int(row[1])
    return ReservationOut(
        location_id=data.location_id,
        sku_id=data.sku_id,
        lot_id=data.lot_id,
        on_hand=on_hand,
        reserved=reserved,
        available=max(0, on_hand - reserved),
    )
