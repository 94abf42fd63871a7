"""Urgent orders (``server.orders.urgency``) as push notifications: the thin bridge, no rules of its own.

Whoever checks urgency (a periodic check, an import) passes the flagged orders here inside its own
transaction. Each order becomes one ``urgent_order`` notification to the supervisors and managers of
its warehouse; the dedupe key (order, local day, set of flags) means checking again every minute
queues nothing new until a new reason appears — and the burst rules turn a flood of them into one
"N urgent orders" push per phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.notify.models import PushNotification, Urgency
from server.notify.outbox import BODY_MAX, Audience, queue_notification
from server.orders.models import Order
from server.orders.urgency import Flag

KIND = "urgent_order"
ROLES = ("supervisor", "manager")
TTL = 3600
"""An urgent order an hour later is either shipped or on the supervisor's list anyway."""


async def notify_urgent_orders(
    session: AsyncSession,
    flagged: Sequence[tuple[Order, list[Flag]]],
    *,
    roles: Sequence[str] = ROLES,
    now: datetime | None = None,
) -> list[PushNotification]:
    """Queue one notification per flagged order (what ``urgency.urgent`` answers)."""
    now = now or utcnow()
    queued: list[PushNotification] = []
    for order, found in flagged:
        if not found:
            continue
        kinds = "+".join(sorted({f.kind for f in found}))
        queued.append(
            await queue_notification(
                session,
                kind=KIND,
                audience=Audience(roles=tuple(roles), warehouse_id=order.warehouse_id),
                title_en=f"Urgent order {order.platform_order_no}",
                title_zh=f"加急订单 {order.platform_order_no}",
                body_en="; ".join(f.reason for f in found)[:BODY_MAX],
                body_zh="；".join(f.reason_zh for f in found)[:BODY_MAX],
                url=f"/orders/{order.id}",
                urgency=Urgency.high,
                ttl=TTL,
                dedupe_key=f"{KIND}:{order.id}:{now:%Y%m%d}:{kinds}",
                now=now,
            )
        )
    return queued
