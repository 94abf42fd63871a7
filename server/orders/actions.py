"""What a person does to an order (客服 / 审单员): hold it, release it, cancel it — each an event.

Releasing a held order sends it back to ``paid`` so the next processing run reviews and routes it
again (after a short pick, a fixed SKU code, a read buyer message). Cancelling gives its reserved
stock back at once; an order already on the floor is intercepted (拦截) first, so its picked goods
go back to the shelf instead of waiting in staging for a parcel that will never leave.

Merged orders (合单): holding or cancelling a merged order takes it out of its host first (the host
intercepted if it is on the floor); cancelling a host gives its merged orders back to themselves —
their buyers still want them — before the host is cancelled.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.fulfilment.intercept import ON_THE_FLOOR, intercept
from server.lib.errors import NotFound
from server.orders import merging
from server.orders.lifecycle import TransitionRefused, change_status
from server.orders.models import Order, OrderStatus
from server.orders.reserving import cancel_order, release_order

S = OrderStatus
CANCELLABLE = frozenset({S.pending_payment, S.paid, S.review, S.routed})


async def _order(session: AsyncSession, order_id: int) -> Order:
    order = await session.get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", message_zh="订单不存在")
    return order


async def hold(session: AsyncSession, order_id: int, *, actor: int, reason: str) -> Order:
    """Hold an order for a person: a routed one keeps its reserved stock meanwhile; one already on
    the floor (in a wave, picked, packed) is intercepted (拦截) — its picked goods go back."""
    order = await _order(session, order_id)
    if order.status is S.merged:
        await merging.detach(session, order, actor=actor, why=f"held by a person: {reason}")
    if order.status in ON_THE_FLOOR:
        await intercept(session, order, actor=actor, reason=reason, cancel=False)
        return order
    change_status(session, order, S.review, actor=actor, reason=reason, kind="held", hold_reason=reason)
    return order


async def release(session: AsyncSession, order_id: int, *, actor: int, reason: str) -> Order:
    """Back to ``paid``: reviewed and routed again by the next run, from fresh stock figures."""
    order = await _order(session, order_id)
    if order.status is not S.review:
        raise TransitionRefused(
            f"order {order.platform_order_no} is {order.status.value}, not held",
            message_zh="订单未被拦截，无需放行",
            detail={"order_id": order.id, "status": order.status.value},
        )
    released = await release_order(session, order)
    order.warehouse_id = None
    change_status(
        session, order, S.paid, actor=actor, reason=reason or "released by a person", kind="released", released=released
    )
    return order


async def cancel(session: AsyncSession, order_id: int, *, actor: int, reason: str) -> Order:
    """Cancel before it ships: reservations go back at once; an order on the floor is intercepted
    first (its picked goods get a put-back task). A shipped order is a return, not a cancellation."""
    order = await _order(session, order_id)
    reason = reason or "cancelled by a person"
    if order.status is S.merged:
        await merging.detach(session, order, actor=actor, why=f"cancelled by a person: {reason}")
    elif order.own_values:
        await merging.detach_members(session, order, actor=actor, why=f"cancelled by a person: {reason}")
    if order.status in ON_THE_FLOOR:
        await intercept(session, order, actor=actor, reason=reason, cancel=True)
        return order
    if order.status not in CANCELLABLE:
        raise TransitionRefused(
            f"order {order.platform_order_no} is {order.status.value}: it can no longer be cancelled",
            message_zh="订单已发货或已结束，不能取消",
            detail={"order_id": order.id, "status": order.status.value},
        )
    await cancel_order(session, order, actor=actor, reason=reason)
    return order
