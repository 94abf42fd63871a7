"""Count variances that wait for a supervisor (盘点差异待审批): held, superseded, listed (ADR-0013).

The count handler (``ops.bin_counted``) holds a count here instead of adjusting when its variance
exceeds the warehouse's threshold, and tells the phone so with an exception; the supervisor's
queue entry is a ``WorkException`` resolved with the decision. Deciding lives in
``count_approvals``.

A held count is superseded — no longer approvable — as soon as a later count of the same bin, SKU
and lot sets the bin (applied at once, or approved): approving the older one afterwards would
shift the bin away from what the later count saw.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.auth.identity import AuthUser
from server.auth.models import User
from server.catalog.models import Lot, Sku
from server.lib.schema import Schema
from server.notify.count_events import notify_count_variance
from server.tasks.models import ExceptionStatus, WorkException
from server.tasks.service import open_exception
from server.warehouse.count_models import BinCount, CountOutcome, CountVariance, VarianceStatus
from server.warehouse.count_settings import Assessed
from server.warehouse.models import Location
from sync.registry import OpContext
from sync.wire import RaisedException

AWAITING_APPROVAL = "count_variance_awaiting_approval"
"""The exception kind the phone shows: the count was recorded, the stock was not adjusted."""


async def hold_for_approval(
    ctx: OpContext, count: BinCount, assessed: Assessed
) -> tuple[CountVariance, RaisedException]:
    """Record ``count`` (already flushed, outcome ``awaiting_approval``) as a pending variance, with
    an exception in the supervisor's queue; the exception is also the op's answer to the phone.

    The value is not in the exception: it is the SKU's cost times the variance, and costs are
    never sent to devices (SPEC.md §6.3).
    """
    row = CountVariance(
        bin_count_id=count.id,
        warehouse_id=ctx.warehouse_id,
        status=VarianceStatus.pending,
        expected_qty=count.ledger_qty,
        variance=assessed.variance,
        value_minor=assessed.value_minor,
        currency=assessed.currency,
        over_units=assessed.over_units,
        over_value=assessed.over_value,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    raised = await open_exception(
        ctx.session,
        warehouse_id=ctx.warehouse_id,
        kind=AWAITING_APPROVAL,
        message=(
            f"count variance awaiting approval: bin {count.location_id} counted {count.counted_qty}, "
            f"books {count.ledger_qty} ({assessed.variance:+}); not adjusted until a supervisor approves"
        ),
        message_zh=(
            f"盘点差异待审批：实盘 {count.counted_qty}，账面 {count.ledger_qty}"
            f"（差异 {assessed.variance:+}），审批前不调整库存"
        ),
        refs={
            "location_id": count.location_id,
            "sku_id": count.sku_id,
            "lot_id": count.lot_id,
            "counted_qty": count.counted_qty,
            "ledger_qty": count.ledger_qty,
            "variance": assessed.variance,
            "bin_count_id": count.id,
            "count_variance_id": row.id,
        },
        op_id=ctx.op.op_id,
    )
    row.exception_id = raised.ref["exception_id"]
    await notify_count_variance(ctx.session, row, count, now=ctx.received_at)  # the supervisors' phones
    return row, raised


async def supersede_pending(session: AsyncSession, count: BinCount, *, at: datetime) -> list[int]:
    """Mark superseded every pending variance of ``count``'s level counted at or before it; ``count``
    has just set the bin (applied or approved). Answers their ids."""
    rows = await session.execute(
        select(CountVariance, BinCount)
        .join(BinCount, BinCount.id == CountVariance.bin_count_id)
        .where(
            CountVariance.status == VarianceStatus.pending,
            BinCount.location_id == count.location_id,
            BinCount.sku_id == count.sku_id,
            BinCount.lot_key == count.lot_key,
            BinCount.counted_at <= count.counted_at,
            BinCount.id != count.id,
        )
        .order_by(CountVariance.id)
    )
    superseded: list[int] = []
    for variance, held in rows:
        variance.status = VarianceStatus.superseded
        variance.superseded_by_count_id = count.id
        variance.decided_at = at
        held.outcome = CountOutcome.superseded
        await resolve_exception(
            session, variance, at=at, user_id=None, resolution=f"superseded by the later count {count.id}"
        )
        superseded.append(variance.id)
    return superseded


async def resolve_exception(
    session: AsyncSession, variance: CountVariance, *, at: datetime, user_id: int | None, resolution: str
) -> None:
    """Close the variance's entry in the supervisor's exception queue."""
    if variance.exception_id is None:
        return
    row = await session.get(WorkException, variance.exception_id)
    if row is not None and row.status is ExceptionStatus.open:
        row.status = ExceptionStatus.resolved
        row.resolved_at = at
        row.resolved_by_user_id = user_id
        row.resolution = resolution


# --- the supervisor's list ------------------------------------------------------------------------


class CountVarianceOut(Schema):
    id: int
    status: VarianceStatus
    warehouse_id: int
    bin_count_id: int
    location_id: int
    location_code: str
    sku_id: int
    sku_code: str
    lot_id: int | None
    lot_number: str | None
    expected_qty: int
    """The ledger's quantity as of the count, when the count arrived."""
    counted_qty: int
    variance: int
    value_minor: int | None
    """``variance`` × standard cost (分): finance data, shown only to users with ``finance.read``."""
    currency: str
    exceeds: list[str]
    """Which limits it broke: ``units``, ``value``."""
    counted_at: datetime
    counted_by_user_id: int | None
    counted_by: str | None
    device_id: str
    op_id: str
    exception_id: int | None
    created_at: datetime
    decided_at: datetime | None
    decided_by_user_id: int | None
    reason: str
    adjustment: int
    """What the approval posted: counted − the ledger as of the count, measured at approval."""
    adjustment_move_id: int | None
    recount_task_id: int | None
    superseded_by_count_id: int | None


_Counter = aliased(User)
VarianceRow = Select[*tuple[Any, ...]]
"""(variance, its count, bin code, SKU code, lot number, counter's username)."""


def variance_query(
    user: AuthUser,
    *,
    status: VarianceStatus | None,
    warehouse_id: int | None = None,
    location_id: int | None = None,
    sku_id: int | None = None,
) -> VarianceRow:
    """Variances with their count, bin, SKU, lot and counter, oldest first (a queue), in the user's
    warehouses only."""
    query: VarianceRow = (
        select(CountVariance, BinCount, Location.code, Sku.code, Lot.lot_number, _Counter.username)
        .join(BinCount, BinCount.id == CountVariance.bin_count_id)
        .join(Location, Location.id == BinCount.location_id)
        .join(Sku, Sku.id == BinCount.sku_id)
        .outerjoin(Lot, Lot.id == BinCount.lot_id)
        .outerjoin(_Counter, _Counter.id == BinCount.user_id)
        .order_by(BinCount.counted_at, CountVariance.id)
    )
    if status is not None:
        query = query.where(CountVariance.status == status)
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
        query = query.where(CountVariance.warehouse_id == warehouse_id)
    visible = user.visible_warehouses()
    if visible is not None:
        query = query.where(CountVariance.warehouse_id.in_(visible))
    if location_id is not None:
        query = query.where(BinCount.location_id == location_id)
    if sku_id is not None:
        query = query.where(BinCount.sku_id == sku_id)
    return query


def variance_out(row: Any, *, show_value: bool) -> CountVarianceOut:
    """One row of ``variance_query``; ``show_value`` is ``skus.cost_visible(user)``."""
    variance, count, location_code, sku_code, lot_number, username = row
    return CountVarianceOut(
        id=variance.id,
        status=variance.status,
        warehouse_id=variance.warehouse_id,
        bin_count_id=count.id,
        location_id=count.location_id,
        location_code=location_code,
        sku_id=count.sku_id,
        sku_code=sku_code,
        lot_id=count.lot_id,
        lot_number=lot_number,
        expected_qty=variance.expected_qty,
        counted_qty=count.counted_qty,
        variance=variance.variance,
        value_minor=variance.value_minor if show_value else None,
        currency=variance.currency if show_value else "",
        exceeds=[name for name, over in (("units", variance.over_units), ("value", variance.over_value)) if over],
        counted_at=count.counted_at,
        counted_by_user_id=count.user_id,
        counted_by=username,
        device_id=count.device_id,
        op_id=count.op_id,
        exception_id=variance.exception_id,
        created_at=variance.created_at,
        decided_at=variance.decided_at,
        decided_by_user_id=variance.decided_by_user_id,
        reason=variance.reason,
        adjustment=variance.adjustment,
        adjustment_move_id=variance.adjustment_move_id,
        recount_task_id=variance.recount_task_id,
        superseded_by_count_id=variance.superseded_by_count_id,
    )
