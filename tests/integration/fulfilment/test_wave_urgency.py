"""The order of a wave's members: VIP first (the tag in any case), then the earliest ship-by
promise, then the earliest payment (the order time when unpaid). The build reads tags as stored
text and decodes only those that are not plainly empty, so VIP tags among others must still count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.fulfilment.models import Wave, WaveKind, WaveOrder
from server.fulfilment.waves import build_waves
from server.orders.models import Channel, Order, OrderLine, OrderReservation, OrderStatus
from server.orders.normalized import PlatformStatus
from server.tasks.models import Task, TaskLine
from server.warehouse.models import LocationType
from tests.factories import make_bin, make_lot, make_sku, make_warehouse

Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)

# number: (tags, ship_by in days, paid in minutes or None for unpaid, reserved units per bin)
ORDERS: dict[str, tuple[dict[str, Any], int | None, int | None, list[int]]] = {
    "P1": ({}, None, 1, [1]),  # one unit: the single-unit wave
    "P2": ({"tags": ["gift", "Vip"]}, None, 2, [2]),
    "P3": ({"tags": []}, 1, 3, [2]),
    "P4": ({"tags": []}, None, None, [2]),  # unpaid: its order time (T0 - 1 min) counts
    "P5": ({"tags": []}, None, 0, [1, 1]),  # two bins: two units, the multi wave
    "P6": ({"tags": ["vip"]}, None, 0, []),  # nothing reserved: left out
    "P7": ({"tags": ["gift"], "note": "VIP"}, None, 4, [2]),  # "VIP" outside the tags is no VIP
    "P8": ({"tags": ["VIP"]}, 2, 5, [2]),
}


async def _world(factory: Factory) -> tuple[int, dict[str, int], int]:
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        near, far = await make_bin(s, wh, code="A-01-01"), await make_bin(s, wh, code="A-09-01")
        await make_bin(s, wh, type=LocationType.staging)
        sku = await make_sku(s, lot_controlled=True)
        lot = await make_lot(s, sku)
        channel = Channel(code="TB", name="店", platform="taobao")
        s.add(channel)
        await s.flush()
        ids: dict[str, int] = {}
        for number, (tags, ship_days, paid_minutes, units) in ORDERS.items():
            order = Order(
                channel_id=channel.id,
                platform_order_no=number,
                status=OrderStatus.routed,
                platform_status=PlatformStatus.paid,
                ordered_at=T0 - timedelta(minutes=1),
                paid_at=None if paid_minutes is None else T0 + timedelta(minutes=paid_minutes),
                ship_by=None if ship_days is None else T0 + timedelta(days=ship_days),
                tags=tags,
                warehouse_id=wh.warehouse.id,
                carrier_code="YTO",
            )
            s.add(order)
            await s.flush()
            line = OrderLine(
                order_id=order.id, line_no=1, platform_line_id="1", sku_code=sku.code, sku_id=sku.id, qty=sum(units)
            )
            s.add(line)
            await s.flush()
            for bin_, qty in zip((near, far), units, strict=False):
                s.add(
                    OrderReservation(
                        order_id=order.id,
                        order_line_id=line.id,
                        warehouse_id=wh.warehouse.id,
                        location_id=bin_.id,
                        sku_id=sku.id,
                        lot_id=lot.id,
                        qty=qty,
                    )
                )
            ids[number] = order.id
        return wh.warehouse.id, ids, near.id


async def test_vip_then_promise_then_payment_and_nothing_reserved_is_left_out(session_factory: Factory) -> None:
    warehouse_id, ids, near = await _world(session_factory)

    async with session_factory() as s, s.begin():
        waves = await build_waves(s, warehouse_id, actor=None)

    numbers = {order_id: number for number, order_id in ids.items()}
    async with session_factory() as s:
        members = (
            await s.execute(
                select(WaveOrder.wave_id, WaveOrder.order_id).order_by(WaveOrder.wave_id, WaveOrder.position)
            )
        ).all()
        statuses = {n: st for n, st in (await s.execute(select(Order.platform_order_no, Order.status))).all()}
        task_lines = (
            await s.execute(
                select(Wave.kind, TaskLine.location_id, TaskLine.qty)
                .join(Task, Task.id == TaskLine.task_id)
                .join(Wave, Wave.code == Task.reference)
                .order_by(Wave.id, TaskLine.line_no)
            )
        ).all()
    single, multi = waves
    assert [(w.kind, w.order_count, w.unit_count) for w in waves] == [(WaveKind.single, 1, 1), (WaveKind.multi, 6, 12)]
    assert [numbers[o] for w, o in members if w == single.id] == ["P1"]
    assert [numbers[o] for w, o in members if w == multi.id] == ["P8", "P2", "P3", "P4", "P5", "P7"]
    assert statuses["P6"] is OrderStatus.routed
    assert {n for n, st in statuses.items() if st is OrderStatus.in_wave} == set(ORDERS) - {"P6"}
    assert [(kind, loc == near, qty) for kind, loc, qty in task_lines] == [
        (WaveKind.single, True, 1),
        (WaveKind.multi, True, 11),
        (WaveKind.multi, False, 1),
    ]
