"""Count results (盘点) over a range of local days: what the counters found against the books.

Each ``bin_counts`` row is one count of a bin, SKU and lot at its event time. What it found:

- **expected** = the ledger's quantity as of the count (for a count a supervisor approved, measured
  again at approval: what the adjustment was posted against);
- **variance** = counted − expected, in units; **value** = variance × the SKU's standard cost in 分
  (a SKU costed in another currency than CNY has no value here);
- **status**, from the count's outcome: ``approved`` (adjusted or matched — at once, within the
  warehouse's threshold, or by a supervisor), ``pending`` (waits for approval), ``rejected`` (a
  supervisor judged it wrong), ``recount`` (not trusted: counts disagreed, or goods moved while it
  was counted) or ``superseded`` (a later count of the bin set it first).

Tiles: counts done; bins counted; **accuracy** = the share of counted bins where no count found a
variance (a rejected count is no observation and is left out); net and absolute variance value of
the *approved* counts — what was booked; and how many wait for approval. The by-SKU table sums the
counts that stand (approved and pending); the by-bin table lists every count, largest value first.

Every figure is a grouped query over ``bin_counts (counted_at)``; only listed rows come back.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, case, cast, distinct, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.reports.envelope import Cell, Chart, Report, Series, Table, Tile, Unit
from server.reports.local_time import as_date, local_day
from server.reports.order_figures import percent
from server.reports.planner import report_plans
from server.reports.range_scope import RangeScope
from server.reports.warehouse_figures import columns, sku_names, user_names, warehouse_codes, zone_names
from server.warehouse.count_models import BinCount, CountOutcome
from server.warehouse.models import Location

MONEY = "CNY"
STATUS_LABELS = {
    "approved": ("Approved", "已生效"),
    "pending": ("Pending approval", "待审批"),
    "rejected": ("Rejected", "已驳回"),
    "recount": ("Recount", "需复盘"),
    "superseded": ("Superseded", "已取代"),
}
_APPLIED = [CountOutcome.adjusted, CountOutcome.matched]
APPROVED = BinCount.outcome.in_(_APPLIED)
STANDING = BinCount.outcome.in_([*_APPLIED, CountOutcome.awaiting_approval])
STATUS: ColumnElement[str] = case(
    (APPROVED, literal("approved")),
    (BinCount.outcome == CountOutcome.awaiting_approval, literal("pending")),
    (BinCount.outcome == CountOutcome.rejected, literal("rejected")),
    (BinCount.outcome == CountOutcome.recount, literal("recount")),
    else_=literal("superseded"),
)
VARIANCE: ColumnElement[int] = BinCount.counted_qty - BinCount.ledger_qty
VALUE: ColumnElement[int] = case(
    (Sku.currency == MONEY, cast(VARIANCE, BigInteger) * cast(Sku.standard_cost_minor, BigInteger)), else_=None
)


def _counts(scope: RangeScope, *selected: Any, with_sku: bool = True) -> Select[Any]:
    """The range's counts in the scope's warehouses, with their bin (and SKU) joined."""
    statement = (
        select(*selected)
        .select_from(BinCount)
        .join(Location, Location.id == BinCount.location_id)
        .where(BinCount.counted_at >= scope.start, BinCount.counted_at < scope.end, scope.only(Location.warehouse_id))
    )
    return statement.join(Sku, Sku.id == BinCount.sku_id) if with_sku else statement


def _sum_if(condition: ColumnElement[bool], value: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


async def _by_day(session: AsyncSession, scope: RangeScope) -> dict[date, dict[str, int]]:
    """Per local day: counts per status, and the approved variance value gained and lost."""
    day = local_day(session, BinCount.counted_at, scope).label("day")
    rows = await session.execute(
        _counts(
            scope,
            day,
            STATUS.label("status"),
            func.count(),
            _sum_if(APPROVED & (VALUE > 0), VALUE),
            _sum_if(APPROVED & (VALUE < 0), VALUE),
        ).group_by("day", "status")
    )
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for raw, status, n, gain, loss in rows:
        figures = days[as_date(raw)]
        figures[str(status)] += int(n)
        figures["gain"] += int(gain or 0)
        figures["loss"] += int(loss or 0)
    return days


async def _bins(session: AsyncSession, scope: RangeScope) -> tuple[int, int, int]:
    """(bins counted, bins with a count not rejected, of those the bins where every such count
    matched the books)."""
    observed = BinCount.outcome != CountOutcome.rejected
    per_bin = (
        _counts(
            scope,
            BinCount.location_id,
            func.max(case((observed, 1), else_=0)).label("seen"),
            func.max(case((observed & (VARIANCE != 0), 1), else_=0)).label("off"),
        )
        .group_by(BinCount.location_id)
        .subquery()
    )
    bins, seen, off = (
        await session.execute(select(func.count(), func.sum(per_bin.c.seen), func.sum(per_bin.c.off)))
    ).one()
    return int(bins or 0), int(seen or 0), int(seen or 0) - int(off or 0)


def _local(scope: RangeScope, moment: datetime) -> str:
    return moment.astimezone(scope.zone).isoformat(timespec="seconds")


async def _by_bin(session: AsyncSession, scope: RangeScope, limit: int | None) -> tuple[list[list[Cell]], bool]:
    """Every count, largest variance value first; names of the listed rows' zones, SKUs, lots and
    counters are read afterwards (a few dozen rows, not the range)."""
    statement = _counts(
        scope,
        BinCount.counted_at,
        Location.warehouse_id,
        Location.code,
        Location.zone_id,
        BinCount.sku_id,
        BinCount.lot_id,
        BinCount.user_id,
        BinCount.ledger_qty,
        BinCount.counted_qty,
        VARIANCE,
        VALUE,
        STATUS,
        func.count().over(),
    ).order_by(
        case((VALUE.is_(None), 1), else_=0),
        func.abs(VALUE).desc(),
        func.abs(VARIANCE).desc(),
        BinCount.counted_at,
        BinCount.id,
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.execute(statement)).all()
    if not rows:
        return [], False
    codes = await warehouse_codes(session)
    zones = await zone_names(session)
    skus = await sku_names(session, {int(row[4]) for row in rows})
    lots = await _lot_numbers(session, {int(row[5]) for row in rows if row[5] is not None})
    counters = await user_names(session, {int(row[6]) for row in rows if row[6] is not None})
    listed: list[list[Cell]] = []
    for at, warehouse_id, bin_code, zone_id, sku_id, lot_id, user_id, *figures, _ in rows:
        code, name = skus.get(sku_id, (str(sku_id), ""))
        listed.append(
            [
                _local(scope, at),
                codes.get(warehouse_id, str(warehouse_id)),
                bin_code,
                zones[zone_id][0] if zone_id in zones else "",
                code,
                name,
                lots.get(lot_id) if lot_id is not None else None,
                counters.get(user_id) if user_id is not None else None,
                *figures,
            ]
        )
    return listed, limit is not None and int(rows[0][-1]) > limit


async def _lot_numbers(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): n for i, n in await session.execute(select(Lot.id, Lot.lot_number).where(Lot.id.in_(sorted(ids))))}


async def _by_sku(session: AsyncSession, scope: RangeScope, limit: int | None) -> tuple[list[list[Cell]], bool]:
    """Per SKU, over the counts that stand; summed per SKU id first, named and valued after (the
    cost is the SKU's, so the value of the summed variance is the sum of the values)."""
    per_sku = (
        _counts(
            scope,
            BinCount.sku_id.label("sku_id"),
            func.count().label("counts"),
            func.count(distinct(BinCount.location_id)).label("bins"),
            _sum_if(STANDING, BinCount.ledger_qty).label("expected"),
            _sum_if(STANDING, BinCount.counted_qty).label("counted"),
            _sum_if(STANDING, VARIANCE).label("variance"),
            _sum_if(BinCount.outcome == CountOutcome.awaiting_approval, literal_column("1")).label("pending"),
            _sum_if(BinCount.outcome == CountOutcome.rejected, literal_column("1")).label("rejected"),
            with_sku=False,
        )
        .group_by(BinCount.sku_id)
        .subquery("per_sku")
    )
    c = per_sku.c
    value = case((Sku.currency == MONEY, cast(c.variance, BigInteger) * cast(Sku.standard_cost_minor, BigInteger)))
    statement = (
        select(
            Sku.code,
            Sku.name_zh,
            c.counts,
            c.bins,
            c.expected,
            c.counted,
            c.variance,
            value,
            c.pending,
            c.rejected,
            func.count().over(),
        )
        .join(Sku, Sku.id == c.sku_id)
        .order_by(case((value.is_(None), 1), else_=0), func.abs(value).desc(), func.abs(c.variance).desc(), Sku.code)
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.execute(statement)).all()
    listed: list[list[Cell]] = [[*(int(v) if isinstance(v, int) else v for v in row[:-1])] for row in rows]
    return listed, bool(rows) and limit is not None and int(rows[0][-1]) > limit


async def counts_report(session: AsyncSession, scope: RangeScope, *, limit: int | None = 50) -> Report:
    await report_plans(session)
    days = await _by_day(session, scope)
    bins, observed_bins, clean_bins = await _bins(session, scope)
    by_bin, bins_cut = await _by_bin(session, scope, limit)
    by_sku, skus_cut = await _by_sku(session, scope, limit)
    statuses = [status for status in STATUS_LABELS if any(figures.get(status) for figures in days.values())]
    total = {key: sum(figures.get(key, 0) for figures in days.values()) for key in (*STATUS_LABELS, "gain", "loss")}
    approved_value = total["gain"] + total["loss"]
    x = [day.isoformat() for day in scope.days]
    return Report(
        report="counts",
        title_en="Stock counts",
        title_zh="盘点结果",
        filters=scope.filters(),
        generated_at=scope.now,
        tiles=[
            Tile(
                key="counts",
                label_en="Counts done",
                label_zh="盘点次数",
                value=sum(total[s] for s in STATUS_LABELS),
                unit=Unit.tally,
            ),
            Tile(key="bins_counted", label_en="Bins counted", label_zh="已盘库位", value=bins, unit=Unit.tally),
            Tile(
                key="accuracy",
                label_en="Bins without variance",
                label_zh="库位准确率",
                value=percent(clean_bins, observed_bins),
                unit=Unit.percent,
            ),
            Tile(
                key="net_variance_value",
                label_en="Net variance value (approved)",
                label_zh="净差异金额（已生效）",
                value=approved_value,
                unit=Unit.fen,
            ),
            Tile(
                key="absolute_variance_value",
                label_en="Absolute variance value (approved)",
                label_zh="差异金额绝对值（已生效）",
                value=total["gain"] - total["loss"],
                unit=Unit.fen,
            ),
            Tile(
                key="pending",
                label_en="Counts awaiting approval",
                label_zh="待审批盘点",
                value=total["pending"],
                unit=Unit.tally,
            ),
        ],
        charts=[
            Chart(
                key="variance_by_day",
                label_en="Approved variance value by day",
                label_zh="每日已生效差异金额",
                kind="bar",
                unit=Unit.fen,
                x=x,
                series=[
                    Series(
                        key="gain",
                        label_en="Found more (盘盈)",
                        label_zh="盘盈",
                        values=[days[d]["gain"] if d in days else 0 for d in scope.days],
                    ),
                    Series(
                        key="loss",
                        label_en="Found less (盘亏)",
                        label_zh="盘亏",
                        values=[days[d]["loss"] if d in days else 0 for d in scope.days],
                    ),
                ],
            ),
            Chart(
                key="counts_by_day",
                label_en="Counts by day",
                label_zh="每日盘点次数",
                kind="bar",
                unit=Unit.tally,
                x=x,
                series=[
                    Series(
                        key=status,
                        label_en=STATUS_LABELS[status][0],
                        label_zh=STATUS_LABELS[status][1],
                        values=[days[d][status] if d in days else 0 for d in scope.days],
                    )
                    for status in statuses
                ],
            ),
        ],
        tables=[
            Table(
                key="by_bin",
                label_en="Variance by bin",
                label_zh="按库位差异",
                columns=columns(
                    ("counted_at", "Counted at", "盘点时间", Unit.datetime),
                    ("warehouse", "Warehouse", "仓库", Unit.text),
                    ("bin", "Bin", "库位", Unit.text),
                    ("zone", "Zone", "库区", Unit.text),
                    ("sku", "SKU", "SKU", Unit.text),
                    ("name", "Name", "名称", Unit.text),
                    ("lot", "Lot", "批次", Unit.text),
                    ("counter", "Counted by", "盘点人", Unit.text),
                    ("expected", "Expected", "账面数", Unit.qty),
                    ("counted", "Counted", "实盘数", Unit.qty),
                    ("variance", "Variance", "差异数", Unit.qty),
                    ("value", "Variance value", "差异金额", Unit.fen),
                    ("status", "Status", "状态", Unit.text),
                ),
                rows=by_bin,
                truncated=bins_cut,
            ),
            Table(
                key="by_sku",
                label_en="Variance by SKU (approved and pending counts)",
                label_zh="按SKU差异（已生效及待审批）",
                columns=columns(
                    ("sku", "SKU", "SKU", Unit.text),
                    ("name", "Name", "名称", Unit.text),
                    ("counts", "Counts", "盘点次数", Unit.tally),
                    ("bins", "Bins", "库位数", Unit.tally),
                    ("expected", "Expected", "账面数", Unit.qty),
                    ("counted", "Counted", "实盘数", Unit.qty),
                    ("variance", "Variance", "差异数", Unit.qty),
                    ("value", "Variance value", "差异金额", Unit.fen),
                    ("pending", "Pending", "待审批", Unit.tally),
                    ("rejected", "Rejected", "已驳回", Unit.tally),
                ),
                rows=by_sku,
                truncated=skus_cut,
            ),
        ],
    )
