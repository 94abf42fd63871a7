"""Recompute every stock level from the moves and report each difference (expected: none).

This is the proof that levels are a projection of the ledger: Odoo needs repair jobs because its
quants drift from its moves; ``cangku ledger verify`` should always print "0 differences".
"""

from __future__ import annotations

import msgspec
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.models import UNBOUNDED_TYPES, Location


class LevelDifference(msgspec.Struct, frozen=True, kw_only=True):
    location_id: int
    sku_id: int
    lot_key: int
    recorded_on_hand: int
    expected_on_hand: int


class VerifyReport(msgspec.Struct, kw_only=True):
    levels_checked: int
    moves_counted: int
    differences: list[LevelDifference]

    @property
    def ok(self) -> bool:
        return not self.differences


async def verify_ledger(session: AsyncSession) -> VerifyReport:
    """Compare ``stock_levels.on_hand`` with the signed sum of moves, per (location, SKU, lot)."""
    inbound = select(
        StockMove.to_location_id.label("location_id"),
        StockMove.sku_id,
        func.coalesce(StockMove.lot_id, 0).label("lot_key"),
        StockMove.qty.label("delta"),
    )
    outbound = select(
        StockMove.from_location_id.label("location_id"),
        StockMove.sku_id,
        func.coalesce(StockMove.lot_id, 0).label("lot_key"),
        (literal(0) - StockMove.qty).label("delta"),
    )
    deltas = union_all(inbound, outbound).subquery()
    tracked = select(Location.id).where(Location.type.not_in(list(UNBOUNDED_TYPES)))
    expected_rows = await session.execute(
        select(deltas.c.location_id, deltas.c.sku_id, deltas.c.lot_key, func.sum(deltas.c.delta))
        .where(deltas.c.location_id.in_(tracked))
        .group_by(deltas.c.location_id, deltas.c.sku_id, deltas.c.lot_key)
    )
    expected = {(r[0], r[1], r[2]): int(r[3]) for r in expected_rows}
    recorded = {
        (r.location_id, r.sku_id, r.lot_key): r.on_hand
        for r in await session.execute(
            select(StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_key, StockLevel.on_hand)
        )
    }
    differences = [
        LevelDifference(
            location_id=k[0],
            sku_id=k[1],
            lot_key=k[2],
            recorded_on_hand=recorded.get(k, 0),
            expected_on_hand=expected.get(k, 0),
        )
        for k in sorted(expected.keys() | recorded.keys())
        if recorded.get(k, 0) != expected.get(k, 0)
    ]
    moves = await session.scalar(select(func.count()).select_from(StockMove))
    return VerifyReport(levels_checked=len(recorded), moves_counted=int(moves or 0), differences=differences)
