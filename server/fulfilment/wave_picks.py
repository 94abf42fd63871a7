"""What a pick does to the orders of its wave: it consumes their reservations, and when the wave's
last line is picked (or reported short) its orders move on.

A wave picks in bulk — five of SKU X from bin A for three orders — so a pick is shared out over
the wave's orders in their wave position (most urgent first), and the ledger's ``reserved`` at the
bin goes down with the goods that left it: reserved never exceeds on hand. When a pick runs short,
what the bin lacked is first re-routed to other bins (``reroute``: a follow-up pick task of the
wave); the orders at the back of the wave are the ones left wanting of what no bin has. They give
back what they still hold and are held for review (to be routed again, or cancelled).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.fulfilment.models import Wave, WaveOrder, WaveStatus, WaveTask
from server.orders.lifecycle import change_status
from server.orders.models import Order, OrderLine, OrderReservation, OrderStatus
from server.orders.reserving import release_order, wanted_units
from server.tasks.models import LineStatus, Task, TaskKind, TaskLine
from server.tasks.service import LineSpec, open_task
from server.warehouse.ledger.reservations import Allocation, release_allocations

SETTLED_LINES = (LineStatus.done, LineStatus.short, LineStatus.cancelled)


async def wave_of_task(session: AsyncSession, task_id: int) -> int | None:
    found: int | None = await session.scalar(select(WaveTask.wave_id).where(WaveTask.task_id == task_id))
    return found


async def consume_for_pick(
    session: AsyncSession, wave_id: int, location_id: int, sku_id: int, lot_id: int | None, qty: int
) -> int:
    """Share ``qty`` picked from one level out over the wave's reservations there, most urgent
    order first; answers the units consumed (less than ``qty`` for an over-pick)."""
    lot = OrderReservation.lot_id.is_(None) if lot_id is None else OrderReservation.lot_id == lot_id
    rows = await session.scalars(
        select(OrderReservation)
        .join(WaveOrder, WaveOrder.order_id == OrderReservation.order_id)
        .where(
            WaveOrder.wave_id == wave_id,
            OrderReservation.location_id == location_id,
            OrderReservation.sku_id == sku_id,
            lot,
        )
        .order_by(WaveOrder.position, OrderReservation.id)
        .with_for_update(of=OrderReservation)
    )
    left = qty
    for row in rows:
        if left == 0:
            break
        take = min(left, row.qty)
        row.qty -= take
        left -= take
        if row.qty == 0:
            await session.delete(row)
    consumed = qty - left
    if consumed:
        await release_allocations(session, [Allocation(location_id, sku_id, lot_id, consumed)])
    return consumed


async def settle_wave(session: AsyncSession, wave_id: int, *, actor: int | None) -> bool:
    """Once every line of the wave's tasks is settled, move its orders on; answers whether it did."""
    wave = await session.get(Wave, wave_id, with_for_update=True)
    if wave is None or wave.status is not WaveStatus.picking:
        return False
    open_lines = await session.scalar(
        select(TaskLine.id)
        .join(WaveTask, WaveTask.task_id == TaskLine.task_id)
        .where(WaveTask.wave_id == wave_id, TaskLine.status.not_in(SETTLED_LINES))
        .limit(1)
    )
    if open_lines is not None:
        return False
    wanting = set(
        await session.scalars(
            select(OrderReservation.order_id)
            .join(WaveOrder, WaveOrder.order_id == OrderReservation.order_id)
            .where(WaveOrder.wave_id == wave_id)
        )
    )
    orders = await session.scalars(
        select(Order)
        .join(WaveOrder, WaveOrder.order_id == Order.id)
        .where(WaveOrder.wave_id == wave_id, Order.status == OrderStatus.in_wave)
        .order_by(WaveOrder.position)
    )
    staging = await session.scalar(
        select(Task.to_location_id).join(WaveTask, WaveTask.task_id == Task.id).where(WaveTask.wave_id == wave_id)
    )
    for order in list(orders):
        if order.id not in wanting:
            change_status(session, order, OrderStatus.picked, actor=actor, reason=f"picked in wave {wave.code}")
            continue
        await _short(session, wave, order, staging, actor)
    wave.status = WaveStatus.picked
    return True


async def _short(session: AsyncSession, wave: Wave, order: Order, staging: int | None, actor: int | None) -> None:
    """The order did not get everything: a person decides (route it again or cancel it)."""
    released, picked = await leave_wave(
        session, wave, order, staging, why=f"short-picked order {order.platform_order_no}"
    )
    reason = f"short pick in wave {wave.code}: route it again or cancel it"
    change_status(
        session,
        order,
        OrderStatus.review,
        actor=actor,
        reason=reason,
        kind="held",
        hold_reason=reason,
        released=released,
        picked_back=picked,
    )


async def leave_wave(
    session: AsyncSession, wave: Wave, order: Order, staging: int | None, *, why: str
) -> tuple[int, dict[int, int]]:
    """Take ``order`` out of ``wave``: what it still holds goes back to available, what was already
    picked for it goes back to the shelf (a put-back task from staging). Answers (units released,
    SKU → units to put back)."""
    still: dict[int, int] = defaultdict(int)
    for row in await session.scalars(select(OrderReservation).where(OrderReservation.order_id == order.id)):
        still[row.sku_id] += row.qty
    wanted = wanted_units(list(await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))))
    picked = {sku: qty - still.get(sku, 0) for sku, qty in wanted.items() if qty - still.get(sku, 0) > 0}
    released = await release_order(session, order)
    if picked and staging is not None:
        await open_task(
            session,
            warehouse_id=wave.warehouse_id,
            kind=TaskKind.put_back,
            lines=[LineSpec(location_id=staging, sku_id=sku, qty=qty) for sku, qty in sorted(picked.items())],
            reference=order.platform_order_no,
            reason=f"{why} left wave {wave.code}",
            priority=5,
        )
    await session.execute(delete(WaveOrder).where(WaveOrder.order_id == order.id))
    return released, picked
