"""The manager's "today" page: one call, every section of the day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.reports import orders_today
from server.reports.picks import picks_per_hour
from server.reports.schemas import TodayReport
from server.reports.scope import report_scope
from server.reports.stock_outs import stock_outs


async def today_report(
    session: AsyncSession,
    user: AuthUser,
    *,
    warehouse_id: int | None,
    now: datetime,
    promotion: bool = False,
    list_limit: int = 20,
) -> TodayReport:
    scope = await report_scope(session, user, warehouse_id, now)
    by_status = await orders_today.paid_today_by_status(session, scope)
    return TodayReport(
        warehouse_id=warehouse_id,
        timezone=scope.day.zone.key,
        date=scope.day.date,
        day_starts_at=scope.day.start,
        day_ends_at=scope.day.end,
        generated_at=now,
        orders_paid_today=sum(item.count for item in by_status),
        orders_by_status=by_status,
        open_by_status=await orders_today.open_by_status(session, scope),
        shipped_vs_due=await orders_today.shipped_vs_due(session, scope, promotion=promotion),
        urgent=await orders_today.late_and_urgent(session, scope, promotion=promotion, limit=list_limit),
        picks_per_hour=await picks_per_hour(session, scope),
        stock_outs=await stock_outs(session, scope, limit=list_limit),
    )
