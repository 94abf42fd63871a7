"""Reserving stock (锁库存) for an order, and releasing it. Reserved is part of the level row,
so it is written here in the ledger package and nowhere else."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.warehouse.ledger.errors import InsufficientStock, InvalidMove
from server.warehouse.ledger.models import NO_LOT, StockLevel


async def _locked_level(session: AsyncSession, location_id: int, sku_id: int, lot_id: int | None) -> StockLevel | None:
    return await session.scalar(
        select(StockLevel)
        .where(
            StockLevel.location_id == location_id,
            StockLevel.sku_id == sku_id,
            StockLevel.lot_key == (lot_id if lot_id is not None else NO_LOT),
        )
        .with_for_update()
    )


async def reserve(session: AsyncSession, *, location_id: int, sku_id: int, lot_id: int | None, qty: int) -> int:
    """Reserve ``qty`` if that much is unreserved; answer the level's new reserved quantity."""
    if qty <= 0:
        raise InvalidMove("qty must be a positive integer", message_zh="数量必须为正整数", field="qty")
    level = await _locked_level(session, location_id, sku_id, lot_id)
    free = 0 if level is None else level.on_hand - level.reserved
    if level is None or free < qty:
        raise InsufficientStock(
            f"only {max(free, 0)} unreserved, {qty} requested",
            message_zh="可用库存不足",
            field="qty",
            detail={
                "shortfalls": [
                    {
                        "sku_id": sku_id,
                        "lot_id": lot_id,
                        "location_id": location_id,
                        "available": free,
                        "requested": qty,
                    }
                ]
            },
        )
    level.reserved += qty
    level.updated_at = utcnow()
    return level.reserved


async def release(session: AsyncSession, *, location_id: int, sku_id: int, lot_id: int | None, qty: int) -> int:
    """Release up to ``qty`` of a reservation (an order cancelled or picked); answer what remains."""
    if qty <= 0:
        raise InvalidMove("qty must be a positive integer", message_zh="数量必须为正整数", field="qty")
    level = await _locked_level(session, location_id, sku_id, lot_id)
    if level is None or level.reserved < qty:
        raise InvalidMove(
            f"cannot release {qty}: only {0 if level is None else level.reserved} reserved",
            message_zh="释放数量超过已锁定数量",
            field="qty",
        )
    level.reserved -= qty
    level.updated_at = utcnow()
    return level.reserved
