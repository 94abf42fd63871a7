"""Orders, stock and saved push rules for the rules tests, and reading back what was queued."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.notify.models import PushNotification
from server.notify.rule_models import ALL_WAREHOUSES, PushRule
from server.orders.models import Channel, Order, OrderStatus
from server.orders.normalized import PlatformStatus
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.integration.notify.helpers import T0, Factory

_seq = itertools.count(1)


async def make_channel(session: AsyncSession) -> Channel:
    channel = Channel(code=f"TB{next(_seq)}", name="天猫店", platform="taobao")
    session.add(channel)
    await session.flush()
    return channel


async def make_order(
    session: AsyncSession,
    channel: Channel,
    warehouse_id: int | None,
    *,
    status: OrderStatus = OrderStatus.routed,
    vip: bool = False,
    paid_hours_ago: float = 1,
    hold_reason: str = "",
    at: datetime = T0,
) -> Order:
    paid = at - timedelta(hours=paid_hours_ago)
    order = Order(
        channel_id=channel.id,
        platform_order_no=f"TB-{next(_seq)}",
        status=status,
        platform_status=PlatformStatus.paid,
        ordered_at=paid,
        paid_at=paid,
        tags={"tags": ["VIP"] if vip else []},
        hold_reason=hold_reason,
        warehouse_id=warehouse_id,
    )
    session.add(order)
    await session.flush()
    return order


async def receive(
    session: AsyncSession,
    sku_id: int,
    source: int,
    target: int,
    qty: int,
    *,
    lot_id: int | None = None,
    reason: MoveReason = MoveReason.receipt,
    at: datetime = T0 - timedelta(days=30),
) -> None:
    await post_moves(
        session,
        [
            MoveRequest(
                sku_id=sku_id,
                lot_id=lot_id,
                from_location_id=source,
                to_location_id=target,
                qty=qty,
                reason=reason,
                idempotency_key=f"move-{next(_seq)}",
                occurred_at=at,
            )
        ],
    )


async def save_rule(factory: Factory, kind: str, warehouse_id: int | None = None, **fields: Any) -> None:
    """A saved rule row, as the API would write it (the API has its own tests)."""
    values: dict[str, Any] = {"enabled": True, "roles": ["supervisor", "manager"], "params": {}, **fields}
    async with factory() as s, s.begin():
        s.add(
            PushRule(
                kind=kind,
                warehouse_id=warehouse_id,
                warehouse_key=warehouse_id if warehouse_id is not None else ALL_WAREHOUSES,
                **values,
            )
        )


async def queued(factory: Factory, kind: str | None = None) -> list[PushNotification]:
    async with factory() as s:
        statement = select(PushNotification).order_by(PushNotification.id)
        if kind is not None:
            statement = statement.where(PushNotification.kind == kind)
        return list(await s.scalars(statement))
