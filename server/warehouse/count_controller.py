"""HTTP face of planned cycle counts; the counts themselves arrive from phones by sync."""

from __future__ import annotations

from litestar import Controller, post
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.lib.schema import Input, Schema
from server.warehouse.count_plans import MAX_BINS, plan_counts


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


CONTROLLERS: list[type] = [CountPlanController]
