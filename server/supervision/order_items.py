"""Paid orders held waiting for stock (the "waiting" of ``server.reports.stock_outs``).

Held orders are usually not routed yet (no warehouse could ship them), so a warehouse's queue
shows the unrouted ones too: any warehouse's stock could release them. They drop off when they
leave review — routed again, cancelled — by ``POST /api/orders/{id}/release`` or ``/cancel``
(``orders.write``; without it the item is shown for information).
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.permissions import Permission
from server.orders.models import Channel, Order
from server.reports.stock_outs import waiting_for_stock
from server.supervision import actions
from server.supervision.schemas import Item, ItemKind, Refs, Text
from server.supervision.scope import QueueScope


async def waiting_order_items(session: AsyncSession, scope: QueueScope, take: int) -> tuple[int, list[Item]]:
    if not scope.user.can(Permission.orders_read):
        return 0, []
    where = [waiting_for_stock(), or_(Order.warehouse_id.is_(None), scope.only(Order.warehouse_id))]
    total = int(await session.scalar(select(func.count()).select_from(Order).where(*where)) or 0)
    rows = await session.execute(
        select(Order, Channel.name)
        .join(Channel, Channel.id == Order.channel_id)
        .where(*where)
        .order_by(Order.updated_at, Order.id)
        .limit(take)
    )
    may_act = scope.user.can(Permission.orders_write)
    items = [
        Item(
            id=f"order:{order.id}",
            kind=ItemKind.shortage,
            title=Text(
                en=f"Order {order.platform_order_no} ({channel}) is waiting for stock",
                zh=f"订单 {order.platform_order_no}（{channel}）缺货待发",
            ),
            detail=Text(en=order.hold_reason, zh=order.hold_reason),
            at=order.updated_at,
            warehouse_id=order.warehouse_id,
            refs=Refs(order_id=order.id, order_no=order.platform_order_no),
            actions=[actions.route_again(order.id), actions.cancel_order(order.id)] if may_act else [],
        )
        for order, channel in rows
    ]
    return total, items
