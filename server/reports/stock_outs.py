"""Stock-outs: SKUs that paid orders wait for and that have nothing left to promise.

"Waiting" is what the order pool records: a paid order held in review because routing found no
warehouse with the stock (``no warehouse can ship`` — also the awaiting-stock part of a split),
because a short pick took its goods (``short pick in wave``), or because its stock was taken while
it was being routed. "Nothing to promise" is routing's own measure (``available_to_promise``:
on hand less reserved in active, unfrozen sellable bins) in the report's warehouses; held orders
are not routed yet, so they count against every warehouse of the report.

``sold_out_skus`` is the wider count of active SKUs that have a stock level in a sellable bin of
these warehouses (so: have had stock there) and nothing left to promise, waiting orders or not.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.orders.models import Order, OrderLine, OrderStatus
from server.orders.normalized import RefundState
from server.orders.reserving import available_to_promise_by_sku
from server.reports.schemas import StockOut, StockOuts
from server.reports.scope import ReportScope
from server.warehouse.ledger.models import StockLevel
from server.warehouse.ledger.reservations import ORDER_SOURCE_TYPES
from server.warehouse.models import Location

WAITING_FOR_STOCK = ("no warehouse can ship", "short pick in wave", "stock at the chosen warehouse was taken")
"""Hold reasons (server.orders.processing, server.orders.rules.routing, server.fulfilment.wave_picks)
that mean "waiting for stock" rather than "waiting for a person's judgement"."""


def waiting_for_stock() -> ColumnElement[bool]:
    """The filter on orders held for stock (``status = review`` comes first: it is indexed)."""
    return and_(Order.status == OrderStatus.review, or_(*(Order.hold_reason.like(f"%{m}%") for m in WAITING_FOR_STOCK)))


async def stock_outs(session: AsyncSession, scope: ReportScope, *, limit: int) -> StockOuts:
    waiting = await session.execute(
        select(OrderLine.sku_id, func.count(distinct(Order.id)), func.sum(OrderLine.qty))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            waiting_for_stock(),
            OrderLine.sku_id.is_not(None),
            OrderLine.refund != RefundState.refunded,
        )
        .group_by(OrderLine.sku_id)
    )
    wanted = {sku: (int(orders), int(units or 0)) for sku, orders, units in waiting if sku is not None}
    available = await available_to_promise_by_sku(session, sorted(wanted), scope.ids) if wanted else {}
    out = {sku: counts for sku, counts in wanted.items() if available.get(sku, 0) <= 0}
    ranked = sorted(out, key=lambda sku: (-out[sku][1], -out[sku][0], sku))[:limit]
    skus = {s.id: s for s in await session.scalars(select(Sku).where(Sku.id.in_(ranked)))} if ranked else {}
    items = [
        StockOut(
            sku_id=sku,
            sku_code=skus[sku].code,
            name_zh=skus[sku].name_zh,
            name_en=skus[sku].name_en,
            available=available.get(sku, 0),
            waiting_orders=out[sku][0],
            waiting_units=out[sku][1],
        )
        for sku in ranked
        if sku in skus
    ]
    return StockOuts(skus=len(out), sold_out_skus=await _sold_out(session, scope), items=items)


async def _sold_out(session: AsyncSession, scope: ReportScope) -> int:
    sellable = and_(Location.active.is_(True), Location.frozen.is_(False), StockLevel.on_hand > StockLevel.reserved)
    promisable = func.sum(case((sellable, StockLevel.on_hand - StockLevel.reserved), else_=0))
    per_sku = (
        select(StockLevel.sku_id)
        .join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .where(Location.type.in_(sorted(ORDER_SOURCE_TYPES)), Sku.active.is_(True), scope.only(Location.warehouse_id))
        .group_by(StockLevel.sku_id)
        .having(promisable <= 0)
    )
    return int(await session.scalar(select(func.count()).select_from(per_sku.subquery())) or 0)
