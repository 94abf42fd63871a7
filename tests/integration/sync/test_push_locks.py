"""A push takes its locks up front, in one order (``server.warehouse.push_locks``).

PostgreSQL only for the lock checks: SQLite has one writer, so it takes none. A second connection
asks for each lock without waiting: refused while the push's transaction holds it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.syncapi.registry import registry
from server.warehouse.bin_locks import BIN_LOCK_SPACE
from server.warehouse.ledger.models import MoveReason, StockLevel
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.ops import BinCounted, ItemMoved
from server.warehouse.push_locks import lock_up_front
from sync.registry import OpContext
from sync.wire import Op
from tests.conftest import Backend
from tests.factories import make_bin, make_sku, make_warehouse
from tests.sync_support import Client, make_device

Factory = async_sessionmaker[AsyncSession]


def _context(session: AsyncSession, warehouse_id: int) -> OpContext:
    now = datetime.now(UTC)
    op = Op(op_id="op-lock-test", seq=1, name="test", version=1, payload={}, hlc="", wall_time=now)
    return OpContext(
        session=session,
        op=op,
        device_id="d",
        user_id=1,
        warehouse_id=warehouse_id,
        event_time=now,
        received_at=now,
        clock_flagged=False,
    )


async def _granted(factory: Factory, statement: str, **params: Any) -> bool:
    """Whether another transaction gets the advisory lock ``statement`` tries for."""
    async with factory() as other, other.begin():
        return bool(await other.scalar(text(statement), params))


async def _refused(factory: Factory, statement: str, **params: Any) -> bool:
    """Whether another transaction is refused the rows ``statement`` locks (with NOWAIT)."""
    async with factory() as other, other.begin():
        try:
            await other.execute(text(statement), params)
        except OperationalError as exc:
            if "could not obtain lock" not in str(exc):
                raise
            return True
    return False


async def test_bins_and_levels_are_locked_before_the_first_op(session_factory: Factory, backend: Backend) -> None:
    if not backend.is_postgres:
        pytest.skip("SQLite serialises writers: there are no row locks to order")
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a, b, counted = await make_bin(s, wh), await make_bin(s, wh), await make_bin(s, wh)
        sku = await make_sku(s)
        seed = MoveRequest(
            sku_id=sku.id,
            from_location_id=wh.supplier.id,
            to_location_id=a.id,
            qty=5,
            reason=MoveReason.receipt,
            idempotency_key="seed",
        )
        await post_moves(s, [seed])
    payloads = [
        ItemMoved(sku_id=sku.id, from_location_id=a.id, to_location_id=b.id, qty=1),
        BinCounted(location_id=counted.id, sku_id=sku.id, counted_qty=4),
        ItemMoved(sku_id=999_999, from_location_id=a.id, to_location_id=b.id, qty=1),  # no such SKU
    ]
    async with session_factory() as s, s.begin():
        ctx = _context(s, wh.warehouse.id)
        await lock_up_front([ctx] * len(payloads), payloads)

        exclusive = "SELECT pg_try_advisory_xact_lock(:key)"
        shared = "SELECT pg_try_advisory_xact_lock_shared(:key)"
        assert not await _granted(session_factory, exclusive, key=BIN_LOCK_SPACE + a.id)  # shared by the move
        assert await _granted(session_factory, shared, key=BIN_LOCK_SPACE + a.id)  # other moves may share it
        assert not await _granted(session_factory, shared, key=BIN_LOCK_SPACE + counted.id)  # the count's alone
        level = "SELECT id FROM stock_levels WHERE location_id = :loc AND sku_id = :sku FOR UPDATE NOWAIT"
        assert await _refused(session_factory, level, loc=a.id, sku=sku.id)
        # Missing levels are made at zero, so they too have a row to hold (invisible to others until commit).
        created = await s.execute(select(StockLevel.location_id, StockLevel.on_hand).where(StockLevel.sku_id == sku.id))
        assert sorted(created.all()) == sorted([(a.id, 5), (b.id, 0), (counted.id, 0)])
        assert not list(await s.scalars(select(StockLevel).where(StockLevel.sku_id == 999_999)))


async def test_a_push_whose_up_front_locking_fails_is_still_applied(
    client: Client, session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(contexts: list[OpContext], payloads: list[Any]) -> None:
        await contexts[0].session.execute(text("SELECT 1 / 0"))  # a permanent error, on both backends

    monkeypatch.setattr(registry(), "prelock", broken)
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a, b = await make_bin(s, wh), await make_bin(s, wh)
        sku = await make_sku(s)
    device = await make_device(session_factory, wh.warehouse)
    move = {"sku_id": sku.id, "from_location_id": a.id, "to_location_id": b.id, "qty": 2}

    body = await device.push(client, [device.op("warehouse.item_moved", move)])

    assert [r["status"] for r in body["results"]] == ["applied_with_exception"]  # a took -2: count task
    async with session_factory() as s:
        levels = {row[0]: row[1] for row in await s.execute(select(StockLevel.location_id, StockLevel.on_hand))}
    assert levels == {a.id: -2, b.id: 2}
