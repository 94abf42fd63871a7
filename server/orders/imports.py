"""Running an import: chunks of orders, each chunk one transaction, progress visible as it goes.

A 20,000-order export should not hold one transaction (or the SQLite writer) for a minute, and
its user should see it move: every chunk commits and bumps ``orders_done``. If a chunk fails on
something unexpected, it runs again one order per transaction, so the one bad order is reported
with its reason and the others go in — nothing is half-written, nothing good is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.db.types import utcnow
from server.orders.models import ImportStatus, OrderImport
from server.orders.normalized import NormalizedOrder, ParseResult, RowError
from server.orders.pool import Tally, write_orders

log = logging.getLogger(__name__)
CHUNK = 200
MAX_REPORTED_ERRORS = 1000
"""A file that is wrong on every row does not need 200,000 identical messages stored."""


def new_import(channel_id: int, parsed: ParseResult, *, source: str, filename: str, user_id: int | None) -> OrderImport:
    return OrderImport(
        channel_id=channel_id,
        source=source,
        filename=filename[:256],
        status=ImportStatus.running,
        rows=parsed.rows,
        orders_total=len(parsed.orders),
        errors={"errors": [msgspec.to_builtins(e) for e in parsed.errors[:MAX_REPORTED_ERRORS]]},
        user_id=user_id,
    )


async def run_import(
    factory: async_sessionmaker[AsyncSession],
    import_id: int,
    channel_id: int,
    orders: Sequence[NormalizedOrder],
    *,
    actor: int | None,
    chunk: int = CHUNK,
) -> None:
    """Write ``orders`` chunk by chunk, recording progress on import ``import_id``."""
    try:
        for number, start in enumerate(range(0, len(orders), chunk), start=1):
            await _write_chunk(factory, import_id, channel_id, orders[start : start + chunk], actor)
            if number in _ANALYZE_AFTER:
                await _refresh_statistics(factory)
    except Exception as exc:
        log.exception("order import %s failed", import_id)
        message = repr(exc)[:500]
        await run_in_transaction(factory, lambda s: _finish(s, import_id, ImportStatus.failed, message))
        raise
    await run_in_transaction(factory, lambda s: _finish(s, import_id, ImportStatus.done, ""))


_ANALYZE_AFTER = frozenset({5, 25, 125, 625, 3125})
"""Chunks after which PostgreSQL's table statistics are refreshed during a long import."""


async def _refresh_statistics(factory: async_sessionmaker[AsyncSession]) -> None:
    """A big import into a small table outruns autovacuum: the planner still believes ``orders``
    is tiny and scans it whole to find each chunk's existing orders (90 ms a chunk at 18,000
    orders, growing). Refreshing the statistics as the table grows fivefold keeps the index in use."""
    async with factory() as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        async with session.begin():
            await session.execute(text("ANALYZE orders, order_lines"))


async def _write_chunk(
    factory: async_sessionmaker[AsyncSession],
    import_id: int,
    channel_id: int,
    orders: Sequence[NormalizedOrder],
    actor: int | None,
) -> None:
    async def together(session: AsyncSession) -> None:
        tally = await write_orders(session, channel_id, orders, actor=actor)
        await _bump(session, import_id, tally, done=len(orders))

    try:
        await run_in_transaction(factory, together)
        return
    except Exception:
        log.warning("order import %s: a chunk failed; writing its orders one by one", import_id, exc_info=True)
    for order in orders:

        async def alone(session: AsyncSession, order: NormalizedOrder = order) -> None:
            tally = await write_orders(session, channel_id, [order], actor=actor)
            await _bump(session, import_id, tally, done=1)

        try:
            await run_in_transaction(factory, alone)
        except Exception as exc:
            failed = Tally(
                errors=[
                    RowError(
                        row=0,
                        field="",
                        message=f"order {order.platform_order_no[:64]} could not be saved: {type(exc).__name__}",
                        message_zh="订单保存失败",
                    )
                ]
            )

            async def report(session: AsyncSession, tally: Tally = failed) -> None:
                await _bump(session, import_id, tally, done=1)

            await run_in_transaction(factory, report)


async def _bump(session: AsyncSession, import_id: int, tally: Tally, *, done: int) -> None:
    row = await session.get(OrderImport, import_id, with_for_update=True)
    if row is None:
        return
    row.orders_done += done
    row.created += tally.created
    row.updated += tally.updated
    row.unchanged += tally.unchanged
    row.stale += tally.stale
    if tally.errors:
        errors = list(row.errors.get("errors", []))
        room = MAX_REPORTED_ERRORS - len(errors)
        row.errors = {"errors": errors + [msgspec.to_builtins(e) for e in tally.errors[: max(room, 0)]]}


async def _finish(session: AsyncSession, import_id: int, status: ImportStatus, message: str) -> None:
    row = await session.get(OrderImport, import_id, with_for_update=True)
    if row is None:
        return
    row.status = status
    row.finished_at = utcnow()
    if message:
        errors = list(row.errors.get("errors", []))
        errors.append({"row": 0, "field": "", "message": f"the import stopped: {message}", "message_zh": "导入中止"})
        row.errors = {"errors": errors}
