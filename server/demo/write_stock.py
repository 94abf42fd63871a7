"""Post the opening stock through the ledger, in batches, and look up the ids the plan names.

Every unit arrives as a move from the warehouse's supplier (or customer, for returns) location, so
the levels are the ledger's own projection and ``cangku ledger verify`` agrees with them from the
first second. Keys are deterministic: a load interrupted half way and run again replays the posted
batches (the ledger answers them as replays) instead of receiving the goods twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.catalog.models import Lot, Sku
from server.db.transaction import run_in_transaction
from server.demo.stock_plan import Placement, PlacementKind
from server.demo.summary import ProgressCallback
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import Location, LocationType, Warehouse
from server.warehouse.virtual_locations import virtual_code

BATCH = 500
"""Moves per transaction: big enough to be fast, small enough not to hold SQLite's write lock for long."""
OPENING = "DEMO-OPENING"
RETURNS = "DEMO-RETURNS"


@dataclass(frozen=True, slots=True)
class DemoIds:
    warehouses: dict[str, int]
    locations: dict[tuple[str, str], int]
    """(warehouse code, location code) → id; virtual locations by their ``@`` code."""
    skus: dict[str, int]
    lots: dict[str, list[tuple[int, str]]]
    """SKU code → [(lot id, lot number)] sorted by lot number: the plan's lot index points in here."""

    def lot(self, sku: str, index: int | None) -> tuple[int | None, str]:
        if index is None:
            return None, "-"
        return self.lots[sku][index]


async def load_ids(session: AsyncSession, warehouse_codes: Sequence[str]) -> DemoIds:
    warehouses = {
        code: id_
        for id_, code in await session.execute(
            select(Warehouse.id, Warehouse.code).where(Warehouse.code.in_(list(warehouse_codes)))
        )
    }
    locations = {
        (wh, code): id_
        for id_, wh, code in await session.execute(
            select(Location.id, Warehouse.code, Location.code)
            .join(Warehouse, Warehouse.id == Location.warehouse_id)
            .where(Warehouse.code.in_(list(warehouse_codes)))
        )
    }
    skus = {code: id_ for id_, code in await session.execute(select(Sku.id, Sku.code))}
    lots: dict[str, list[tuple[int, str]]] = {}
    for id_, number, sku in await session.execute(
        select(Lot.id, Lot.lot_number, Sku.code).join(Sku, Sku.id == Lot.sku_id).order_by(Sku.code, Lot.lot_number)
    ):
        lots.setdefault(sku, []).append((id_, number))
    return DemoIds(warehouses=warehouses, locations=locations, skus=skus, lots=lots)


def move_request(placement: Placement, ids: DemoIds) -> MoveRequest:
    wh = placement.warehouse
    lot_id, lot_number = ids.lot(placement.sku, placement.lot)
    is_return = placement.kind is PlacementKind.return_receipt
    source = virtual_code(LocationType.customer if is_return else LocationType.supplier)
    return MoveRequest(
        sku_id=ids.skus[placement.sku],
        lot_id=lot_id,
        from_location_id=ids.locations[(wh, source)],
        to_location_id=ids.locations[(wh, placement.bin)],
        qty=placement.qty,
        reason=MoveReason.return_receipt if is_return else MoveReason.receipt,
        reference=RETURNS if is_return else OPENING,
        idempotency_key=f"demo:{wh}:{placement.sku}:{placement.bin}:{lot_number}",
    )


async def post_opening_stock(
    session_factory: async_sessionmaker[AsyncSession],
    placements: Sequence[Placement],
    ids: DemoIds,
    progress: ProgressCallback,
) -> int:
    """Post every placement, ``BATCH`` moves per transaction; answer how many moves were new."""
    requests = [move_request(p, ids) for p in placements]
    fresh = 0
    for start in range(0, len(requests), BATCH):
        batch = requests[start : start + BATCH]

        async def work(session: AsyncSession, batch: list[MoveRequest] = batch) -> int:
            posted = await post_moves(session, batch)
            return sum(not p.replayed for p in posted)

        fresh += await run_in_transaction(session_factory, work, retry_integrity=False)
        progress(f"stock moves {min(start + BATCH, len(requests))}/{len(requests)}")
    return fresh
