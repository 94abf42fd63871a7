"""The goods leave with the parcel: an order's units move from the staging bin its wave picked
into to the warehouse's @CUSTOMER location, through the ledger, when the order ships.

Picked goods wait in staging (they are still stock, and still counted, until the carrier takes
them); the shipment is the moment they stop being ours. Lots come out earliest-expiry first, as
they went in. Goods that are not in staging refuse the shipment with a clear reason rather than
taking the bin negative: a parcel that was never picked must not leave on paper.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot
from server.fulfilment.models import WaveOrder, WaveTask
from server.lib.errors import DomainError
from server.orders.models import Order, OrderLine
from server.orders.reserving import wanted_units
from server.tasks.models import Task
from server.warehouse.ledger.models import MoveReason, StockLevel
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import LocationType
from server.warehouse.virtual_locations import virtual_location


class NotInStaging(DomainError):
    status = 409
    code = "goods_not_in_staging"


async def staging_of(session: AsyncSession, order: Order) -> int | None:
    """The bin the order's wave picked into (its pick tasks' destination)."""
    found: int | None = await session.scalar(
        select(Task.to_location_id)
        .join(WaveTask, WaveTask.task_id == Task.id)
        .join(WaveOrder, WaveOrder.wave_id == WaveTask.wave_id)
        .where(WaveOrder.order_id == order.id)
        .limit(1)
    )
    return found


async def ship_goods(session: AsyncSession, order: Order, *, reference: str, actor: int | None) -> int:
    """Post the order's units out of staging to the customer; answers the units shipped."""
    lines = list(await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)))
    wants = wanted_units(lines)
    if not wants:
        return 0
    staging = await staging_of(session, order)
    if staging is None or order.warehouse_id is None:
        raise NotInStaging(
            f"order {order.platform_order_no} was not picked in a wave: nothing waits in staging to ship",
            message_zh="订单未经波次拣货，集货区没有待发货的商品",
        )
    customer = (await virtual_location(session, order.warehouse_id, LocationType.customer)).id
    rows = (
        await session.execute(
            select(StockLevel, Lot.expires_on)
            .outerjoin(Lot, Lot.id == StockLevel.lot_id)
            .where(StockLevel.location_id == staging, StockLevel.sku_id.in_(sorted(wants)), StockLevel.on_hand > 0)
            .order_by(StockLevel.sku_id, Lot.expires_on.is_(None), Lot.expires_on, StockLevel.lot_key)
        )
    ).all()
    requests: list[MoveRequest] = []
    for sku_id, qty in sorted(wants.items()):
        left = qty
        for level, _ in (r for r in rows if r[0].sku_id == sku_id):
            take = min(left, level.on_hand)
            if take > 0:
                requests.append(
                    MoveRequest(
                        sku_id=sku_id,
                        lot_id=level.lot_id,
                        from_location_id=staging,
                        to_location_id=customer,
                        qty=take,
                        reason=MoveReason.shipment,
                        reference=reference,
                        actor_user_id=actor,
                        idempotency_key=f"ship:{order.id}:{sku_id}:{level.lot_key}",
                    )
                )
                left -= take
            if left == 0:
                break
        if left:
            raise NotInStaging(
                f"order {order.platform_order_no}: {left} of SKU {sku_id} are not in staging",
                message_zh="集货区商品不足，不能发货",
                detail={"sku_id": sku_id, "missing": left, "staging_location_id": staging},
            )
    await post_moves(session, requests)
    return sum(wants.values())
