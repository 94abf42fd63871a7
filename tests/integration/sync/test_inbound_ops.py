"""``inbound.item_received`` and ``returns.return_received`` through the real push API (SPEC.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.catalog.models import Lot
from server.inbound.models import PurchaseOrder, PurchaseOrderLine
from server.tasks.models import WorkException
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.models import LocationType
from tests.factories import make_bin, make_sku, make_warehouse
from tests.sync_support import Client, SimDevice, make_device

pytestmark = [pytest.mark.integration, pytest.mark.sync]

Factory = async_sessionmaker[AsyncSession]
RECEIVED = "inbound.item_received"
RETURNED = "returns.return_received"


@dataclass(frozen=True)
class Dock:
    warehouse_id: int
    receiving: int
    quarantine: int
    returns: int
    supplier: int
    customer: int
    other_bin: int
    sku: int
    lot_sku: int
    device: SimDevice


async def make_dock(factory: Factory) -> Dock:
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        receiving = await make_bin(s, wh, type=LocationType.receiving)
        quarantine = await make_bin(s, wh, type=LocationType.quarantine)
        returns = await make_bin(s, wh, type=LocationType.returns)
        other = await make_warehouse(s)
        other_bin = await make_bin(s, other, type=LocationType.receiving)
        sku = await make_sku(s)
        lot_sku = await make_sku(s, lot_controlled=True)
        ids = (wh.warehouse.id, receiving.id, quarantine.id, returns.id, wh.supplier.id, wh.customer.id, other_bin.id)
        sku_ids = (sku.id, lot_sku.id)
        warehouse = wh.warehouse
    device = await make_device(factory, warehouse)
    return Dock(*ids, *sku_ids, device=device)


async def make_po(factory: Factory, dock: Dock, *, ordered: int, tolerance_pct: int, sku_id: int | None = None) -> int:
    async with factory() as s, s.begin():
        order = PurchaseOrder(
            code=f"PO-{dock.warehouse_id}-{ordered}-{tolerance_pct}",
            warehouse_id=dock.warehouse_id,
            over_receipt_tolerance_pct=tolerance_pct,
        )
        s.add(order)
        await s.flush()
        s.add(PurchaseOrderLine(purchase_order_id=order.id, sku_id=sku_id or dock.sku, qty_ordered=ordered))
        await s.flush()
        return order.id


async def on_hand(factory: Factory, location_id: int, sku_id: int) -> int:
    async with factory() as s:
        total = await s.scalar(
            select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
                StockLevel.location_id == location_id, StockLevel.sku_id == sku_id
            )
        )
        return int(total or 0)


async def exception_kinds(factory: Factory) -> list[str]:
    async with factory() as s:
        return sorted((await s.scalars(select(WorkException.kind))).all())


async def test_receipt_is_applied_exactly_once_across_a_retried_push(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    op = dock.device.op(RECEIVED, {"sku_id": dock.sku, "qty": 7, "to_location_id": dock.receiving})

    first = await dock.device.push(client, [op])
    again = await dock.device.push(client, [op])  # the response was lost; the phone sends it again

    assert first["results"][0]["status"] == "applied", first
    assert again["results"][0]["replayed"] is True
    assert again["results"][0]["result"] == first["results"][0]["result"]
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 7
    async with session_factory() as s:
        moves = (await s.scalars(select(StockMove))).all()
    assert [(m.from_location_id, m.to_location_id, m.qty, m.reason) for m in moves] == [
        (dock.supplier, dock.receiving, 7, MoveReason.receipt)
    ]


async def test_receipt_with_a_new_lot_number_creates_the_lot_with_its_expiry(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    payload = {
        "sku_id": dock.lot_sku,
        "qty": 3,
        "to_location_id": dock.receiving,
        "lot_number": "B2024-07",
        "manufactured_on": "2024-07-01",
        "expires_on": "2026-07-01",
    }
    body = await dock.device.push(client, [dock.device.op(RECEIVED, payload)])

    result = body["results"][0]
    assert result["status"] == "applied", result
    async with session_factory() as s:
        lot = (await s.scalars(select(Lot).where(Lot.sku_id == dock.lot_sku))).one()
        move = (await s.scalars(select(StockMove))).one()
    assert (lot.lot_number, lot.manufactured_on, lot.expires_on) == ("B2024-07", date(2024, 7, 1), date(2026, 7, 1))
    assert result["result"]["lot_id"] == lot.id
    assert move.lot_id == lot.id
    assert await on_hand(session_factory, dock.receiving, dock.lot_sku) == 3


async def test_receiving_an_existing_lot_with_another_expiry_keeps_the_stored_date(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    base = {"sku_id": dock.lot_sku, "qty": 1, "to_location_id": dock.receiving, "lot_number": "L1"}
    first = dock.device.op(RECEIVED, {**base, "expires_on": "2026-01-01"})
    second = dock.device.op(RECEIVED, {**base, "expires_on": "2027-01-01"})
    body = await dock.device.push(client, [first, second])

    assert [r["status"] for r in body["results"]] == ["applied", "applied_with_exception"]
    assert [e["kind"] for e in body["results"][1]["exceptions"]] == ["lot_expiry_differs"]
    async with session_factory() as s:
        lot = (await s.scalars(select(Lot).where(Lot.sku_id == dock.lot_sku))).one()
    assert lot.expires_on == date(2026, 1, 1)
    assert body["results"][1]["result"]["lot_id"] == lot.id
    assert await on_hand(session_factory, dock.receiving, dock.lot_sku) == 2


async def test_receipt_within_tolerance_lands_entirely_in_the_target_bin(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    po = await make_po(session_factory, dock, ordered=100, tolerance_pct=10)
    ops = [
        dock.device.op(
            RECEIVED, {"purchase_order_id": po, "sku_id": dock.sku, "qty": 60, "to_location_id": dock.receiving}
        ),
        dock.device.op(
            RECEIVED, {"purchase_order_id": po, "sku_id": dock.sku, "qty": 50, "to_location_id": dock.receiving}
        ),
    ]
    body = await dock.device.push(client, ops)

    assert [r["status"] for r in body["results"]] == ["applied", "applied"], body
    assert [r["result"]["quarantined"] for r in body["results"]] == [0, 0]
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 110
    assert await on_hand(session_factory, dock.quarantine, dock.sku) == 0
    assert await exception_kinds(session_factory) == []
    async with session_factory() as s:
        line = (await s.scalars(select(PurchaseOrderLine))).one()
    assert line.qty_received == 110


async def test_receipt_beyond_tolerance_splits_the_excess_into_quarantine(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    po = await make_po(session_factory, dock, ordered=100, tolerance_pct=10)
    ops = [
        dock.device.op(
            RECEIVED, {"purchase_order_id": po, "sku_id": dock.sku, "qty": 100, "to_location_id": dock.receiving}
        ),
        dock.device.op(
            RECEIVED, {"purchase_order_id": po, "sku_id": dock.sku, "qty": 25, "to_location_id": dock.receiving}
        ),
    ]
    body = await dock.device.push(client, ops)

    first, second = body["results"]
    assert first["status"] == "applied", first
    assert second["status"] == "applied_with_exception", second
    assert second["result"]["quarantined"] == 15
    assert len(second["result"]["move_ids"]) == 2
    (raised,) = second["exceptions"]
    assert raised["kind"] == "over_receipt"
    assert raised["ref"]["over_qty"] == 15
    assert raised["ref"]["location_id"] == dock.quarantine
    assert raised["ref"]["purchase_order_id"] == po
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 110
    assert await on_hand(session_factory, dock.quarantine, dock.sku) == 15
    async with session_factory() as s:
        line = (await s.scalars(select(PurchaseOrderLine))).one()
        stored = (await s.scalars(select(WorkException))).one()
        over_move = (await s.scalars(select(StockMove).where(StockMove.to_location_id == dock.quarantine))).one()
    assert line.qty_received == 125
    assert (stored.kind, stored.status, stored.refs["sku_id"]) == ("over_receipt", "open", dock.sku)
    assert over_move.idempotency_key.endswith(":over")
    assert over_move.reason == MoveReason.receipt


async def test_sku_not_on_the_purchase_order_is_received_with_an_exception(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    po = await make_po(session_factory, dock, ordered=10, tolerance_pct=0, sku_id=dock.lot_sku)
    op = dock.device.op(
        RECEIVED, {"purchase_order_id": po, "sku_id": dock.sku, "qty": 4, "to_location_id": dock.receiving}
    )
    body = await dock.device.push(client, [op])

    assert body["results"][0]["status"] == "applied_with_exception"
    assert [e["kind"] for e in body["results"][0]["exceptions"]] == ["not_on_po"]
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 4


async def test_lot_controlled_receipt_without_a_lot_goes_to_quarantine(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    op = dock.device.op(RECEIVED, {"sku_id": dock.lot_sku, "qty": 5, "to_location_id": dock.receiving})
    body = await dock.device.push(client, [op])

    result = body["results"][0]
    assert result["status"] == "applied_with_exception", result
    assert [e["kind"] for e in result["exceptions"]] == ["lot_missing"]
    assert result["result"]["quarantined"] == 5
    assert await on_hand(session_factory, dock.quarantine, dock.lot_sku) == 5
    assert await on_hand(session_factory, dock.receiving, dock.lot_sku) == 0
    assert await exception_kinds(session_factory) == ["lot_missing"]


async def test_damaged_return_goes_to_quarantine_and_sellable_to_the_bin(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    base = {"sku_id": dock.sku, "to_location_id": dock.returns, "reference": "RMA-1"}
    ops = [
        dock.device.op(RETURNED, {**base, "qty": 2, "condition": "damaged"}),
        dock.device.op(RETURNED, {**base, "qty": 3, "condition": "sellable"}),
    ]
    body = await dock.device.push(client, ops)

    assert [r["status"] for r in body["results"]] == ["applied", "applied"], body
    assert [r["result"]["quarantined"] for r in body["results"]] == [2, 0]
    assert await on_hand(session_factory, dock.quarantine, dock.sku) == 2
    assert await on_hand(session_factory, dock.returns, dock.sku) == 3
    async with session_factory() as s:
        moves = (await s.scalars(select(StockMove).order_by(StockMove.id))).all()
    assert {(m.from_location_id, m.reason, m.reference) for m in moves} == {
        (dock.customer, MoveReason.return_receipt, "RMA-1")
    }


async def test_invalid_location_is_rejected_and_the_next_op_still_applied(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    ops = [
        dock.device.op(RECEIVED, {"sku_id": dock.sku, "qty": 1, "to_location_id": dock.other_bin}),
        dock.device.op(RECEIVED, {"sku_id": dock.sku, "qty": 2, "to_location_id": dock.receiving}),
        dock.device.op(
            RETURNED,
            {"sku_id": dock.sku, "qty": 1, "to_location_id": 999_999, "condition": "sellable", "reference": "RMA-2"},
        ),
    ]
    body = await dock.device.push(client, ops)

    assert [(r["status"], r.get("code", "")) for r in body["results"]] == [
        ("rejected", "invalid_reference"),
        ("applied", ""),
        ("rejected", "invalid_reference"),
    ]
    assert body["last_applied_seq"] == ops[-1]["seq"]
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 2
    assert await on_hand(session_factory, dock.other_bin, dock.sku) == 0


async def test_purchase_order_of_another_warehouse_is_rejected(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    async with session_factory() as s, s.begin():
        other = await make_warehouse(s)
        order = PurchaseOrder(code="PO-ELSEWHERE", warehouse_id=other.warehouse.id)
        s.add(order)
        await s.flush()
        po = order.id
    op = dock.device.op(
        RECEIVED, {"purchase_order_id": po, "sku_id": dock.sku, "qty": 1, "to_location_id": dock.receiving}
    )
    body = await dock.device.push(client, [op])

    assert (body["results"][0]["status"], body["results"][0]["code"]) == ("rejected", "invalid_reference")
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 0
