"""HTTP face of the reports (read-only; ``orders.read``): the "today" page, and every range report
by name as JSON (with the filter options) or one of its tables as a CSV file."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.types import utcnow
from server.reports.csv_export import filename, pick_table, table_csv
from server.reports.envelope import Report
from server.reports.options import filter_options
from server.reports.registry import build_report
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

    @get("/{report:str}", operation_id="GetReport", guards=Read)
    async def report(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        report: Annotated[str, Parameter(description="sales, fulfilment, productivity, stock or counts")],
        date_from: Annotated[
            date | None, Parameter(description="first local day (YYYY-MM-DD); 6 days before date_to when absent")
        ] = None,
        date_to: Annotated[date | None, Parameter(description="last local day, inclusive; today when absent")] = None,
        warehouse_id: Annotated[
            int | None, Parameter(description="one warehouse; every warehouse you may see when absent")
        ] = None,
        platform: Annotated[str | None, Parameter(description="one platform (taobao, jd, pdd, douyin…)")] = None,
        channel_id: Annotated[int | None, Parameter(description="one shop")] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000, description="rows in the long tables (JSON only)")] = 50,
        format: Annotated[Literal["json", "csv"], Parameter(description="csv: one table, every row")] = "json",
        table: Annotated[str | None, Parameter(description="the table a CSV holds; the first when absent")] = None,
        lang: Annotated[Literal["zh", "en"], Parameter(description="the CSV's column names")] = "zh",
    ) -> Report | Response[bytes]:
        """A manager report over local days: tiles, charts and tables (money in fen) plus the filter
        options; with ``format=csv`` one table as a UTF-8 CSV (BOM, money in yuan) to download."""
        built = await build_report(
            db_session,
            current_user,
            report,
            now=utcnow(),
            date_from=date_from,
            date_to=date_to,
            warehouse_id=warehouse_id,
            platform=platform,
            channel_id=channel_id,
            limit=None if format == "csv" else limit,
        )
        if format == "csv":
            chosen = pick_table(built, table)
            return Response(
                table_csv(chosen, lang),
                media_type="text/csv",  # Litestar adds "; charset=utf-8"
                headers={"Content-Disposition": f'attachment; filename="{filename(built, chosen)}"'},
            )
        built.options = await filter_options(db_session, current_user)
        return built


CONTROLLERS: list[type] = [ReportsController]
