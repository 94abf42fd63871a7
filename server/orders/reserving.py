"""Stock for orders (锁库存): available to promise, reserving an order's lines, giving them back.

The ledger decides which bins and locks them (``reserve_in_warehouse``: oversell is impossible);
this module keeps which order line holds what, so a cancellation releases exactly that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.orders.lifecycle import change_status
from server.orders.models import Order, OrderLine, OrderReservation, OrderStatus
from server.orders.normalized import RefundState
from server.warehouse.ledger.models import StockLevel
from server.warehouse.ledger.reservations import (
    ORDER_SOURCE_TYPES,
    Allocation,
    release_allocations,
    reserve_in_warehouse,
)
from server.warehouse.models import Location


def _promisable(columns: tuple[Any, ...], sku_ids: Sequence[int] | None, warehouse_ids: Sequence[int] | None) -> Any:
    statement = (
        select(*columns, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .join(Location, Location.id == StockLevel.location_id)
        .where(
            Location.type.in_(sorted(ORDER_SOURCE_TYPES)),
            Location.active.is_(True),
            Location.frozen.is_(False),
            StockLevel.on_hand > StockLevel.reserved,
        )
        .group_by(*columns)
    )
    if sku_ids:
        statement = statement.where(StockLevel.sku_id.in_(sorted(set(sku_ids))))
    if warehouse_ids is not None:
        statement = statement.where(Location.warehouse_id.in_(sorted(set(warehouse_ids))))
    return statement


async def available_to_promise(
    session: AsyncSession, sku_ids: Sequence[int], warehouse_ids: Sequence[int] | None = None
) -> dict[tuple[int, int], int]:
    """(warehouse, SKU) → units that can still be promised: on hand less reserved in sellable bins."""
    if not sku_ids:
        return {}
    statement = _promisable((Location.warehouse_id, StockLevel.sku_id), sku_ids, warehouse_ids)
    return {(int(row[0]), int(row[1])): int(row[2] or 0) for row in await session.execute(statement)}


async def available_to_promise_by_sku(
    session: AsyncSession, sku_ids: Sequence[int], warehouse_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """SKU → units promisable across ``warehouse_ids`` (all warehouses when ``None``); every SKU
    with stock when ``sku_ids`` is empty."""
    statement = _promisable((StockLevel.sku_id,), sku_ids, warehouse_ids)
    return {int(row[0]): int(row[1] or 0) for row in await session.execute(statement)}


def live_lines(lines: Sequence[OrderLine]) -> list[OrderLine]:
    """Lines that still ship: mapped to a SKU and not refunded."""
    return [line for line in lines if line.sku_id is not None and line.refund is not RefundState.refunded]


async def reserve_order(session: AsyncSession, order: Order, lines: Sequence[OrderLine], warehouse_id: int) -> int:
    """Reserve every live line from ``warehouse_id``, all or nothing (``InsufficientStock``);
    answers the units reserved."""
    wants = wanted_units(lines)
    allocations = await reserve_in_warehouse(session, warehouse_id, wants)
    session.add_all(holdings(order, lines, warehouse_id, allocations))
    return sum(wants.values())


def wanted_units(lines: Sequence[OrderLine]) -> dict[int, int]:
    """SKU → units the order's live lines ask for."""
    wants: dict[int, int] = defaultdict(int)
    for line in live_lines(lines):
        assert line.sku_id is not None
        wants[line.sku_id] += line.qty
    return dict(wants)


def holding_rows(
    order: Order, lines: Sequence[OrderLine], warehouse_id: int, allocations: Sequence[Allocation]
) -> list[dict[str, Any]]:
    """The order's reservation rows, as values for a bulk INSERT: each live line's share of its
    SKU's allocations, in order. Routing a batch writes thousands at once, and building that many
    ORM objects costs more than inserting them."""
    rows: list[dict[str, Any]] = []
    pools: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        pools[allocation.sku_id].append(allocation)
    now = utcnow()
    for line in live_lines(lines):  # hand each line its share of its SKU's allocations, in order
        assert line.sku_id is not None
        need = line.qty
        pool = pools[line.sku_id]
        while need:
            head = pool[0]
            take = min(need, head.qty)
            rows.append(
                {
                    "order_id": order.id,
                    "order_line_id": line.id,
                    "warehouse_id": warehouse_id,
                    "location_id": head.location_id,
                    "sku_id": head.sku_id,
                    "lot_id": head.lot_id,
                    "qty": take,
                    "created_at": now,
                }
            )
            need -= take
            if take == head.qty:
                pool.pop(0)
            else:
                pool[0] = Allocation(head.location_id, head.sku_id, head.lot_id, head.qty - take)
    return rows


def holdings(
    order: Order, lines: Sequence[OrderLine], warehouse_id: int, allocations: Sequence[Allocation]
) -> list[OrderReservation]:
    """``holding_rows`` as ORM objects, for one order at a time."""
    return [OrderReservation(**row) for row in holding_rows(order, lines, warehouse_id, allocations)]


async def release_order(session: AsyncSession, order: Order, line_ids: Sequence[int] | None = None) -> int:
    """Give back what the order (or only ``line_ids`` of it) holds; answers the units released."""
    statement = select(OrderReservation).where(OrderReservation.order_id == order.id)
    if line_ids is not None:
        statement = statement.where(OrderReservation.order_line_id.in_(sorted(line_ids)))
    held = list(await session.scalars(statement))
    if not held:
        return 0
    released = await release_allocations(session, [Allocation(r.location_id, r.sku_id, r.lot_id, r.qty) for r in held])
    await session.execute(delete(OrderReservation).where(OrderReservation.id.in_([r.id for r in held])))
    return released


async def cancel_order(session: AsyncSession, order: Order, *, actor: int | None, reason: str) -> None:
    """Cancelled (on the platform or by a person): its reservations go back to available at once."""
    released = await release_order(session, order)
    change_status(session, order, OrderStatus.cancelled, actor=actor, reason=reason, released_units=released)
