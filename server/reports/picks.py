"""Picks per hour of the business day, from the ledger: every pick scan is one ``pick`` move.

One grouped query over ``stock_moves (reason, occurred_at)``; the hour of each move is found by a
CASE over the day's hour boundaries (computed in the warehouse's zone here), so both backends
bucket alike without time-zone functions of their own.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.reports.schemas import HourPicks
from server.reports.scope import ReportScope
from server.warehouse.ledger.models import MoveReason, StockMove
from server.warehouse.models import Location


async def picks_per_hour(session: AsyncSession, scope: ReportScope) -> list[HourPicks]:
    hours = list(scope.day.hours())
    bucket = case(*((StockMove.occurred_at < end, index) for index, (_, _, end) in enumerate(hours)), else_=-1)
    statement = (
        select(bucket.label("bucket"), func.count(), func.coalesce(func.sum(StockMove.qty), 0))
        .where(
            StockMove.reason == MoveReason.pick,
            StockMove.occurred_at >= scope.day.start,
            StockMove.occurred_at < scope.day.end,
        )
        .group_by("bucket")
    )
    if scope.warehouse_ids is not None:
        statement = statement.join(Location, Location.id == StockMove.from_location_id).where(
            scope.only(Location.warehouse_id)
        )
    found = {int(index): (int(picks), int(units)) for index, picks, units in await session.execute(statement)}
    return [
        HourPicks(hour=hour, starts_at=start, picks=found.get(i, (0, 0))[0], units=found.get(i, (0, 0))[1])
        for i, (hour, start, _) in enumerate(hours)
    ]
