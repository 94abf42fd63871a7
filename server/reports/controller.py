"""HTTP face of the reports (read-only; ``orders.read``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.types import utcnow
from server.reports.schemas import TodayReport
from server.reports.today import today_report

Read = [requires(Permission.orders_read)]


class ReportsController(Controller):
    path = "/api/reports"
    tags = ["reports"]  # noqa: RUF012

    @get("/today", operation_id="ReportToday", guards=Read)
    async def today(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        warehouse_id: Annotated[
            int | None, Parameter(description="one warehouse; every warehouse you may see when absent")
        ] = None,
        promotion: Annotated[
            bool, Parameter(description="618 / Double 11: platforms count 24 h instead of 48 h as late")
        ] = False,
        limit: Annotated[int, Parameter(ge=1, le=100, description="rows in the urgent and stock-out lists")] = 20,
    ) -> TodayReport:
        """Today in the warehouse's time zone: orders paid today by status, the backlog, shipped
        against due, late and urgent orders, picks per hour and stock-outs."""
        return await today_report(
            db_session, current_user, warehouse_id=warehouse_id, now=utcnow(), promotion=promotion, list_limit=limit
        )


CONTROLLERS: list[type] = [ReportsController]
