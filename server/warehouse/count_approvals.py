"""A supervisor approves or rejects a count that waited for approval (ADR-0013).

Approving applies the count as its op would have been applied without the threshold, only later:
under the same bin lock, with the same rule — the adjustment is counted − the ledger *as of the
count* (moves made after it stay) — posted through the ledger at the count's event time and keyed
by the count's op, so it is posted at most once however the request is retried. The count then
becomes ``adjusted`` (or ``matched``) and counts for the late-move rule and for later counts like
any other.

Locks are taken in the push's order — the bin first, then the variance row — so an approval and a
phone's push counting the same bin wait for each other instead of deadlocking.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.catalog.services.skus import cost_visible
from server.db.types import utcnow
from server.lib.errors import Conflict, NotFound
from server.lib.schema import Input
from server.tasks.models import TaskKind
from server.tasks.service import open_count_task
from server.warehouse.bin_locks import lock_bins
from server.warehouse.count_models import BinCount, CountOutcome, CountVariance, VarianceStatus
from server.warehouse.count_variances import (
    CountVarianceOut,
    resolve_exception,
    supersede_pending,
    variance_out,
    variance_query,
)
from server.warehouse.late_moves import COUNT_AMBIGUITY, Level
from server.warehouse.ops import ledger_as_of, moved_just_before, post_count_adjustment
from sync.registry import OpContext, OpRejected
from sync.wire import Op

COUNTED_OP = "warehouse.bin_counted"


class RejectInput(Input):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    recount: bool = False
    """Open a recount task for the bin (the phone that answers it settles the question)."""


_ALREADY = {
    VarianceStatus.approved: (
        "variance_already_approved",
        "this count variance was already approved",
        "该盘点差异已审批通过",
    ),
    VarianceStatus.rejected: (
        "variance_already_rejected",
        "this count variance was already rejected",
        "该盘点差异已驳回",
    ),
    VarianceStatus.superseded: (
        "variance_superseded",
        "a later count of the bin has been applied since: this one can no longer be approved or rejected",
        "该库位之后的盘点已生效，此差异已被取代",
    ),
}


def _deferred_context(session: AsyncSession, count: BinCount, warehouse_id: int, user: AuthUser) -> OpContext:
    """The count op's own context, applied late: its op id (the adjustment's ledger key is the one
    an immediate adjustment would have had), its device and its event time; the approver is the
    user, so the ledger names who let the stock change."""
    op = Op(
        op_id=count.op_id,
        seq=0,
        name=COUNTED_OP,
        payload={"location_id": count.location_id, "sku_id": count.sku_id, "counted_qty": count.counted_qty},
        hlc="",
        wall_time=count.counted_at,
    )
    return OpContext(
        session=session,
        op=op,
        device_id=count.device_id,
        user_id=user.id,
        warehouse_id=warehouse_id,
        event_time=count.counted_at,
        received_at=utcnow(),
        clock_flagged=False,
    )


async def _pending(
    session: AsyncSession, user: AuthUser, variance_id: int
) -> tuple[CountVariance, BinCount, OpContext]:
    """The variance, still pending, with its count, its bin held exclusively and its row locked."""
    variance = await session.get(CountVariance, variance_id)
    count = None if variance is None else await session.get(BinCount, variance.bin_count_id)
    if variance is None or count is None:
        raise NotFound(f"no count variance {variance_id}", message_zh="盘点差异不存在", code="count_variance_not_found")
    user.require_warehouse(variance.warehouse_id)
    ctx = _deferred_context(session, count, variance.warehouse_id, user)
    await lock_bins(ctx, {count.location_id: True})  # the bin first (the push's order), then the rows
    locked = await session.scalar(
        select(CountVariance)
        .where(CountVariance.id == variance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    await session.refresh(count)  # a push may have superseded it while we waited for the bin
    if locked is None:  # pragma: no cover - variances are never deleted
        raise NotFound(f"no count variance {variance_id}", message_zh="盘点差异不存在", code="count_variance_not_found")
    if locked.status is not VarianceStatus.pending:
        code, message, message_zh = _ALREADY[locked.status]
        raise Conflict(message, message_zh=message_zh, code=code, detail={"status": locked.status.value})
    return locked, count, ctx


async def approve(session: AsyncSession, user: AuthUser, variance_id: int) -> CountVarianceOut:
    """Post the held count's adjustment as of its time; 409 if it was decided or superseded, or if a
    move the counter may not have seen arrived while it waited."""
    variance, count, ctx = await _pending(session, user, variance_id)
    level = Level(count.location_id, count.sku_id, count.lot_id)
    if await moved_just_before(ctx, level):
        raise Conflict(
            f"a move of bin {count.location_id} made within {COUNT_AMBIGUITY} before the count arrived while it "
            "waited: the counter may not have seen it. Reject this count with a recount.",
            message_zh="等待审批期间收到盘点前 2 分钟内的库存移动，无法判断盘点是否已包含：请驳回并复盘",
            code="count_ambiguous",
            detail={"location_id": count.location_id, "window_seconds": int(COUNT_AMBIGUITY.total_seconds())},
        )
    ledger_qty = await ledger_as_of(ctx, level)
    adjustment = count.counted_qty - ledger_qty
    try:
        move_id = await post_count_adjustment(ctx, level, adjustment)
    except OpRejected as exc:  # the bin or SKU was deactivated while the count waited
        raise Conflict(
            f"the adjustment cannot be posted: {exc.message}",
            message_zh=f"无法过账盘点调整：{exc.message_zh}",
            code="adjustment_refused",
            detail=exc.detail,
        ) from exc
    count.ledger_qty = ledger_qty
    count.adjustment_move_id = move_id
    count.outcome = CountOutcome.adjusted if adjustment else CountOutcome.matched
    now = ctx.received_at
    variance.status = VarianceStatus.approved
    variance.adjustment = adjustment
    variance.adjustment_move_id = move_id
    variance.decided_at = now
    variance.decided_by_user_id = user.id
    await resolve_exception(session, variance, at=now, user_id=user.id, resolution=f"approved: adjusted {adjustment:+}")
    await session.flush()
    await supersede_pending(session, count, at=now)  # older held counts of the bin: this one set it
    return await _out(session, user, variance.id)


async def reject(session: AsyncSession, user: AuthUser, variance_id: int, data: RejectInput) -> CountVarianceOut:
    """Leave the ledger as it is; the count is no longer compared with later ones; optionally ask
    for a recount of the bin."""
    variance, count, ctx = await _pending(session, user, variance_id)
    now = ctx.received_at
    count.outcome = CountOutcome.rejected
    variance.status = VarianceStatus.rejected
    variance.reason = data.reason
    variance.decided_at = now
    variance.decided_by_user_id = user.id
    if data.recount:
        task, _ = await open_count_task(
            session,
            warehouse_id=variance.warehouse_id,
            location_id=count.location_id,
            sku_id=count.sku_id,
            reason=f"count {count.id} was rejected: {data.reason}",
            source_op_id=count.op_id,
            kind=TaskKind.recount,
        )
        variance.recount_task_id = task.id
    await resolve_exception(session, variance, at=now, user_id=user.id, resolution=f"rejected: {data.reason}")
    await session.flush()
    return await _out(session, user, variance.id)


async def _out(session: AsyncSession, user: AuthUser, variance_id: int) -> CountVarianceOut:
    statement = variance_query(user, status=None).where(CountVariance.id == variance_id)
    row = (await session.execute(statement)).one()
    return variance_out(row, show_value=cost_visible(user))
