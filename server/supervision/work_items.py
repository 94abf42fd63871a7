"""Work exceptions raised outside sync (an over-receipt booked through the API…), and closing them.

Exceptions an op raised are listed with their op (``op_items``) and closed with it; these have no
op, so nothing else would ever take them off the queue.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.db.types import utcnow
from server.lib.errors import Conflict, NotFound
from server.supervision import actions
from server.supervision.lookups import load_codes
from server.supervision.schemas import Item, ItemKind, ResolveInput, Text, WorkExceptionOut
from server.supervision.scope import QueueScope
from server.tasks.models import ExceptionStatus, WorkException
from server.warehouse.count_variances import AWAITING_APPROVAL

KIND_LABELS = {
    "over_receipt": Text(en="Over-receipt", zh="超收"),
    "over_pick": Text(en="Over-pick", zh="超拣"),
    "wrong_item": Text(en="Wrong item picked", zh="拣错商品"),
    "count_correction": Text(en="Count correction", zh="盘点冲正"),
}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def work_items(session: AsyncSession, scope: QueueScope, take: int) -> tuple[int, list[Item]]:
    where = [
        WorkException.status == ExceptionStatus.open,
        WorkException.op_id == "",
        WorkException.kind != AWAITING_APPROVAL,
        scope.only(WorkException.warehouse_id),
    ]
    total = int(await session.scalar(select(func.count()).select_from(WorkException).where(*where)) or 0)
    rows = list(
        await session.scalars(
            select(WorkException).where(*where).order_by(WorkException.created_at, WorkException.id).limit(take)
        )
    )
    codes = await load_codes(
        session,
        location_ids=[r.refs.get("location_id") for r in rows],
        sku_ids=[r.refs.get("sku_id") for r in rows],
        lot_ids=[r.refs.get("lot_id") for r in rows],
        task_ids=[r.task_id for r in rows],
    )
    items = []
    for row in rows:
        label = KIND_LABELS.get(row.kind, Text(en=row.kind, zh=row.kind))
        refs = codes.refs(
            location_id=_int(row.refs.get("location_id")),
            sku_id=_int(row.refs.get("sku_id")),
            lot_id=_int(row.refs.get("lot_id")),
            task_id=row.task_id,
        )
        refs.exception_id = row.id
        items.append(
            Item(
                id=f"work:{row.id}",
                kind=ItemKind.exception,
                title=Text(en=f"{label.en}: {row.message}", zh=f"{label.zh}：{row.message_zh or row.message}"),
                detail=Text(en=row.message, zh=row.message_zh or row.message),
                at=row.created_at,
                warehouse_id=row.warehouse_id,
                refs=refs,
                actions=[actions.resolve_work_exception(row.id)],
            )
        )
    return total, items


async def resolve(session: AsyncSession, user: AuthUser, exception_id: int, data: ResolveInput) -> WorkExceptionOut:
    row = await session.get(WorkException, exception_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no work exception {exception_id}", message_zh="异常不存在", code="exception_not_found")
    user.require_warehouse(row.warehouse_id)
    if row.status is not ExceptionStatus.open:
        raise Conflict("this exception was already resolved", message_zh="该异常已处理", code="exception_resolved")
    if row.kind == AWAITING_APPROVAL:
        raise Conflict(
            "a count variance is decided by approving or rejecting it",
            message_zh="盘点差异须通过批准或驳回处理",
            code="decide_the_count_variance",
        )
    row.status = ExceptionStatus.resolved
    row.resolved_at = utcnow()
    row.resolved_by_user_id = user.id
    row.resolution = data.note or "handled"
    await session.flush()
    return WorkExceptionOut(
        id=row.id,
        kind=row.kind,
        status=row.status.value,
        resolved_at=row.resolved_at,
        resolved_by_user_id=row.resolved_by_user_id,
        resolution=row.resolution,
    )
