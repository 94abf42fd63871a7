"""Reserving stock (锁库存) for an order, and releasing it. Reserved is part of the level row,
so it is written here in the ledger package and nowhere else."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot
from server.db.types import utcnow
from server.warehouse.ledger.errors import InsufficientStock, InvalidMove
from server.warehouse.ledger.models import NO_LOT, StockLevel
from server.warehouse.models import Location, LocationType


async def _locked_level(session: AsyncSession, location_id: int, sku_id: int, lot_id: int | None) -> StockLevel | None:
    return await session.scalar(
        select(StockLevel)
        .where(
            StockLevel.location_id == location_id,
            StockLevel.sku_id == sku_id,
            StockLevel.lot_key == (lot_id if lot_id is not None else NO_LOT),
        )
        .with_for_update()
    )


async def reserve(session: AsyncSession, *, location_id: int, sku_id: int, lot_id: int | None, qty: int) -> int:
    """Reserve ``qty`` if that much is unreserved; answer the level's new reserved quantity."""
    if qty <= 0:
        raise InvalidMove("qty must be a positive integer", message_zh="数量必须为正整数", field="qty")
    level = await _locked_level(session, location_id, sku_id, lot_id)
    free = 0 if level is None else level.on_hand - level.reserved
    if level is None or free < qty:
        raise InsufficientStock(
            f"only {max(free, 0)} unreserved, {qty} requested",
            message_zh="可用库存不足",
            field="qty",
            detail={
                "shortfalls": [
                    {
                        "sku_id": sku_id,
                        "lot_id": lot_id,
                        "location_id": location_id,
                        "available": free,
                        "requested": qty,
                    }
                ]
            },
        )
    level.reserved += qty
    level.updated_at = utcnow()
    return level.reserved


async def release(session: AsyncSession, *, location_id: int, sku_id: int, lot_id: int | None, qty: int) -> int:
    """Release up to ``qty`` of a reservation (an order cancelled or picked); answer what remains."""
    if qty <= 0:
        raise InvalidMove("qty must be a positive integer", message_zh="数量必须为正整数", field="qty")
    level = await _locked_level(session, location_id, sku_id, lot_id)
    if level is None or level.reserved < qty:
        raise InvalidMove(
            f"cannot release {qty}: only {0 if level is None else level.reserved} reserved",
            message_zh="释放数量超过已锁定数量",
            field="qty",
        )
    level.reserved -= qty
    level.updated_at = utcnow()
    return level.reserved


ORDER_SOURCE_TYPES = frozenset({LocationType.storage, LocationType.pick, LocationType.receiving})
"""Where stock for an order may be reserved: sellable bins. Not quarantine (待检), returns or frozen
bins, and not staging or shipping, whose goods are already picked for other orders."""


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of one level reserved for (or released from) an order line."""

    location_id: int
    sku_id: int
    lot_id: int | None
    qty: int


def _fefo_key(level: StockLevel, location: Location, lot: Lot | None) -> tuple[date, int, int, int]:
    """Earliest expiry first (近效期先出), then the oldest lot (先进先出), then the walking path."""
    expires = lot.expires_on if lot is not None and lot.expires_on is not None else date.max
    return expires, level.lot_key, location.walking_sequence, location.id


class Shortfall(dict[str, int]):
    """One SKU an order could not have in full: ``sku_id``, ``warehouse_id``, ``available``, ``requested``."""


async def reserve_batch(
    session: AsyncSession,
    requests: Sequence[tuple[int, Mapping[int, int]]],
    *,
    exclude_location_ids: Collection[int] = (),
) -> list[list[Allocation] | list[Shortfall]]:
    """Reserve each request — (warehouse, SKU → units) — all or nothing, in the order given.

    One statement locks every candidate level of every request (in the ledger's key order), the
    allocation runs in memory, and the levels are written once: a thousand orders cost a handful
    of statements instead of a thousand lock-and-check rounds. Answers, per request, its
    allocations or the SKUs it was short of (that request then reserved nothing).
    ``exclude_location_ids``: bins whose books are in doubt (a short pick re-routing its units
    must not be sent back to the bin that ran short).
    """
    pairs = {(wh, sku) for wh, wants in requests for sku, qty in wants.items() if qty > 0}
    if not pairs:
        return [[] for _ in requests]
    statement = (
        select(StockLevel, Location, Lot)
        .join(Location, Location.id == StockLevel.location_id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .where(
            Location.warehouse_id.in_(sorted({wh for wh, _ in pairs})),
            Location.type.in_(sorted(ORDER_SOURCE_TYPES)),
            Location.active.is_(True),
            Location.frozen.is_(False),
            StockLevel.sku_id.in_(sorted({sku for _, sku in pairs})),
            StockLevel.on_hand > StockLevel.reserved,
        )
    )
    if exclude_location_ids:
        statement = statement.where(StockLevel.location_id.not_in(sorted(set(exclude_location_ids))))
    rows = (
        await session.execute(
            statement.order_by(StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_key).with_for_update(
                of=StockLevel
            )
        )
    ).all()
    candidates: dict[tuple[int, int], list[StockLevel]] = {}
    for level, location, _lot in sorted(rows, key=lambda r: _fefo_key(r[0], r[1], r[2])):
        candidates.setdefault((location.warehouse_id, level.sku_id), []).append(level)
    free = {id(level): level.on_hand - level.reserved for group in candidates.values() for level in group}
    answers: list[list[Allocation] | list[Shortfall]] = []
    for warehouse_id, wants in requests:
        short = [
            Shortfall(sku_id=sku, warehouse_id=warehouse_id, available=have, requested=qty)
            for sku, qty in sorted(wants.items())
            if qty > 0 and (have := sum(free[id(lv)] for lv in candidates.get((warehouse_id, sku), []))) < qty
        ]
        if short:
            answers.append(short)
            continue
        taken: list[Allocation] = []
        for sku, qty in sorted(wants.items()):
            left = qty
            for level in candidates.get((warehouse_id, sku), []):
                take = min(left, free[id(level)])
                if take > 0:
                    free[id(level)] -= take
                    left -= take
                    taken.append(Allocation(level.location_id, sku, level.lot_id, take))
                if left == 0:
                    break
        answers.append(taken)
    now = utcnow()
    for group in candidates.values():
        for level in group:
            used = level.on_hand - level.reserved - free[id(level)]
            if used:
                level.reserved += used
                level.updated_at = now
    await session.flush()
    return answers


async def reserve_in_warehouse(session: AsyncSession, warehouse_id: int, wants: Mapping[int, int]) -> list[Allocation]:
    """Reserve ``wants`` (SKU → units) from the warehouse's sellable bins, all or nothing.

    Every candidate level of these SKUs is row-locked in the ledger's key order before anything is
    decided, so two orders for the last units cannot both see them free (oversell is impossible,
    even under concurrent imports), and two orders for the same SKUs wait for each other instead of
    deadlocking. Raises ``InsufficientStock`` listing every SKU short.
    """
    answer = (await reserve_batch(session, [(warehouse_id, wants)]))[0]
    shortfalls = [dict(s) for s in answer if isinstance(s, Shortfall)]
    if shortfalls:
        raise InsufficientStock(
            f"not enough available in warehouse {warehouse_id} for SKU(s) "
            + ", ".join(str(s["sku_id"]) for s in shortfalls),
            message_zh="可用库存不足",
            detail={"shortfalls": shortfalls},
        )
    return [a for a in answer if isinstance(a, Allocation)]


async def release_allocations(session: AsyncSession, allocations: Sequence[Allocation]) -> int:
    """Give back reservations (an order cancelled, a line refunded); answers the units released.

    Levels are locked in key order. A level holding less reserved than asked (already picked and
    released by the pick) gives back what it holds: releasing never makes stock appear."""
    if not allocations:
        return 0
    want: dict[tuple[int, int, int], int] = {}
    for a in allocations:
        key = (a.location_id, a.sku_id, a.lot_id if a.lot_id is not None else NO_LOT)
        want[key] = want.get(key, 0) + a.qty
    levels = await session.scalars(
        select(StockLevel)
        .where(tuple_(StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_key).in_(sorted(want)))
        .order_by(StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_key)
        .with_for_update()
    )
    released = 0
    now = utcnow()
    for level in levels:
        take = min(level.reserved, want[(level.location_id, level.sku_id, level.lot_key)])
        level.reserved -= take
        level.updated_at = now
        released += take
    await session.flush()
    return released
