"""Picker productivity over a range of local days: picks per hour and accuracy, per picker and zone.

What is measured, from what the ledger and the floor record:

- **a pick** is one ``pick`` move: one scan confirming units of a SKU taken from a bin, booked with
  the picker (``actor_user_id``), the bin (its zone) and the event time — the phone's, not the
  upload's, so an offline morning lands in the morning. **Units** are the moves' quantities;
- **active hours** are the local clock hours in which the picker made at least one pick. It needs
  no clock-in records (there are none) and does not reward a slow picker who starts early and
  finishes late; an hour with one pick counts whole. A zone's hours are picker-hours: an hour in
  which a picker picked in two zones counts once in each;
- **picks per hour** = picks ÷ active hours;
- **accuracy** = share of picks not later found wrong (``pick_errors``: a wrong item or an over-pick
  flagged by the pick itself, or a failed pack check of the parcel the pick names).

One statement reads the range's picks once from ``stock_moves (reason, occurred_at)`` (an
index-only scan on PostgreSQL: the index carries the bin, picker and quantity), groups them per
(picker, bin's warehouse and zone, local hour) and folds those groups per picker, per zone and per
day in SQL: a few hundred rows come back however many picks there were. The errors are read from
the exception tables, not from the picks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import BigInteger, CompoundSelect, cast, func, literal_column, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from server.reports.envelope import Cell, Chart, Report, Series, Table, Tile, Unit
from server.reports.local_time import as_date, day_of_hour, local_hour
from server.reports.order_figures import capped, percent
from server.reports.pick_errors import WrongPick, wrong_picks
from server.reports.planner import report_plans
from server.reports.range_scope import RangeScope
from server.reports.warehouse_figures import columns, ratio, user_names, warehouse_codes, zone_names
from server.warehouse.ledger.models import MoveReason, StockMove
from server.warehouse.models import Location

NO_NAME = "—"
K = TypeVar("K")


@dataclass(slots=True)
class _Tally:
    picks: int = 0
    units: int = 0
    hours: int = 0
    """A picker's active hours, or a zone's picker-hours."""
    pickers: int = 0
    wrong: int = 0

    @property
    def per_hour(self) -> float | None:
        return ratio(self.picks, self.hours)

    @property
    def accuracy(self) -> float | None:
        return percent(self.picks - self.wrong, self.picks)


ZoneKey = tuple[int, int | None]
"""(warehouse id, zone id — ``None`` for bins outside any zone)."""

_PICKER, _ZONE, _ZONE_PICKERS, _DAY = 0, 1, 2, 3


@dataclass(slots=True)
class _Folded:
    pickers: dict[int | None, _Tally] = field(default_factory=dict)
    zones: dict[ZoneKey, _Tally] = field(default_factory=dict)
    days: dict[date, int] = field(default_factory=dict)

    @property
    def total(self) -> _Tally:
        """Every picker's figures added up (picker-hours for hours)."""
        total = _Tally(pickers=sum(1 for user_id in self.pickers if user_id is not None))
        for t in self.pickers.values():
            total.picks += t.picks
            total.units += t.units
            total.hours += t.hours
            total.wrong += t.wrong
        return total


def _statement(session: AsyncSession, scope: RangeScope) -> CompoundSelect[Any]:
    """One statement: picks grouped per (picker, warehouse, zone, local hour) once, then folded
    four ways — per picker (its distinct hours), per zone (its picker-hours, its pickers), per day."""
    buckets = (
        select(
            StockMove.actor_user_id.label("user_id"),
            Location.warehouse_id.label("warehouse_id"),
            Location.zone_id.label("zone_id"),
            local_hour(session, StockMove.occurred_at, scope).label("hour"),
            func.count().label("picks"),
            func.sum(StockMove.qty).label("units"),
        )
        .join(Location, Location.id == StockMove.from_location_id)
        .where(
            StockMove.reason == MoveReason.pick,
            StockMove.occurred_at >= scope.start,
            StockMove.occurred_at < scope.end,
            scope.only(Location.warehouse_id),
        )
        .group_by(StockMove.actor_user_id, Location.warehouse_id, Location.zone_id, "hour")
        .cte("buckets")
    )
    b = buckets.c
    hours = (
        select(b.user_id, b.hour, func.sum(b.picks).label("picks"), func.sum(b.units).label("units"))
        .group_by(b.user_id, b.hour)
        .subquery("picker_hours")
    )
    pickers = (
        select(b.warehouse_id, b.zone_id, b.user_id)
        .group_by(b.warehouse_id, b.zone_id, b.user_id)
        .subquery("zone_pickers")
    )  # a hashed GROUP BY: COUNT(DISTINCT) would sort every bucket
    nothing = cast(null(), BigInteger)
    day = day_of_hour(b.hour)
    return union_all(
        select(
            literal_column(str(_PICKER)),
            hours.c.user_id,
            nothing,
            func.sum(hours.c.picks),
            func.sum(hours.c.units),
            func.count(),
            literal_column("1"),
        ).group_by(hours.c.user_id),
        select(
            literal_column(str(_ZONE)),
            b.warehouse_id,
            b.zone_id,
            func.sum(b.picks),
            func.sum(b.units),
            func.count(),  # a bucket is one picker's hour in the zone
            literal_column("0"),
        ).group_by(b.warehouse_id, b.zone_id),
        select(
            literal_column(str(_ZONE_PICKERS)),
            pickers.c.warehouse_id,
            pickers.c.zone_id,
            literal_column("0"),
            literal_column("0"),
            literal_column("0"),
            func.count(),
        ).group_by(pickers.c.warehouse_id, pickers.c.zone_id),
        select(
            literal_column(str(_DAY)),
            day,
            nothing,
            func.sum(b.picks),
            func.sum(b.units),
            literal_column("0"),
            literal_column("0"),
        ).group_by(day),
    )


async def _fold(session: AsyncSession, scope: RangeScope) -> _Folded:
    folded = _Folded()
    zone_pickers: dict[ZoneKey, int] = {}
    for kind, first, second, picks, units, hours, pickers in await session.execute(_statement(session, scope)):
        tally = _Tally(picks=int(picks), units=int(units or 0), hours=int(hours), pickers=int(pickers))
        if kind == _PICKER:
            folded.pickers[first] = tally
        elif kind == _ZONE:
            folded.zones[(int(first), second)] = tally
        elif kind == _ZONE_PICKERS:
            zone_pickers[(int(first), second)] = tally.pickers
        else:
            folded.days[as_date(first)] = tally.picks
    for key, tally in folded.zones.items():
        tally.pickers = zone_pickers.get(key, 0)
    return folded


def _count_errors(folded: _Folded, wrong: dict[int, WrongPick]) -> None:
    for pick in wrong.values():
        if pick.user_id in folded.pickers:
            folded.pickers[pick.user_id].wrong += 1
        if (pick.warehouse_id, pick.zone_id) in folded.zones:
            folded.zones[(pick.warehouse_id, pick.zone_id)].wrong += 1


def _ranked(tallies: Mapping[K, _Tally]) -> list[tuple[K, _Tally]]:
    return sorted(tallies.items(), key=lambda item: (-item[1].picks, -item[1].units, str(item[0])))


async def productivity_report(session: AsyncSession, scope: RangeScope, *, limit: int | None = 50) -> Report:
    await report_plans(session)
    folded = await _fold(session, scope)
    _count_errors(folded, await wrong_picks(session, scope))
    names = await user_names(session, {u for u in folded.pickers if u is not None})
    codes = await warehouse_codes(session) if folded.zones else {}
    zones = await zone_names(session) if folded.zones else {}

    picker_rows: list[list[Cell]] = [
        [
            names.get(user_id, NO_NAME) if user_id is not None else NO_NAME,
            t.picks,
            t.units,
            t.hours,
            t.per_hour,
            t.accuracy,
        ]
        for user_id, t in _ranked(folded.pickers)
    ]
    zone_rows: list[list[Cell]] = []
    for (warehouse_id, zone_id), t in _ranked(folded.zones):
        code, name = zones.get(zone_id, (NO_NAME, "")) if zone_id is not None else (NO_NAME, "")
        zone_rows.append(
            [
                codes.get(warehouse_id, str(warehouse_id)),
                code,
                name,
                t.picks,
                t.units,
                t.pickers,
                t.hours,
                t.per_hour,
                t.accuracy,
            ]
        )
    pickers_shown, pickers_cut = capped(picker_rows, limit)
    zones_shown, zones_cut = capped(zone_rows, limit)
    total = folded.total
    return Report(
        report="productivity",
        title_en="Picker productivity",
        title_zh="拣货效率",
        filters=scope.filters(),
        generated_at=scope.now,
        tiles=[
            Tile(key="picks", label_en="Picks", label_zh="拣货次数", value=total.picks, unit=Unit.tally),
            Tile(key="units", label_en="Units picked", label_zh="拣货件数", value=total.units, unit=Unit.qty),
            Tile(key="pickers", label_en="Pickers", label_zh="拣货人数", value=total.pickers, unit=Unit.tally),
            Tile(
                key="picks_per_hour",
                label_en="Picks per hour",
                label_zh="每小时拣货",
                value=total.per_hour,
                unit=Unit.per_hour,
            ),
            Tile(
                key="accuracy", label_en="Pick accuracy", label_zh="拣货准确率", value=total.accuracy, unit=Unit.percent
            ),
        ],
        charts=[
            Chart(
                key="picks_by_day",
                label_en="Picks by day",
                label_zh="每日拣货次数",
                kind="bar",
                unit=Unit.tally,
                x=[day.isoformat() for day in scope.days],
                series=[
                    Series(
                        key="picks",
                        label_en="Picks",
                        label_zh="拣货次数",
                        values=[folded.days.get(d, 0) for d in scope.days],
                    )
                ],
            )
        ],
        tables=[
            Table(
                key="pickers",
                label_en="By picker",
                label_zh="按拣货员",
                columns=columns(
                    ("picker", "Picker", "拣货员", Unit.text),
                    ("picks", "Picks", "拣货次数", Unit.tally),
                    ("units", "Units", "件数", Unit.qty),
                    ("active_hours", "Active hours", "有效工时", Unit.hours),
                    ("picks_per_hour", "Picks per hour", "每小时拣货", Unit.per_hour),
                    ("accuracy", "Accuracy", "准确率", Unit.percent),
                ),
                rows=pickers_shown,
                truncated=pickers_cut,
            ),
            Table(
                key="zones",
                label_en="By zone",
                label_zh="按库区",
                columns=columns(
                    ("warehouse", "Warehouse", "仓库", Unit.text),
                    ("zone", "Zone", "库区", Unit.text),
                    ("zone_name", "Zone name", "库区名称", Unit.text),
                    ("picks", "Picks", "拣货次数", Unit.tally),
                    ("units", "Units", "件数", Unit.qty),
                    ("pickers", "Pickers", "拣货人数", Unit.tally),
                    ("picker_hours", "Picker-hours", "人时", Unit.hours),
                    ("picks_per_hour", "Picks per hour", "每小时拣货", Unit.per_hour),
                    ("accuracy", "Accuracy", "准确率", Unit.percent),
                ),
                rows=zones_shown,
                truncated=zones_cut,
            ),
        ],
    )
