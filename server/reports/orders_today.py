"""The order figures of the day: what came in by status, the backlog, shipped against due, and the
late and urgent orders.

Each figure is one grouped query on an indexed column (``orders (status, paid_at)``,
``orders (ship_by)``, ``shipments (shipped_at)``); only the few urgent orders listed are read as
rows, and their reasons come from ``server.orders.urgency`` so this list and
``GET /api/orders/urgent`` never disagree about why an order is urgent.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, and_, case, cast, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.fulfilment.shipping.models import Shipment
from server.orders.models import Channel, Order, OrderStatus
from server.orders.urgency import PROMOTION_SHIP_WITHIN, SHIP_WITHIN, UNSHIPPED, UrgencySettings, flags
from server.reports.schemas import ShippedVsDue, StatusCount, UrgentOrder, UrgentOrders
from server.reports.scope import ReportScope

S = OrderStatus
PIPELINE = list(OrderStatus)
"""Every status in the order an order goes through them (the enum's order): how counts are listed."""
SHIPPED = (S.shipped, S.delivered)
OWED = [s for s in PIPELINE if s not in (S.pending_payment, S.cancelled, S.merged)]
"""Orders that must ship (or have): a merged order ships in its host's parcel and is counted there."""
STOCK_OUT_HOLD = "no warehouse can ship"
"""The routing hold that ``urgency.flags`` reads as "paid but out of stock"."""


def _within(promotion: bool) -> timedelta:
    return PROMOTION_SHIP_WITHIN if promotion else SHIP_WITHIN


def _listed(rows: dict[str, int]) -> list[StatusCount]:
    return [StatusCount(status=s.value, count=rows[s.value]) for s in PIPELINE if rows.get(s.value)]


async def paid_today_by_status(session: AsyncSession, scope: ReportScope) -> list[StatusCount]:
    """Orders paid today, by status now. ``status IN (all)`` lets the (status, paid_at) index serve the range."""
    day = scope.day
    rows = await session.execute(
        select(Order.status, func.count())
        .where(
            Order.status.in_(PIPELINE),
            Order.paid_at >= day.start,
            Order.paid_at < day.end,
            scope.orders(Order.warehouse_id),
        )
        .group_by(Order.status)
    )
    return _listed({str(status): int(n) for status, n in rows})


async def open_by_status(session: AsyncSession, scope: ReportScope) -> list[StatusCount]:
    rows = await session.execute(
        select(Order.status, func.count())
        .where(Order.status.in_(sorted(UNSHIPPED)), scope.orders(Order.warehouse_id))
        .group_by(Order.status)
    )
    return _listed({str(status): int(n) for status, n in rows})


async def shipped_vs_due(session: AsyncSession, scope: ReportScope, *, promotion: bool) -> ShippedVsDue:
    """Due today: the ship-by date falls today, or (no ship-by) paid + 48 h falls today — two
    indexed range queries, since no one index answers "either"."""
    day, within = scope.day, _within(promotion)
    shipped_case = func.coalesce(func.sum(case((Order.status.in_(SHIPPED), 1), else_=0)), 0)
    owed = and_(Order.status.in_(OWED), scope.orders(Order.warehouse_id))
    by_deadline = (
        select(func.count(), shipped_case)
        .select_from(Order)
        .where(owed, Order.ship_by.is_(None), Order.paid_at >= day.start - within, Order.paid_at < day.end - within)
    )
    by_ship_by = (
        select(func.count(), shipped_case)
        .select_from(Order)
        .where(owed, Order.ship_by >= day.start, Order.ship_by < day.end)
    )
    due = done = 0
    for statement in (by_deadline, by_ship_by):
        total, shipped = (await session.execute(statement)).one()
        due, done = due + int(total), done + int(shipped)
    shipped_today = await session.scalar(
        select(func.count(distinct(Shipment.order_id))).where(
            Shipment.shipped_at >= day.start, Shipment.shipped_at < day.end, scope.only(Shipment.warehouse_id)
        )
    )
    return ShippedVsDue(due=due, due_shipped=done, due_open=due - done, shipped=int(shipped_today or 0))


async def late_and_urgent(session: AsyncSession, scope: ReportScope, *, promotion: bool, limit: int) -> UrgentOrders:
    """Counts in SQL with the conditions of ``urgency.flags`` (all but the carrier cut-off, which is a
    moment of the day rather than a property of an order and would flag the whole backlog); the
    reasons of the ``limit`` nearest deadlines from ``urgency.flags`` itself."""
    settings = UrgencySettings(timezone=scope.day.zone.key, promotion=promotion)
    now, day, within = scope.now, scope.day, _within(promotion)
    unshipped = and_(Order.status.in_(sorted(UNSHIPPED)), scope.orders(Order.warehouse_id))
    late = or_(and_(Order.ship_by.is_(None), Order.paid_at <= now - within), Order.ship_by < day.start)
    urgent = or_(
        Order.paid_at <= now + timedelta(minutes=settings.late_margin_minutes) - within,
        Order.ship_by < day.end,
        and_(Order.status == S.review, Order.hold_reason.like(f"%{STOCK_OUT_HOLD}%")),
        func.lower(cast(Order.tags, String)).like('%"vip"%'),
    )
    late_count = await session.scalar(select(func.count()).select_from(Order).where(unshipped, late))
    urgent_count = await session.scalar(select(func.count()).select_from(Order).where(unshipped, urgent))
    rows = await session.execute(
        select(Order, Channel.code, Channel.name)
        .join(Channel, Channel.id == Order.channel_id)
        .where(unshipped, urgent)
        .order_by(Order.paid_at.is_(None), Order.paid_at, Order.id)  # urgency.urgent's order, in SQL
        .limit(limit)
    )
    items: list[UrgentOrder] = []
    for order, channel_code, channel_name in rows:
        found = flags(order, now, settings)
        if not found:
            continue
        deadline = order.ship_by or (order.paid_at + within if order.paid_at else None)
        items.append(
            UrgentOrder(
                order_id=order.id,
                order_no=order.platform_order_no,
                channel_code=channel_code,
                channel_name=channel_name,
                status=order.status.value,
                deadline=deadline,
                late=deadline is not None and (deadline < day.start if order.ship_by else deadline <= now),
                flags=found,
            )
        )
    return UrgentOrders(late=int(late_count or 0), urgent=int(urgent_count or 0), items=items)
