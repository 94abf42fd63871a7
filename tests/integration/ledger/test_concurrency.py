"""Concurrent posting: exact totals under contention, and no deadlock thanks to the lock order.

Run on both backends; on PostgreSQL the moves really run in parallel on separate connections
and row locks do the work, on SQLite ``BEGIN IMMEDIATE`` serialises them.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.warehouse.ledger.errors import InsufficientStock
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.ledger.verify import verify_ledger
from tests.conftest import Backend
from tests.factories import make_bin, make_sku, make_warehouse

Factory = async_sessionmaker[AsyncSession]


async def _level(factory: Factory, location_id: int, sku_id: int) -> int:
    async with factory() as s:
        return int(
            await s.scalar(
                select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
                    StockLevel.location_id == location_id, StockLevel.sku_id == sku_id
                )
            )
            or 0
        )


async def test_fifty_concurrent_moves_on_one_bin_and_sku_give_the_exact_total(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        bin_ = await make_bin(s, wh)
        sku = await make_sku(s)
        ids = (wh.supplier.id, wh.customer.id, bin_.id, sku.id)
    supplier, customer, bin_id, sku_id = ids

    async def receive(i: int) -> None:
        request = MoveRequest(
            sku_id=sku_id,
            from_location_id=supplier,
            to_location_id=bin_id,
            qty=i,
            reason=MoveReason.receipt,
            idempotency_key=f"in-{i}",
        )
        await run_in_transaction(session_factory, lambda s: post_moves(s, [request]))

    await asyncio.gather(*(receive(i) for i in range(1, 51)))
    assert await _level(session_factory, bin_id, sku_id) == sum(range(1, 51))  # 1275

    async def ship(i: int) -> None:
        request = MoveRequest(
            sku_id=sku_id,
            from_location_id=bin_id,
            to_location_id=customer,
            qty=i,
            reason=MoveReason.shipment,
            idempotency_key=f"out-{i}",
        )
        await run_in_transaction(session_factory, lambda s: post_moves(s, [request]))

    # 50 shipments and 50 retries of the same shipments, all at once: each key posts exactly once.
    await asyncio.gather(*(ship(i) for i in range(1, 51)), *(ship(i) for i in range(1, 51)))
    assert await _level(session_factory, bin_id, sku_id) == 0
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(StockMove)) == 100
        assert (await verify_ledger(s)).ok


async def test_opposite_transfers_never_deadlock(session_factory: Factory, backend: Backend) -> None:
    """A→B and B→A at once lock the same rows in the same order: no retry may be needed."""
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a, b = await make_bin(s, wh), await make_bin(s, wh)
        skus = [await make_sku(s) for _ in range(3)]
        ids = (wh.supplier.id, a.id, b.id, [k.id for k in skus])
    supplier, a_id, b_id, sku_ids = ids
    opening = [
        MoveRequest(
            sku_id=k,
            from_location_id=supplier,
            to_location_id=loc,
            qty=1000,
            reason=MoveReason.receipt,
            idempotency_key=f"open-{k}-{loc}",
        )
        for k in sku_ids
        for loc in (a_id, b_id)
    ]
    await run_in_transaction(session_factory, lambda s: post_moves(s, opening))

    def batch(i: int, forward: bool) -> list[MoveRequest]:
        src, dst = (a_id, b_id) if forward else (b_id, a_id)
        order = sku_ids if forward else list(reversed(sku_ids))
        return [
            MoveRequest(
                sku_id=k,
                from_location_id=src,
                to_location_id=dst,
                qty=1,
                reason=MoveReason.transfer,
                idempotency_key=f"x-{i}-{forward}-{k}",
            )
            for k in order
        ]

    async def run(i: int, forward: bool) -> None:
        requests = batch(i, forward)
        # attempts=1: a deadlock would surface as an error instead of being retried away.
        await run_in_transaction(session_factory, lambda s: post_moves(s, requests), attempts=1)

    await asyncio.gather(*(run(i, i % 2 == 0) for i in range(40)))
    for k in sku_ids:
        assert await _level(session_factory, a_id, k) + await _level(session_factory, b_id, k) == 2000
    async with session_factory() as s:
        assert (await verify_ledger(s)).ok


async def test_concurrent_overdraw_never_goes_negative(session_factory: Factory) -> None:
    """Twenty pickers race for 10 units: exactly 10 succeed, the rest are refused."""
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        bin_ = await make_bin(s, wh)
        sku = await make_sku(s)
        ids = (wh.supplier.id, wh.customer.id, bin_.id, sku.id)
    supplier, customer, bin_id, sku_id = ids
    await run_in_transaction(
        session_factory,
        lambda s: post_moves(
            s,
            [
                MoveRequest(
                    sku_id=sku_id,
                    from_location_id=supplier,
                    to_location_id=bin_id,
                    qty=10,
                    reason=MoveReason.receipt,
                    idempotency_key="stock",
                )
            ],
        ),
    )

    async def pick(i: int) -> bool:
        request = MoveRequest(
            sku_id=sku_id,
            from_location_id=bin_id,
            to_location_id=customer,
            qty=1,
            reason=MoveReason.pick,
            idempotency_key=f"pick-{i}",
        )
        try:
            await run_in_transaction(session_factory, lambda s: post_moves(s, [request]))
        except InsufficientStock:
            return False
        return True

    results = await asyncio.gather(*(pick(i) for i in range(20)))
    assert sum(results) == 10
    assert await _level(session_factory, bin_id, sku_id) == 0
