"""Per SKU and warehouse: on hand, available, value at cost, shipments of the range, days of cover —
ranked by value and by how short it runs, in one statement (the stock report's heavy part).

Levels are summed per (warehouse, SKU) once; the range's ``shipment`` moves per (warehouse, SKU)
come from the ``(reason, occurred_at)`` index. The joined rows are kept once (a CTE) and read three
ways in one statement — the top by value, the shortest among the low, the totals — so however
many SKUs there are only the listed rows (at most twice the limit) leave the database, and the
top-N sorts stay in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    and_,
    case,
    cast,
    distinct,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.reports.range_scope import RangeScope
from server.reports.warehouse_figures import sku_names
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.models import PHYSICAL_TYPES, Location, LocationType

LOW_COVER_DAYS = 7
MONEY = "CNY"
PHYSICAL = Location.type.in_(sorted(PHYSICAL_TYPES))
UNSELLABLE = or_(Location.type == LocationType.quarantine, Location.type == LocationType.returns, Location.frozen)
"""Stock states (``server.warehouse.ledger.stock_states``): quarantine, returns and frozen bins."""
HOLDING = or_(StockLevel.on_hand != 0, StockLevel.reserved != 0)
"""The levels that count: the ledger keeps a level at zero once a bin has held a SKU, and those are
most of them (85% of 471,000 in the bench's year), so skipping them before the joins is most of the
work saved (docs/adr/0022)."""


@dataclass(frozen=True, slots=True)
class SkuCover:
    warehouse_id: int
    sku_id: int
    code: str
    name: str
    on_hand: int
    available: int
    value: int | None
    shipped: int
    per_day: float | None
    days_of_cover: float | None
    low: bool


@dataclass(frozen=True, slots=True)
class Cover:
    by_value: list[SkuCover]
    """The first ``limit`` by value at cost (then units)."""
    low_rows: list[SkuCover]
    """The first ``limit`` low ones, shortest cover first."""
    value: int
    units: int
    skus: int
    """SKUs with stock in at least one warehouse of the scope."""
    low: int
    listed: int
    """(warehouse, SKU) pairs with stock or shipments: the length of the full cover table."""
    value_by_zone: dict[tuple[int, int | None], int]
    """Value at cost per (warehouse, zone) of the physical bins (zone ``None``: bins in no zone)."""


async def sku_cover(session: AsyncSession, scope: RangeScope, *, days: float, limit: int | None) -> Cover:
    """``days``: how many days of the range have passed (the divisor of the shipping rate)."""
    # Levels summed per (warehouse, zone, SKU) once: per (warehouse, SKU) for the cover, per
    # (warehouse, zone) for the value by zone, so the levels are read and joined to their bins once.
    placed = (
        select(
            Location.warehouse_id.label("warehouse_id"),
            Location.zone_id.label("zone_id"),
            StockLevel.sku_id.label("sku_id"),
            # integers again (a bin's units fit): PostgreSQL sums bigints as numeric, slowly
            cast(func.sum(StockLevel.on_hand), Integer).label("on_hand"),
            cast(func.sum(StockLevel.reserved), Integer).label("reserved"),
            cast(func.sum(case((UNSELLABLE, StockLevel.on_hand), else_=0)), Integer).label("unsellable"),
        )
        .join(Location, Location.id == StockLevel.location_id)
        .where(HOLDING, PHYSICAL, scope.only(Location.warehouse_id))
        .group_by(Location.warehouse_id, Location.zone_id, StockLevel.sku_id)
        .cte("placed")
    )
    held = (
        select(
            placed.c.warehouse_id,
            placed.c.sku_id,
            func.sum(placed.c.on_hand).label("on_hand"),
            func.sum(placed.c.reserved).label("reserved"),
            func.sum(placed.c.unsellable).label("unsellable"),
        )
        .group_by(placed.c.warehouse_id, placed.c.sku_id)
        .subquery("held")
    )
    shipped = (
        select(
            Location.warehouse_id.label("warehouse_id"),
            StockMove.sku_id.label("sku_id"),
            func.sum(StockMove.qty).label("qty"),
        )
        .join(Location, Location.id == StockMove.from_location_id)
        .where(
            StockMove.reason == MoveReason.shipment,
            StockMove.occurred_at >= scope.start,
            StockMove.occurred_at < min(scope.end, scope.now),
            scope.only(Location.warehouse_id),
        )
        .group_by(Location.warehouse_id, StockMove.sku_id)
        .subquery("shipped")
    )
    seconds = max(1, int(days * 86_400))
    net = held.c.on_hand - held.c.unsellable - held.c.reserved
    available = case((net > 0, net), else_=0)
    qty = func.coalesce(shipped.c.qty, 0)
    rated = (
        select(
            held.c.warehouse_id,
            held.c.sku_id,
            held.c.on_hand,
            available.label("available"),
            case((Sku.currency == MONEY, held.c.on_hand * cast(Sku.standard_cost_minor, BigInteger))).label("value"),
            qty.label("shipped"),
            case((and_(qty > 0, available * seconds < qty * (LOW_COVER_DAYS * 86_400)), 1), else_=0).label("low"),
            case((qty > 0, cast(available, Float) / cast(qty, Float))).label("shortness"),
        )
        .join(Sku, Sku.id == held.c.sku_id)
        .outerjoin(shipped, and_(shipped.c.warehouse_id == held.c.warehouse_id, shipped.c.sku_id == held.c.sku_id))
        .where(or_(held.c.on_hand != 0, qty > 0))
        .cte("rated")
    )
    r = rated.c
    listed = (r.warehouse_id, r.sku_id, r.on_hand, r.available, r.value, r.shipped, r.low)
    totals_named = ("total_value", "total_units", "total_skus", "total_low", "total_listed", "zone_id")
    nothing = tuple(cast(null(), BigInteger).label(name) for name in totals_named)
    by_value = select(literal_column("0").label("kind"), *listed, *nothing).order_by(
        case((r.value.is_(None), 1), else_=0), r.value.desc(), r.on_hand.desc(), r.warehouse_id, r.sku_id
    )
    shortest = (
        select(literal_column("1").label("kind"), *listed, *nothing)
        .where(r.low == 1)
        .order_by(r.shortness, r.shipped.desc(), r.warehouse_id, r.sku_id)
    )
    if limit is not None:
        by_value, shortest = by_value.limit(limit), shortest.limit(limit)
    summed: list[Any] = [
        literal_column("2").label("kind"),
        *(cast(null(), BigInteger).label(str(column.name)) for column in listed),
        func.coalesce(func.sum(r.value), 0).label("total_value"),
        func.coalesce(func.sum(r.on_hand), 0).label("total_units"),
        func.count(distinct(case((r.on_hand > 0, r.sku_id)))).label("total_skus"),
        func.coalesce(func.sum(r.low), 0).label("total_low"),
        func.count().label("total_listed"),
        cast(null(), BigInteger).label("zone_id"),
    ]
    totals = select(*summed)
    by_zone = (
        select(
            literal_column("3").label("kind"),
            placed.c.warehouse_id,
            *(cast(null(), BigInteger).label(str(column.name)) for column in listed[1:]),
            func.sum(placed.c.on_hand * cast(Sku.standard_cost_minor, BigInteger)).label("total_value"),
            *(cast(null(), BigInteger).label(name) for name in totals_named[1:-1]),
            placed.c.zone_id,
        )
        .join(Sku, Sku.id == placed.c.sku_id)
        .where(placed.c.on_hand != 0, Sku.currency == MONEY)
        .group_by(placed.c.warehouse_id, placed.c.zone_id)
    )
    parts = union_all(by_value.subquery().select(), shortest.subquery().select(), totals, by_zone).subquery("parts")
    found = (await session.execute(select(parts))).all()
    names = await sku_names(session, {int(row[2]) for row in found if row[0] in (_BY_VALUE, _SHORTEST)})
    ranked: dict[int, list[SkuCover]] = {_BY_VALUE: [], _SHORTEST: []}
    value, units, skus, low, count = 0, 0, 0, 0, 0
    by_zone_value: dict[tuple[int, int | None], int] = {}
    for kind, warehouse_id, sku_id, on_hand, available_, value_, shipped_, low_, *total, zone_id in found:
        if kind == _TOTALS:
            value, units, skus, low, count = (int(n or 0) for n in total)
            continue
        if kind == _BY_ZONE:
            by_zone_value[(int(warehouse_id), None if zone_id is None else int(zone_id))] = int(total[0] or 0)
            continue
        code, name = names.get(int(sku_id), (str(sku_id), ""))
        ranked[kind].append(
            SkuCover(
                warehouse_id=int(warehouse_id),
                sku_id=int(sku_id),
                code=code,
                name=name,
                on_hand=int(on_hand),
                available=int(available_),
                value=None if value_ is None else int(value_),
                shipped=int(shipped_),
                per_day=round(int(shipped_) / days, 1) if shipped_ and days > 0 else None,
                days_of_cover=round(int(on_hand) * days / int(shipped_), 1) if shipped_ and days > 0 else None,
                low=bool(low_),
            )
        )
    by_value_rows = sorted(
        ranked[_BY_VALUE], key=lambda c: (c.value is None, -(c.value or 0), -c.on_hand, c.warehouse_id, c.sku_id)
    )
    shortest_rows = sorted(
        ranked[_SHORTEST], key=lambda c: (c.available / c.shipped, -c.shipped, c.warehouse_id, c.sku_id)
    )
    return Cover(
        by_value=by_value_rows,
        low_rows=shortest_rows,
        value=value,
        units=units,
        skus=skus,
        low=low,
        listed=count,
        value_by_zone=by_zone_value,
    )


_BY_VALUE, _SHORTEST, _TOTALS, _BY_ZONE = 0, 1, 2, 3
