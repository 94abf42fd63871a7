"""Push and pull as transactions: the retries, the isolation re-run and the read snapshot."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.db.types import utcnow
from server.notify.sync_events import notify_op_outcomes
from server.syncapi.devices import device_warehouse
from server.syncapi.entities import snapshot_sources
from server.syncapi.registry import registry
from server.syncapi.tables import SYNC_TABLES
from sync.pull import pull
from sync.push import DeviceContext, NeedsIsolation, apply_push
from sync.wire import PullRequest, PullResponse, PushRequest, PushResponse


async def push(factory: async_sessionmaker[AsyncSession], device: DeviceContext, request: PushRequest) -> PushResponse:
    """Apply a push; serialization failures and lock timeouts are retried whole (F4), and a batch
    whose handler raised is re-run with each op isolated (SPEC.md §5.6)."""

    async def work(session: AsyncSession, *, isolate: bool) -> PushResponse:
        now = utcnow()
        response = await apply_push(session, SYNC_TABLES, registry(), device, request, now=now, isolate=isolate)
        await notify_op_outcomes(session, request, response, now=now)  # same transaction: none if it rolls back
        return response

    try:
        return await run_in_transaction(factory, lambda s: work(s, isolate=False))
    except NeedsIsolation:
        return await run_in_transaction(factory, lambda s: work(s, isolate=True))


async def pull_page(session: AsyncSession, device_id: str | None, request: PullRequest) -> PullResponse:
    """One page, read in one snapshot so ``last_applied_seq`` and the changes agree (I4)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    device, warehouse_id = await device_warehouse(session, device_id)
    return await pull(
        session,
        SYNC_TABLES,
        snapshot_sources(),
        device_id=device,
        warehouse_id=warehouse_id,
        cursor=request.cursor,
        limit=request.limit,
        acked_seq=request.acked_seq,
        now=utcnow(),
    )
