"""Every range report by the name ``GET /api/reports/{report}`` takes: adding one is a line here.

A builder takes the session and a ``RangeScope`` and answers a ``Report``; ``limit`` caps its long
tables (``None`` for all rows: what the CSV export asks for).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.lib.errors import NotFound
from server.reports.counts import counts_report
from server.reports.envelope import Report
from server.reports.fulfilment import fulfilment_report
from server.reports.planner import report_plans
from server.reports.productivity import productivity_report
from server.reports.range_scope import RangeScope, range_scope
from server.reports.sales import sales_report
from server.reports.stock import stock_report


class ReportBuilder(Protocol):
    async def __call__(self, session: AsyncSession, scope: RangeScope, *, limit: int | None = 50) -> Report: ...


REPORTS: dict[str, ReportBuilder] = {
    "sales": sales_report,
    "fulfilment": fulfilment_report,
    "productivity": productivity_report,
    "stock": stock_report,
    "counts": counts_report,
}


async def build_report(
    session: AsyncSession,
    user: AuthUser,
    name: str,
    *,
    now: datetime,
    date_from: date | None = None,
    date_to: date | None = None,
    warehouse_id: int | None = None,
    platform: str | None = None,
    channel_id: int | None = None,
    limit: int | None = 50,
) -> Report:
    """Report ``name`` for ``user``: 404 for a report that does not exist, then the scope's checks
    (403 outside the user's warehouses, 422 for a reversed or too long range)."""
    builder = REPORTS.get(name)
    if builder is None:
        raise NotFound(
            f"no report {name!r}; there are {', '.join(REPORTS)}",
            message_zh=f"报表 {name} 不存在，可选：{'、'.join(REPORTS)}",
            field="report",
            code="unknown_report",
        )
    scope = await range_scope(
        session,
        user,
        now=now,
        date_from=date_from,
        date_to=date_to,
        warehouse_id=warehouse_id,
        platform=platform,
        channel_id=channel_id,
    )
    await report_plans(session)
    return await builder(session, scope, limit=limit)
