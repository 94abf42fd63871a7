"""Building waves (波次): routed orders of one warehouse, grouped by carrier and cut-off, into pick tasks.

Single-unit orders (一单一件) get waves of their own: they are picked in bulk and packed by scanning
the item alone, the fastest lane in a busy warehouse. Each wave's pick tasks — one per zone — list
the bins its orders reserved, in the bins' walking sequence, so a picker walks the aisle once.
Lots were chosen at reservation (earliest expiry first for expiry-controlled SKUs), so the wave
picks exactly the lots its orders hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.fulfilment.models import Wave, WaveKind, WaveOrder, WaveTask
from server.lib.errors import DomainError
from server.orders.models import Order, OrderEvent, OrderReservation, OrderStatus, vip_tagged
from server.tasks.models import TaskKind
from server.tasks.service import LineSpec, open_task
from server.warehouse.models import Location, LocationType, Warehouse

MAX_ORDERS = 200


class NoStagingBin(DomainError):
    status = 409
    code = "no_staging_bin"


@dataclass(frozen=True, slots=True)
class _Routed:
    """What the build needs of an order: read as plain columns (10,000 ORM objects cost seconds)."""

    id: int
    platform_order_no: str
    carrier_code: str
    tags: dict[str, Any]
    ship_by: datetime | None
    paid_at: datetime | None
    ordered_at: datetime


@dataclass(frozen=True, slots=True)
class _Held:
    location_id: int
    sku_id: int
    lot_id: int | None
    qty: int


def _urgency(order: _Routed) -> tuple[bool, datetime, datetime, int]:
    """VIP first, then the earliest presale promise, then the earliest payment."""
    vip = vip_tagged(order.tags)
    never = datetime.max.replace(tzinfo=order.ordered_at.tzinfo)
    return not vip, order.ship_by or never, order.paid_at or order.ordered_at, order.id


async def build_waves(
    session: AsyncSession,
    warehouse_id: int,
    *,
    actor: int | None,
    max_orders: int = MAX_ORDERS,
    carrier_code: str | None = None,
    cut_off: datetime | None = None,
    order_ids: Sequence[int] | None = None,
) -> list[Wave]:
    """Waves of the warehouse's routed orders (or ``order_ids`` of them), most urgent first."""
    warehouse = await session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise DomainError(
            f"warehouse {warehouse_id} does not exist", message_zh="仓库不存在", code="not_found", status=404
        )
    statement = select(
        Order.id,
        Order.platform_order_no,
        Order.carrier_code,
        Order.tags,
        Order.ship_by,
        Order.paid_at,
        Order.ordered_at,
    ).where(Order.warehouse_id == warehouse_id, Order.status == OrderStatus.routed)
    if carrier_code is not None:
        statement = statement.where(Order.carrier_code == carrier_code)
    if order_ids is not None:
        statement = statement.where(Order.id.in_(sorted(order_ids)))
    rows = await session.execute(statement.with_for_update())
    orders = sorted((_Routed(*row) for row in rows), key=_urgency)
    if not orders:
        return []
    staging = await session.scalar(
        select(Location.id)
        .where(
            Location.warehouse_id == warehouse_id,
            Location.type == LocationType.staging,
            Location.active.is_(True),
        )
        .order_by(Location.walking_sequence, Location.id)
        .limit(1)
    )
    if staging is None:
        raise NoStagingBin(
            f"warehouse {warehouse.code} has no staging bin to pick into", message_zh="仓库没有集货库位，无法生成波次"
        )
    held: dict[int, list[_Held]] = defaultdict(list)
    reserved = await session.execute(
        select(
            OrderReservation.order_id,
            OrderReservation.location_id,
            OrderReservation.sku_id,
            OrderReservation.lot_id,
            OrderReservation.qty,
        )
        .where(OrderReservation.order_id.in_([o.id for o in orders]))
        .order_by(OrderReservation.id)
    )
    for order_id, location_id, sku_id, lot_id, qty in reserved:
        held[order_id].append(_Held(location_id, sku_id, lot_id, qty))
    groups: dict[tuple[str, WaveKind], list[_Routed]] = defaultdict(list)
    for order in orders:
        if not held[order.id]:
            continue  # nothing reserved (all lines refunded since routing): nothing to pick
        units = sum(r.qty for r in held[order.id])
        groups[(order.carrier_code, WaveKind.single if units == 1 else WaveKind.multi)].append(order)

    waves: list[Wave] = []
    for (carrier, kind), members in sorted(
        groups.items(), key=lambda item: (item[0][1] != WaveKind.single, item[0][0])
    ):
        for start in range(0, len(members), max_orders):
            chunk = members[start : start + max_orders]
            waves.append(await _wave(session, warehouse, carrier, kind, chunk, held, staging, cut_off, actor))
    return waves


async def _wave(
    session: AsyncSession,
    warehouse: Warehouse,
    carrier: str,
    kind: WaveKind,
    orders: list[_Routed],
    held: dict[int, list[_Held]],
    staging_id: int,
    cut_off: datetime | None,
    actor: int | None,
) -> Wave:
    wave = Wave(
        warehouse_id=warehouse.id,
        code=f"pending-{orders[0].id}",
        kind=kind,
        carrier_code=carrier,
        cut_off=cut_off,
        order_count=len(orders),
        unit_count=sum(r.qty for o in orders for r in held[o.id]),
        created_by_user_id=actor,
    )
    session.add(wave)
    await session.flush()
    wave.code = f"W{wave.id:07d}"
    picks: dict[tuple[int, int, int | None], int] = defaultdict(int)
    for order in orders:
        for r in held[order.id]:
            picks[(r.location_id, r.sku_id, r.lot_id)] += r.qty
    bins = {
        b.id: b for b in await session.scalars(select(Location).where(Location.id.in_(sorted({k[0] for k in picks}))))
    }
    by_zone: dict[int | None, list[tuple[int, int, int | None]]] = defaultdict(list)
    for key in picks:
        by_zone[bins[key[0]].zone_id].append(key)
    for zone, keys in sorted(by_zone.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        keys.sort(key=lambda k: (bins[k[0]].walking_sequence, bins[k[0]].code, k[1], k[2] or 0))
        task = await open_task(
            session,
            warehouse_id=warehouse.id,
            kind=TaskKind.pick,
            lines=[
                LineSpec(location_id=loc, sku_id=sku, lot_id=lot, qty=picks[(loc, sku, lot)]) for loc, sku, lot in keys
            ],
            reference=wave.code,
            reason=f"wave {wave.code}" + (f", zone {zone}" if zone is not None else ""),
            to_location_id=staging_id,
            priority=10 if kind is WaveKind.single else 5,
        )
        session.add(WaveTask(wave_id=wave.id, task_id=task.id))
    await _join_wave(session, wave, orders, actor)
    return wave


async def _join_wave(session: AsyncSession, wave: Wave, orders: list[_Routed], actor: int | None) -> None:
    """routed → in_wave for the whole wave in three statements. The same transition and event as
    ``change_status`` writes one order at a time — every order here was selected routed and is
    row-locked — but a 10,000-order wave build must not flush 10,000 units of work."""
    now = utcnow()
    ids = [order.id for order in orders]
    await session.execute(
        insert(WaveOrder), [{"wave_id": wave.id, "order_id": i, "position": n} for n, i in enumerate(ids, start=1)]
    )
    await session.execute(
        insert(OrderEvent),
        [
            {
                "order_id": i,
                "at": now,
                "kind": "waved",
                "from_status": OrderStatus.routed.value,
                "to_status": OrderStatus.in_wave.value,
                "actor_user_id": actor,
                "reason": f"in wave {wave.code}",
                "detail": {},
            }
            for i in ids
        ],
    )
    await session.execute(
        update(Order)
        .where(Order.id.in_(ids), Order.status == OrderStatus.routed)
        .values(status=OrderStatus.in_wave, updated_at=now)
        .execution_options(synchronize_session=False)
    )
