"""HTTP face of cycle counts: planned count tasks, the variance approval queue and its threshold.
The counts themselves arrive from phones by sync (``ops.bin_counted``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.catalog.services.skus import cost_visible
from server.db.transaction import run_in_transaction
from server.lib.pagination import Page, PageParams, paginate
from server.lib.schema import Input, Schema
from server.warehouse import count_approvals
from server.warehouse.count_approvals import RejectInput
from server.warehouse.count_models import VarianceStatus
from server.warehouse.count_plans import MAX_BINS, plan_counts
from server.warehouse.count_settings import (
    CountSettingsInput,
    CountSettingsOut,
    get_count_settings,
    save_count_settings,
)
from server.warehouse.count_variances import CountVarianceOut, variance_out, variance_query

Approve = [requires(Permission.counts_approve)]


class CountPlanInput(Input):
    warehouse_id: int
    zone_id: int | None = None
    location_ids: list[int] | None = None
    sku_id: int | None = None
    blind: bool = True
    max_bins: int = MAX_BINS


class CountTaskOut(Schema):
    task_id: int
    blind: bool
    bins: int


class CountPlanController(Controller):
    path = "/api/count-tasks"
    tags = ["warehouse"]  # noqa: RUF012

    @post("/", operation_id="PlanCounts", guards=[requires(Permission.warehouse_write)], status_code=201)
    async def plan(self, db_session: AsyncSession, current_user: AuthUser, data: CountPlanInput) -> list[CountTaskOut]:
        """Count tasks by zone, bins or SKU (blind by default), one per zone in walking order."""
        tasks = await plan_counts(
            db_session,
            current_user,
            warehouse_id=data.warehouse_id,
            zone_id=data.zone_id,
            location_ids=data.location_ids,
            sku_id=data.sku_id,
            blind=data.blind,
            max_bins=data.max_bins,
        )
        return [CountTaskOut(task_id=task.id, blind=task.blind, bins=bins) for task, bins in tasks]


class CountVarianceController(Controller):
    path = "/api/count-variances"
    tags = ["warehouse"]  # noqa: RUF012

    @get("/", operation_id="ListCountVariances", guards=Approve)
    async def list_variances(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        status: Annotated[
            VarianceStatus | None, Parameter(description="pending (default), approved, rejected or superseded")
        ] = VarianceStatus.pending,
        warehouse_id: int | None = None,
        location_id: int | None = None,
        sku_id: int | None = None,
    ) -> Page[CountVarianceOut]:
        """Counts whose variance exceeded the threshold, oldest count first; the value at cost is
        shown only to users who may see costs (finance.read)."""
        statement = variance_query(
            current_user, status=status, warehouse_id=warehouse_id, location_id=location_id, sku_id=sku_id
        )
        show_value = cost_visible(current_user)
        return await paginate(db_session, statement, page, lambda row: variance_out(row, show_value=show_value))

    @post("/{variance_id:int}/approve", operation_id="ApproveCountVariance", guards=Approve, status_code=200)
    async def approve(
        self, session_factory: async_sessionmaker[AsyncSession], current_user: AuthUser, variance_id: int
    ) -> CountVarianceOut:
        """Post the count's adjustment: counted − the ledger as of the count (moves after it stay).
        409 when already decided, superseded by a later count, or made ambiguous by a late move."""
        return await run_in_transaction(
            session_factory, lambda s: count_approvals.approve(s, current_user, variance_id)
        )

    @post("/{variance_id:int}/reject", operation_id="RejectCountVariance", guards=Approve, status_code=200)
    async def reject(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        current_user: AuthUser,
        variance_id: int,
        data: RejectInput,
    ) -> CountVarianceOut:
        """Leave the ledger as it is, with a reason; ``recount: true`` opens a recount task for the bin."""
        return await run_in_transaction(
            session_factory, lambda s: count_approvals.reject(s, current_user, variance_id, data)
        )


class CountSettingsController(Controller):
    path = "/api/warehouses/{warehouse_id:int}/count-settings"
    tags = ["warehouse"]  # noqa: RUF012

    @get("/", operation_id="GetCountSettings", guards=Approve)
    async def get_settings(
        self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: int
    ) -> CountSettingsOut:
        """The warehouse's variance approval threshold (the defaults until one is saved)."""
        return await get_count_settings(db_session, current_user, warehouse_id)

    @put("/", operation_id="SaveCountSettings", guards=Approve)
    async def save_settings(
        self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: int, data: CountSettingsInput
    ) -> CountSettingsOut:
        """Set the threshold: a count whose |variance| is above ``max_variance_units`` units or
        ``max_variance_value_minor`` 分 at standard cost waits for approval; 0 turns a limit off."""
        return await save_count_settings(db_session, current_user, warehouse_id, data)


CONTROLLERS: list[type] = [CountPlanController, CountVarianceController, CountSettingsController]
