"""Building waves (波次): routed orders of one warehouse, grouped by carrier and cut-off, into pick tasks.

Single-unit orders (一单一件) get waves of their own: they are picked in bulk and packed by scanning
the item alone, the fastest lane in a busy warehouse. Each wave's pick tasks — one per zone — list
the bins its orders reserved, in the bins' walking sequence, so a picker walks the aisle once.
Lots were chosen at reservation (earliest expiry first for expiry-controlled SKUs), so the wave
picks exactly the lots its orders hold.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Final

from sqlalchemy import Text, cast, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.bulk import id_in, insert_rows
from server.db.ids import allocate_ids
from server.db.types import BigIntPK, JsonDoc, UTCDateTime, utcnow
from server.fulfilment.models import Wave, WaveKind, WaveOrder, WaveStatus, WaveTask
from server.lib.errors import DomainError
from server.orders.models import Order, OrderEvent, OrderReservation, OrderStatus, vip_tagged
from server.tasks.models import TaskKind
from server.tasks.service import TaskSpec, open_tasks
from server.warehouse.models import Location, LocationType, Warehouse

MAX_ORDERS = 200


class NoStagingBin(DomainError):
    status = 409
    code = "no_staging_bin"


Routed = tuple[bool, datetime, datetime, int, str]
"""An order as the build needs it: (not VIP, ship-by promise, payment, id, carrier). Sorted as it
stands it is the urgency order — VIP first, then the earliest presale promise, then the earliest
payment (the order time if unpaid), then the id. Plain tuples, not objects: the garbage collector
stops tracking a tuple of plain values, and every object it does track among a build's tens of
thousands made each of its full collections (a large process holds 100,000s of objects) dearer."""
_ID: Final = 3
_CARRIER: Final = 4

Held = tuple[int, int, int | None, int]
"""(bin, SKU, lot, qty) of one reservation. Plain tuples again, for the same reason."""

_PLAIN_TAGS = frozenset({"{}", '{"tags": []}'})
"""The stored text of most orders' tags: no VIP there, nothing to decode."""


def _routed(
    order_id: int, carrier: str, tags: str, ship_by: datetime | None, paid_at: datetime | None, ordered: datetime
) -> Routed:
    vip = tags not in _PLAIN_TAGS and vip_tagged(json.loads(tags))
    never = datetime.max.replace(tzinfo=ordered.tzinfo)
    return (not vip, ship_by or never, paid_at or ordered, order_id, carrier)


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
        Order.carrier_code,
        cast(Order.tags, Text),  # read as text: most are empty and need no JSON decoding
        Order.ship_by,
        Order.paid_at,
        Order.ordered_at,
    ).where(Order.warehouse_id == warehouse_id, Order.status == OrderStatus.routed)
    if carrier_code is not None:
        statement = statement.where(Order.carrier_code == carrier_code)
    if order_ids is not None:
        statement = statement.where(id_in(session, Order.id, order_ids))
    rows = await session.execute(statement.with_for_update())
    orders = sorted(_routed(*row) for row in rows)
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
    reserved = await _reserved(session, [o[_ID] for o in orders])
    groups: dict[tuple[str, WaveKind], list[Routed]] = defaultdict(list)
    for order in orders:
        held = reserved.get(order[_ID])
        if held is None:
            continue  # nothing reserved (all lines refunded since routing): nothing to pick
        units = sum(r[3] for r in held)
        groups[(order[_CARRIER], WaveKind.single if units == 1 else WaveKind.multi)].append(order)

    plans: list[_Plan] = []
    for (carrier, kind), members in sorted(
        groups.items(), key=lambda item: (item[0][1] != WaveKind.single, item[0][0])
    ):
        for begin in range(0, len(members), max_orders):
            plans.append(_Plan(carrier, kind, members[begin : begin + max_orders]))
    return await _write_waves(session, warehouse.id, plans, reserved, staging, cut_off, actor)


async def _reserved(session: AsyncSession, order_ids: list[int]) -> dict[int, tuple[Held, ...]]:
    """Each order's reservations, in the order they were made; orders holding none are absent."""
    rows = await session.execute(
        select(
            OrderReservation.order_id,
            OrderReservation.location_id,
            OrderReservation.sku_id,
            OrderReservation.lot_id,
            OrderReservation.qty,
        )
        .where(id_in(session, OrderReservation.order_id, order_ids))
        .order_by(OrderReservation.order_id, OrderReservation.id)
    )
    reserved: dict[int, tuple[Held, ...]] = {}
    for order_id, group in groupby(rows, key=itemgetter(0)):
        reserved[order_id] = tuple((r[1], r[2], r[3], r[4]) for r in group)
    return reserved


@dataclass(frozen=True, slots=True)
class _Plan:
    carrier: str
    kind: WaveKind
    orders: list[Routed]


@dataclass(frozen=True, slots=True)
class _Bin:
    zone_id: int | None
    walking_sequence: int
    code: str


PickKey = tuple[int, int, int | None]
"""(bin, SKU, lot): one pick line."""


async def _write_waves(
    session: AsyncSession,
    warehouse_id: int,
    plans: list[_Plan],
    reserved: dict[int, tuple[Held, ...]],
    staging_id: int,
    cut_off: datetime | None,
    actor: int | None,
) -> list[Wave]:
    """Every wave of the build in a fixed number of bulk statements, however many orders it holds.

    A 10,000-order build is 50 waves, 200 pick tasks and thousands of task lines: written wave by
    wave through the ORM that cost seconds of flushing, so waves, tasks, lines, memberships and
    events each go in as one statement (``server.db.bulk``).
    """
    now = utcnow()
    wave_ids = await allocate_ids(session, Wave, len(plans))
    codes = [f"W{wave_id:07d}" for wave_id in wave_ids]
    await insert_rows(
        session,
        Wave,
        [
            {
                "id": wave_id,
                "warehouse_id": warehouse_id,
                "code": code,
                "kind": plan.kind,
                "status": WaveStatus.picking,
                "carrier_code": plan.carrier,
                "cut_off": cut_off,
                "order_count": len(plan.orders),
                "unit_count": sum(r[3] for o in plan.orders for r in reserved[o[_ID]]),
                "created_by_user_id": actor,
                "created_at": now,
            }
            for wave_id, code, plan in zip(wave_ids, codes, plans, strict=True)
        ],
    )
    picks = [_picks(plan.orders, reserved) for plan in plans]
    bins = await _bins(session, {key[0] for wave in picks for key in wave})
    specs: list[TaskSpec] = []
    owners: list[int] = []
    for plan, wave_id, code, wave_picks in zip(plans, wave_ids, codes, picks, strict=True):
        for zone, keys in _by_zone(wave_picks, bins):
            specs.append(
                TaskSpec(
                    kind=TaskKind.pick,
                    lines=[(loc, sku, lot, wave_picks[(loc, sku, lot)]) for loc, sku, lot in keys],
                    reference=code,
                    reason=f"wave {code}" + (f", zone {zone}" if zone is not None else ""),
                    to_location_id=staging_id,
                    priority=10 if plan.kind is WaveKind.single else 5,
                )
            )
            owners.append(wave_id)
    task_ids = await open_tasks(session, warehouse_id=warehouse_id, specs=specs)
    await insert_rows(session, WaveTask, [{"wave_id": w, "task_id": t} for w, t in zip(owners, task_ids, strict=True)])
    await _join_waves(session, list(zip(wave_ids, codes, (plan.orders for plan in plans), strict=True)), actor, now)
    return list(await session.scalars(select(Wave).where(Wave.id.in_(wave_ids)).order_by(Wave.id)))


def _picks(orders: list[Routed], reserved: dict[int, tuple[Held, ...]]) -> dict[PickKey, int]:
    """What a wave's orders reserved, summed per bin, SKU and lot: one pick line each."""
    picks: dict[PickKey, int] = defaultdict(int)
    for order in orders:
        for location_id, sku_id, lot_id, qty in reserved[order[_ID]]:
            picks[(location_id, sku_id, lot_id)] += qty
    return picks


async def _bins(session: AsyncSession, ids: set[int]) -> dict[int, _Bin]:
    rows = await session.execute(
        select(Location.id, Location.zone_id, Location.walking_sequence, Location.code).where(
            id_in(session, Location.id, ids)
        )
    )
    return {row[0]: _Bin(row[1], row[2], row[3]) for row in rows}


def _by_zone(picks: dict[PickKey, int], bins: dict[int, _Bin]) -> list[tuple[int | None, list[PickKey]]]:
    """One pick task per zone, its lines in the bins' walking sequence (the aisle walked once)."""
    by_zone: dict[int | None, list[PickKey]] = defaultdict(list)
    for key in picks:
        by_zone[bins[key[0]].zone_id].append(key)
    for keys in by_zone.values():
        keys.sort(key=lambda k: (bins[k[0]].walking_sequence, bins[k[0]].code, k[1], k[2] or 0))
    return sorted(by_zone.items(), key=lambda item: (item[0] is None, item[0] or 0))


async def _join_waves(
    session: AsyncSession, waves: list[tuple[int, str, list[Routed]]], actor: int | None, now: datetime
) -> None:
    """routed → in_wave for every order of the build in three statements. The same transition and
    event as ``change_status`` writes one order at a time — every order here was selected routed and
    is row-locked — but a 10,000-order build must not flush 10,000 units of work."""
    await insert_rows(
        session,
        WaveOrder,
        [
            {"wave_id": wave_id, "order_id": order[_ID], "position": n}
            for wave_id, _, orders in waves
            for n, order in enumerate(orders, start=1)
        ],
    )
    wave_ids = [wave_id for wave_id, _, _ in waves]
    events = (  # one event per member, written by the database from the memberships just inserted
        select(
            WaveOrder.order_id,
            literal(now, UTCDateTime()),
            literal("waved"),
            literal(OrderStatus.routed.value),
            literal(OrderStatus.in_wave.value),
            literal(actor, BigIntPK),
            literal("in wave ") + Wave.code,
            literal({}, JsonDoc),
        )
        .join(Wave, Wave.id == WaveOrder.wave_id)
        .where(WaveOrder.wave_id.in_(wave_ids))
        .order_by(WaveOrder.id)
    )
    columns = ["order_id", "at", "kind", "from_status", "to_status", "actor_user_id", "reason", "detail"]
    await session.execute(insert(OrderEvent).from_select(columns, events))
    joined = [order[_ID] for _, _, orders in waves for order in orders]  # by key: no join for a stale plan to botch
    await session.execute(
        update(Order)
        .where(id_in(session, Order.id, joined), Order.status == OrderStatus.routed)
        .values(status=OrderStatus.in_wave, updated_at=now)
        .execution_options(synchronize_session=False)
    )
