"""Intercepting (拦截) an order already in a wave, picked or packed: a cancellation or a hold
that reaches the floor.

Its reservations go back to available, the goods already picked for it get a put-back task from
the staging bin, and it leaves its wave — so nothing is stranded in staging, and a picker still
on the wave's task picks only for the orders that remain.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.fulfilment.models import Wave, WaveOrder
from server.fulfilment.ship_stock import staging_of
from server.fulfilment.wave_picks import leave_wave
from server.orders.lifecycle import change_status
from server.orders.models import Order, OrderStatus
from server.orders.reserving import release_order

ON_THE_FLOOR = frozenset({OrderStatus.in_wave, OrderStatus.picked, OrderStatus.packed})


async def intercept(session: AsyncSession, order: Order, *, actor: int | None, reason: str, cancel: bool) -> None:
    """Pull ``order`` off the floor, then cancel it or hold it for review."""
    wave = await session.scalar(
        select(Wave).join(WaveOrder, WaveOrder.wave_id == Wave.id).where(WaveOrder.order_id == order.id)
    )
    picked: dict[int, int] = {}
    if wave is None:  # marked as on the floor but in no wave: only its reservation to give back
        released = await release_order(session, order)
    else:
        staging = await staging_of(session, order)
        why = f"intercepted order {order.platform_order_no}"
        released, picked = await leave_wave(session, wave, order, staging, why=why)
    target = OrderStatus.cancelled if cancel else OrderStatus.review
    change_status(
        session,
        order,
        target,
        actor=actor,
        reason=reason,
        kind="intercepted",
        hold_reason=reason,
        released=released,
        picked_back=picked,
    )
