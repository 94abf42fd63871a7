"""The stock report: a snapshot of now, with the range giving the sales velocity.

- **value at cost**: units in physical bins (quarantine and frozen included: the goods are owned
  either way) × the SKU's standard cost, in 分, as ``server.warehouse.services.valuation`` counts it.
  Money is fen of CNY; a SKU costed in another currency keeps its units but has no value here;
- **available**: the stock-state definition (``server.warehouse.ledger.stock_states``): on hand less
  quarantine, frozen and returns bins, less reserved, never below zero, per SKU and warehouse;
- **velocity**: units shipped (``shipment`` moves out of the warehouse) over the *report's range*,
  up to now, per day of it that has passed (a range ending today counts today up to now);
- **days of cover** = on hand ÷ that daily rate; none for a SKU that shipped nothing;
- **low stock**: the catalog has no reorder point or safety stock, so a SKU is low when what is
  *available* would cover fewer than ``LOW_COVER_DAYS`` days of its shipments. SKUs that shipped
  nothing in the range are never "low";
- **expiring lots**: lots in physical bins with stock, expiring within ``EXPIRY_DAYS`` local days
  of today or already expired;
- **problem bins**: bin levels below zero (a pick or a late move outran the books) and frozen bins
  that still hold stock.

The snapshot is read from ``stock_levels`` (the ledger's projection), never by summing moves; the
velocity is one grouped read of ``stock_moves (reason, occurred_at)``. ``stock_cover`` ranks the
SKUs in SQL; value per zone is one more grouped read of the levels, the expiring lots start from
``lots (expires_on)``, and the problem bins are the few levels below zero or in frozen bins.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import BigInteger, and_, case, cast, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.reports.envelope import Cell, Chart, Report, Series, Table, Tile, Unit
from server.reports.local_time import elapsed_days
from server.reports.planner import report_plans
from server.reports.range_scope import RangeScope
from server.reports.stock_cover import LOW_COVER_DAYS, MONEY, PHYSICAL, SkuCover, sku_cover
from server.reports.warehouse_figures import columns, roomy_sorts, warehouse_codes, zone_names
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Location

EXPIRY_DAYS = 30
NO_ZONE = "—"


async def _value_by_zone(session: AsyncSession, scope: RangeScope) -> dict[tuple[int, int | None], int]:
    """Value at cost per (warehouse, zone) of the physical bins; zones are few, levels many."""
    rows = await session.execute(
        select(
            Location.warehouse_id,
            Location.zone_id,
            func.sum(cast(StockLevel.on_hand, BigInteger) * cast(Sku.standard_cost_minor, BigInteger)),
        )
        .select_from(StockLevel)
        .join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .where(PHYSICAL, Sku.currency == MONEY, scope.only(Location.warehouse_id))
        .group_by(Location.warehouse_id, Location.zone_id)
    )
    return {(int(w), z): int(value or 0) for w, z, value in rows}


async def _expiring(
    session: AsyncSession, scope: RangeScope, today: date, limit: int | None
) -> tuple[list[list[Cell]], int]:
    last = today + timedelta(days=EXPIRY_DAYS)
    statement = (
        select(
            Location.warehouse_id,
            Location.code,
            Sku.code,
            Sku.name_zh,
            Lot.lot_number,
            Lot.expires_on,
            StockLevel.on_hand,
            func.count().over(),
        )
        .select_from(Lot)
        .join(StockLevel, and_(StockLevel.lot_id == Lot.id, StockLevel.sku_id == Lot.sku_id))
        .join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == Lot.sku_id)
        .where(
            Lot.expires_on.is_not(None),
            Lot.expires_on <= last,
            StockLevel.on_hand > 0,
            PHYSICAL,
            scope.only(Location.warehouse_id),
        )
        .order_by(Lot.expires_on, Location.warehouse_id, Location.code, Sku.code, Lot.lot_number)
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.execute(statement)).all()
    codes = await warehouse_codes(session) if rows else {}
    total = int(rows[0][-1]) if rows else 0
    return [
        [codes.get(w, str(w)), bin_code, sku_code, name, lot, expires.isoformat(), (expires - today).days, qty]
        for w, bin_code, sku_code, name, lot, expires, qty, _ in rows
        if expires is not None
    ], total


_NEGATIVE = StockLevel.on_hand < 0
_FROZEN_STOCK = and_(Location.frozen.is_(True), StockLevel.on_hand != 0)


async def _problem_bins(
    session: AsyncSession, scope: RangeScope, limit: int | None
) -> tuple[list[list[Cell]], int, int, int]:
    """Levels below zero or in frozen bins: (rows, how many rows, negative bins, frozen bins)."""
    where = (PHYSICAL, scope.only(Location.warehouse_id), or_(_NEGATIVE, _FROZEN_STOCK))
    negative_bins, frozen_bins = (
        await session.execute(
            select(
                func.count(distinct(case((_NEGATIVE, Location.id)))),
                func.count(distinct(case((Location.frozen.is_(True), Location.id)))),
            )
            .select_from(StockLevel)
            .join(Location, Location.id == StockLevel.location_id)
            .where(*where)
        )
    ).one()
    statement = (
        select(
            Location.warehouse_id,
            Location.code,
            Location.zone_id,
            Sku.code,
            Sku.name_zh,
            Lot.lot_number,
            StockLevel.on_hand,
            StockLevel.reserved,
            Location.frozen,
            func.count().over(),
        )
        .select_from(StockLevel)
        .join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .where(*where)
        .order_by(StockLevel.on_hand, Location.warehouse_id, Location.code, Sku.code)
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.execute(statement)).all()
    codes = await warehouse_codes(session) if rows else {}
    zones = await zone_names(session) if rows else {}
    listed: list[list[Cell]] = [
        [
            codes.get(w, str(w)),
            bin_code,
            zones.get(zone_id, (NO_ZONE, ""))[0] if zone_id is not None else NO_ZONE,
            sku_code,
            name,
            lot,
            on_hand,
            reserved,
            "negative" if on_hand < 0 else "frozen",
            "frozen" if frozen else "",
        ]
        for w, bin_code, zone_id, sku_code, name, lot, on_hand, reserved, frozen, _ in rows
    ]
    return listed, int(rows[0][-1]) if rows else 0, int(negative_bins or 0), int(frozen_bins or 0)


def _sku_row(item: SkuCover, codes: dict[int, str]) -> list[Cell]:
    return [
        codes.get(item.warehouse_id, str(item.warehouse_id)),
        item.code,
        item.name,
        item.on_hand,
        item.available,
        item.value,
        item.shipped,
        item.per_day,
        item.days_of_cover,
    ]


_SKU_COLUMNS = columns(
    ("warehouse", "Warehouse", "仓库", Unit.text),
    ("sku", "SKU", "SKU", Unit.text),
    ("name", "Name", "名称", Unit.text),
    ("on_hand", "On hand", "在库", Unit.qty),
    ("available", "Available", "可用", Unit.qty),
    ("value", "Value at cost", "成本金额", Unit.fen),
    ("shipped", "Shipped in range", "期间发货", Unit.qty),
    ("per_day", "Shipped per day", "日均发货", Unit.qty),
    ("days_of_cover", "Days of cover", "可售天数", Unit.days),
)


async def stock_report(session: AsyncSession, scope: RangeScope, *, limit: int | None = 50) -> Report:
    await report_plans(session)
    await roomy_sorts(session)
    cover = await sku_cover(session, scope, days=elapsed_days(scope), limit=limit)
    zone_values = await _value_by_zone(session, scope)
    today = scope.day_of(scope.now)
    codes = await warehouse_codes(session)
    zones = await zone_names(session) if zone_values else {}
    expiring, expiring_count = await _expiring(session, scope, today, limit)
    problems, problem_count, negative_bins, frozen_bins = await _problem_bins(session, scope, limit)

    chart_keys = sorted(
        zone_values, key=lambda k: (codes.get(k[0], ""), zones.get(k[1], ("",))[0] if k[1] is not None else "~")
    )
    return Report(
        report="stock",
        title_en="Stock",
        title_zh="库存",
        filters=scope.filters(),
        generated_at=scope.now,
        tiles=[
            Tile(
                key="value",
                label_en="Stock value at cost",
                label_zh="库存成本金额",
                value=cover.value,
                unit=Unit.fen,
            ),
            Tile(
                key="units",
                label_en="Units on hand",
                label_zh="在库件数",
                value=cover.units,
                unit=Unit.qty,
            ),
            Tile(
                key="skus",
                label_en="SKUs in stock",
                label_zh="有库存SKU数",
                value=cover.skus,
                unit=Unit.tally,
            ),
            Tile(key="low_stock", label_en="Low-stock SKUs", label_zh="低库存SKU数", value=cover.low, unit=Unit.tally),
            Tile(
                key="expiring_lots",
                label_en=f"Lots expiring within {EXPIRY_DAYS} days",
                label_zh=f"{EXPIRY_DAYS}天内到期批次",
                value=expiring_count,
                unit=Unit.tally,
            ),
            Tile(
                key="negative_bins",
                label_en="Bins below zero",
                label_zh="负库存库位",
                value=negative_bins,
                unit=Unit.tally,
            ),
            Tile(
                key="frozen_bins",
                label_en="Frozen bins holding stock",
                label_zh="冻结库位(有货)",
                value=frozen_bins,
                unit=Unit.tally,
            ),
        ],
        charts=[
            Chart(
                key="value_by_zone",
                label_en="Value at cost by warehouse and zone",
                label_zh="各仓库库区库存金额",
                kind="bar",
                unit=Unit.fen,
                x=[
                    f"{codes.get(w, str(w))} {zones.get(z, (NO_ZONE,))[0] if z is not None else NO_ZONE}"
                    for w, z in chart_keys
                ],
                series=[
                    Series(
                        key="value",
                        label_en="Value at cost",
                        label_zh="成本金额",
                        values=[zone_values[k] for k in chart_keys],
                    )
                ],
            )
        ],
        tables=[
            Table(
                key="low_stock",
                label_en=f"Low stock (available below {LOW_COVER_DAYS} days of shipments)",
                label_zh=f"低库存（可用量不足{LOW_COVER_DAYS}天发货）",
                columns=_SKU_COLUMNS,
                rows=[_sku_row(row, codes) for row in cover.low_rows],
                truncated=limit is not None and cover.low > limit,
            ),
            Table(
                key="days_of_cover",
                label_en="Days of cover by SKU",
                label_zh="各SKU可售天数",
                columns=_SKU_COLUMNS,
                rows=[_sku_row(row, codes) for row in cover.by_value],
                truncated=limit is not None and cover.listed > limit,
            ),
            Table(
                key="expiring_lots",
                label_en=f"Lots expiring within {EXPIRY_DAYS} days or expired",
                label_zh=f"{EXPIRY_DAYS}天内到期及已过期批次",
                columns=columns(
                    ("warehouse", "Warehouse", "仓库", Unit.text),
                    ("bin", "Bin", "库位", Unit.text),
                    ("sku", "SKU", "SKU", Unit.text),
                    ("name", "Name", "名称", Unit.text),
                    ("lot", "Lot", "批次", Unit.text),
                    ("expires_on", "Expires on", "到期日", Unit.date),
                    ("days_left", "Days left", "剩余天数", Unit.days),
                    ("qty", "Quantity", "数量", Unit.qty),
                ),
                rows=expiring,
                truncated=limit is not None and expiring_count > limit,
            ),
            Table(
                key="problem_bins",
                label_en="Bins below zero or frozen",
                label_zh="负库存及冻结库位",
                columns=columns(
                    ("warehouse", "Warehouse", "仓库", Unit.text),
                    ("bin", "Bin", "库位", Unit.text),
                    ("zone", "Zone", "库区", Unit.text),
                    ("sku", "SKU", "SKU", Unit.text),
                    ("name", "Name", "名称", Unit.text),
                    ("lot", "Lot", "批次", Unit.text),
                    ("on_hand", "On hand", "在库", Unit.qty),
                    ("reserved", "Reserved", "锁定", Unit.qty),
                    ("problem", "Problem", "问题", Unit.text),
                    ("bin_state", "Bin state", "库位状态", Unit.text),
                ),
                rows=problems,
                truncated=limit is not None and problem_count > limit,
            ),
        ],
    )
