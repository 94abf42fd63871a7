"""The supervisor's view of ops that need a person: rejected, applied with exception, held."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.db.types import utcnow
from server.lib.errors import Conflict, NotFound
from server.lib.pagination import Page, PageParams, paginate
from server.syncapi.registry import registry
from server.syncapi.schemas import OpRecordOut, OpResolve
from server.syncapi.tables import SYNC_TABLES
from sync.push import NotHeld, release_held
from sync.wire import OpStatus

NEEDS_A_PERSON = (OpStatus.rejected.value, OpStatus.applied_with_exception.value, OpStatus.held.value)


def _out(row: Any) -> OpRecordOut:
    return OpRecordOut(**{name: getattr(row, name) for name in OpRecordOut.__struct_fields__})


async def list_ops(
    session: AsyncSession,
    user: AuthUser,
    page: PageParams,
    *,
    status: str | None,
    warehouse_id: int | None,
    device_id: str | None,
    unresolved: bool,
) -> Page[OpRecordOut]:
    t = SYNC_TABLES.ops
    query: Select[Any] = select(t).order_by(t.c.received_at.desc(), t.c.id.desc())
    query = query.where(t.c.status == status) if status else query.where(t.c.status.in_(NEEDS_A_PERSON))
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
        query = query.where(t.c.warehouse_id == warehouse_id)
    visible = user.visible_warehouses()
    if visible is not None:
        query = query.where(t.c.warehouse_id.in_(visible))
    if device_id:
        query = query.where(t.c.device_id == device_id)
    if unresolved:
        query = query.where(t.c.resolved_at.is_(None))
    return await paginate(session, query, page, _out)


async def resolve(session: AsyncSession, user: AuthUser, op_id: str, data: OpResolve) -> OpRecordOut:
    t = SYNC_TABLES.ops
    row = (await session.execute(select(t).where(t.c.op_id == op_id))).one_or_none()
    if row is None:
        raise NotFound(f"no op {op_id}", message_zh="操作不存在", code="op_not_found")
    if row.warehouse_id is not None:
        user.require_warehouse(row.warehouse_id)
    if row.resolved_at is not None:
        raise Conflict("this op was already resolved", message_zh="该操作已处理", code="op_already_resolved")
    if data.action == "apply":
        try:
            await release_held(session, SYNC_TABLES, registry(), op_id, now=utcnow())
        except NotHeld:
            raise Conflict(
                "only a held op can be applied; this one already has its outcome",
                message_zh="只有暂挂的操作可以执行",
                code="op_not_held",
            ) from None
    await session.execute(
        update(t)
        .where(t.c.op_id == op_id)
        .values(
            resolved_at=utcnow(),
            resolved_by=user.id,
            resolution=f"{'released' if data.action == 'apply' else 'closed'}: {data.note}".rstrip(": "),
        )
    )
    return _out((await session.execute(select(t).where(t.c.op_id == op_id))).one())
