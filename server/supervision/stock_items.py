"""Items about stock: count variances waiting for approval, and bins whose books went below zero.

A variance drops off once approved, rejected or superseded (``status`` leaves ``pending``); a
negative bin once its level is back at zero or above (a count, a late receipt, a correction).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.permissions import Permission
from server.catalog.models import Lot, Sku
from server.supervision import actions
from server.supervision.schemas import Item, ItemKind, Refs, Text
from server.supervision.scope import QueueScope
from server.tasks.models import Task, TaskKind, TaskLine, TaskStatus
from server.warehouse.count_models import VarianceStatus
from server.warehouse.count_plans import COUNTABLE
from server.warehouse.count_variances import variance_query
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Location


async def variance_items(session: AsyncSession, scope: QueueScope, take: int) -> tuple[int, list[Item]]:
    query = variance_query(scope.user, status=VarianceStatus.pending, warehouse_id=scope.warehouse_id)
    total = int(await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    may_decide = scope.user.can(Permission.counts_approve)
    items = []
    for variance, count, bin_code, sku_code, lot_number, _ in await session.execute(query.limit(take)):
        change = f"{variance.variance:+}"
        items.append(
            Item(
                id=f"variance:{variance.id}",
                kind=ItemKind.count_variance,
                title=Text(
                    en=f"Count variance at bin {bin_code}: {sku_code} counted {count.counted_qty}, "
                    f"books {variance.expected_qty} ({change})",
                    zh=f"盘点差异待审批：库位 {bin_code} 的 {sku_code} 实盘 {count.counted_qty}，"
                    f"账面 {variance.expected_qty}（{change}）",
                ),
                detail=Text(
                    en="Stock is not adjusted until a supervisor approves.",
                    zh="审批通过前不调整库存。",
                ),
                at=count.counted_at,
                warehouse_id=variance.warehouse_id,
                user_id=count.user_id,
                device_id=count.device_id or None,
                refs=Refs(
                    location_id=count.location_id,
                    location_code=bin_code,
                    sku_id=count.sku_id,
                    sku_code=sku_code,
                    lot_number=lot_number,
                    op_id=count.op_id or None,
                    count_variance_id=variance.id,
                    exception_id=variance.exception_id,
                    qty=variance.variance,
                ),
                actions=[
                    actions.approve_variance(variance.id),
                    actions.reject_variance(variance.id, recount=True),
                    actions.reject_variance(variance.id, recount=False),
                ]
                if may_decide
                else [],
            )
        )
    return total, items


async def negative_bin_items(session: AsyncSession, scope: QueueScope, take: int) -> tuple[int, list[Item]]:
    where = [StockLevel.on_hand < 0, scope.only(Location.warehouse_id)]
    total = int(
        await session.scalar(
            select(func.count())
            .select_from(StockLevel)
            .join(Location, Location.id == StockLevel.location_id)
            .where(*where)
        )
        or 0
    )
    rows = (
        await session.execute(
            select(StockLevel, Location, Sku.code, Lot.lot_number)
            .join(Location, Location.id == StockLevel.location_id)
            .join(Sku, Sku.id == StockLevel.sku_id)
            .outerjoin(Lot, Lot.id == StockLevel.lot_id)
            .where(*where)
            .order_by(StockLevel.updated_at, StockLevel.id)
            .limit(take)
        )
    ).all()
    counting = await _open_counts(session, {location.id for _, location, _, _ in rows})
    may_plan = scope.user.can(Permission.warehouse_write)
    items = []
    for level, location, sku_code, lot_number in rows:
        task_id = counting.get(location.id)
        buttons = []
        if task_id is None and may_plan and location.type in COUNTABLE:
            buttons.append(actions.count_bin(location.warehouse_id, location.id))
        items.append(
            Item(
                id=f"level:{level.id}",
                kind=ItemKind.negative_bin,
                title=Text(
                    en=f"Bin {location.code} shows {level.on_hand} of {sku_code}",
                    zh=f"库位 {location.code} 的 {sku_code} 账面为 {level.on_hand}",
                ),
                detail=Text(
                    en=f"Count task {task_id} is open for the bin." if task_id else "No count is open for the bin.",
                    zh=f"该库位已有盘点任务 {task_id}。" if task_id else "该库位尚无盘点任务。",
                ),
                at=level.updated_at,
                warehouse_id=location.warehouse_id,
                refs=Refs(
                    task_id=task_id,
                    location_id=location.id,
                    location_code=location.code,
                    sku_id=level.sku_id,
                    sku_code=sku_code,
                    lot_number=lot_number,
                    qty=level.on_hand,
                ),
                actions=buttons,
            )
        )
    return total, items


async def _open_counts(session: AsyncSession, location_ids: set[int]) -> dict[int, int]:
    """Bin → the open (or claimed) count or recount task that will settle it."""
    if not location_ids:
        return {}
    rows = await session.execute(
        select(TaskLine.location_id, func.min(Task.id))
        .join(Task, Task.id == TaskLine.task_id)
        .where(
            TaskLine.location_id.in_(sorted(location_ids)),
            Task.kind.in_([TaskKind.bin_count, TaskKind.recount]),
            Task.status.in_([TaskStatus.open, TaskStatus.claimed]),
        )
        .group_by(TaskLine.location_id)
    )
    return {int(location): int(task) for location, task in rows}
