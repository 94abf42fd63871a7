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
SKUs and sums the value per zone in SQL, in one statement; the expiring lots start from
``lots (expires_on)``, and the problem bins are the few levels below zero or in frozen bins.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Subquery, and_, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.reports.envelope import Cell, Chart, Report, Series, Table, Tile, Unit
from server.reports.local_time import elapsed_days
from server.reports.planner import report_plans
from server.reports.range_scope import RangeScope
from server.reports.stock_cover import LOW_COVER_DAYS, PHYSICAL, SkuCover, sku_cover
from server.reports.warehouse_figures import columns, roomy_sorts, warehouse_codes, zone_names
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Location

EXPIRY_DAYS = 30
NO_ZONE = "—"


async def _expiring(
    session: AsyncSession, scope: RangeScope, today: date, limit: int | None, codes: dict[int, str]
) -> tuple[list[list[Cell]], int]:
    """The lots in stock expiring by ``today + EXPIRY_DAYS``, soonest first, and how many.

    Thousands can match (a year of lots), so the page is chosen on the lot, bin and SKU id and
    only its rows are joined to the SKUs for their codes and names (then ordered by code)."""
    last = today + timedelta(days=EXPIRY_DAYS)
    matching = (
        select(
            Location.warehouse_id.label("warehouse_id"),
            Location.code.label("bin"),
            Lot.sku_id.label("sku_id"),
            Lot.lot_number.label("lot"),
            Lot.expires_on.label("expires_on"),
            StockLevel.on_hand.label("qty"),
            func.count().over().label("total"),
        )
        .select_from(Lot)
        .join(StockLevel, and_(StockLevel.lot_id == Lot.id, StockLevel.sku_id == Lot.sku_id))
        .join(Location, Location.id == StockLevel.location_id)
        .where(
            Lot.expires_on.is_not(None),
            Lot.expires_on <= last,
            StockLevel.on_hand > 0,
            PHYSICAL,
            scope.only(Location.warehouse_id),
        )
        .order_by(Lot.expires_on, Location.warehouse_id, Location.code, Lot.sku_id, Lot.lot_number)
    )
    if limit is not None:
        matching = matching.limit(limit)
    page = matching.subquery("page")
    rows = (await session.execute(select(page, Sku.code, Sku.name_zh).join(Sku, Sku.id == page.c.sku_id))).all()
    total = int(rows[0].total) if rows else 0
    ordered = sorted(
        (row for row in rows if row.expires_on is not None),
        key=lambda r: (r.expires_on, r.warehouse_id, r.bin, r.code, r.lot or ""),
    )
    return [
        [
            codes.get(r.warehouse_id, str(r.warehouse_id)),
            r.bin,
            r.code,
            r.name_zh,
            r.lot,
            r.expires_on.isoformat(),
            (r.expires_on - today).days,
            r.qty,
        ]
        for r in ordered
    ], total


def _problem_levels(scope: RangeScope) -> Subquery:
    """The ids of the levels below zero or in frozen bins: two narrow reads, not one wide one.

    Both are rare — a few dozen of 471,000 levels in the bench's year — but ``on_hand < 0 OR
    (frozen AND on_hand <> 0)`` spans two tables, so PostgreSQL joined every level to its bin before
    filtering (85 ms, twice). Apart, the negatives are one scan of the levels and the frozen bins a
    probe per frozen bin; a negative level in a frozen bin is counted once, as negative.
    """
    negative = (
        select(StockLevel.id.label("id"))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.on_hand < 0, PHYSICAL, scope.only(Location.warehouse_id))
    )
    frozen = (
        select(StockLevel.id.label("id"))
        .select_from(Location)
        .join(StockLevel, StockLevel.location_id == Location.id)
        .where(Location.frozen.is_(True), StockLevel.on_hand > 0, PHYSICAL, scope.only(Location.warehouse_id))
    )
    return union_all(negative, frozen).subquery("problem_levels")


async def _problem_bins(
    session: AsyncSession,
    scope: RangeScope,
    limit: int | None,
    codes: dict[int, str],
    zones: dict[int, tuple[str, str]],
) -> tuple[list[list[Cell]], int, int, int]:
    """Levels below zero or in frozen bins: (rows, how many rows, negative bins, frozen bins).

    Every such level is read (they are few; the bins are counted from them) and the first
    ``limit`` listed: one statement rather than a count and a page."""
    problem = _problem_levels(scope)
    statement = (
        select(
            Location.id,
            Location.warehouse_id,
            Location.code,
            Location.zone_id,
            Sku.code,
            Sku.name_zh,
            Lot.lot_number,
            StockLevel.on_hand,
            StockLevel.reserved,
            Location.frozen,
        )
        .select_from(StockLevel)
        .join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .where(StockLevel.id.in_(select(problem.c.id)))
        .order_by(StockLevel.on_hand, Location.warehouse_id, Location.code, Sku.code)
    )
    rows = (await session.execute(statement)).all()
    negative_bins = len({row[0] for row in rows if row.on_hand < 0})
    frozen_bins = len({row[0] for row in rows if row.frozen})
    shown = rows if limit is None else rows[:limit]
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
        for _, w, bin_code, zone_id, sku_code, name, lot, on_hand, reserved, frozen in shown
    ]
    return listed, len(rows), negative_bins, frozen_bins


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
    zone_values = cover.value_by_zone
    today = scope.day_of(scope.now)
    codes = await warehouse_codes(session)
    zones = await zone_names(session)
    expiring, expiring_count = await _expiring(session, scope, today, limit, codes)
    problems, problem_count, negative_bins, frozen_bins = await _problem_bins(session, scope, limit, codes, zones)

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
