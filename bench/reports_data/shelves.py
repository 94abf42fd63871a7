"""The shelves as the generator sees them: every move it writes also changes its copy of the levels.

Each (location, SKU) holds its lots as ``[lot_key, on_hand]`` entries, oldest receipt first (lot ids
ascend with receipts: nearly first-expiry-first-out); a move takes from the front (leaving what
orders reserved) and adds to the entry of its lot.
Stock levels written at the end are these entries, so they are exactly the ledger's projection
(``cangku ledger verify`` finds no difference). Virtual sources and sinks (@SUPPLIER, @CUSTOMER,
@LOSS) have no level, as in the ledger.
"""

from __future__ import annotations

from bisect import insort
from datetime import datetime

from bench.reports_data.sink import Sink
from server.warehouse.ledger.models import NO_LOT, MoveReason, StockLevel, StockMove

Entry = list[int]
"""``[lot_key, on_hand]``."""
Portion = tuple[int, int]
"""``(lot_key, qty)`` of one move."""


class Shelves:
    def __init__(self, sink: Sink, unbounded: set[int], devices: dict[int, str]) -> None:
        self.sink = sink
        self.unbounded = unbounded
        self.devices = devices
        self.stock: dict[tuple[int, int], list[Entry]] = {}
        self.reserved: dict[tuple[int, int, int], int] = {}
        self.holding: set[tuple[int, int]] = set()
        """(location, SKU) pairs with units reserved: the others take the fast paths."""
        self.touched: dict[tuple[int, int], datetime] = {}
        self.moves = 0
        self.by_reason: dict[MoveReason, int] = {}

    def available(self, location: int, sku: int) -> int:
        entries = self.stock.get((location, sku))
        if not entries:
            return 0
        if (location, sku) not in self.holding:
            if len(entries) == 1:
                return max(0, entries[0][1])
            return sum(e[1] for e in entries if e[1] > 0)
        return sum(max(0, e[1] - self.reserved.get((location, sku, e[0]), 0)) for e in entries)

    def entries(self, location: int, sku: int) -> list[Entry]:
        return self.stock.get((location, sku), [])

    def plan(self, location: int, sku: int, qty: int, *, negative_lot: int | None = None) -> list[Portion]:
        """Which lots ``qty`` units taken from ``location`` come out of (oldest first, reserved units
        left alone). Beyond what is there: ``negative_lot`` takes the rest (the bin goes below
        zero, as a mis-scan does), or the plan is short."""
        entries = self.stock.get((location, sku), ())
        holding = (location, sku) in self.holding
        if len(entries) == 1 and not holding and entries[0][1] >= qty:
            return [(entries[0][0], qty)]
        portions: list[Portion] = []
        need = qty
        for lot, on_hand in entries:
            free = on_hand - self.reserved.get((location, sku, lot), 0) if holding else on_hand
            if free > 0:
                take = min(free, need)
                portions.append((lot, take))
                need -= take
                if not need:
                    return portions
        if need and negative_lot is not None:
            portions.append((negative_lot, need))
        return portions

    def move(
        self,
        sku: int,
        lot: int,
        source: int,
        target: int,
        qty: int,
        reason: MoveReason,
        at: datetime,
        actor: int | None,
        reference: str,
        *,
        op: bool = False,
    ) -> int:
        """Write one move of ``qty`` units of ``lot`` and apply it to both locations; answers its id.
        ``op``: a phone's sync op posted it, so its ledger key is ``op:<op id>`` (the op id is
        ``m<move id>`` here), as the pick-error report expects of picks."""
        move_id = self.sink.next_id(StockMove)
        self.sink.add(
            StockMove,
            {
                "id": move_id,
                "sku_id": sku,
                "lot_id": lot or None,
                "from_location_id": source,
                "to_location_id": target,
                "qty": qty,
                "reason": reason,
                "reference": reference,
                "actor_user_id": actor,
                "device_id": self.devices.get(actor) if actor is not None else None,
                "occurred_at": at,
                "recorded_at": at,
                "idempotency_key": f"op:m{move_id}" if op else f"bench:{move_id}",
            },
        )
        if source not in self.unbounded:
            self._add(source, sku, lot, -qty, at)
        if target not in self.unbounded:
            self._add(target, sku, lot, qty, at)
        self.moves += 1
        self.by_reason[reason] = self.by_reason.get(reason, 0) + 1
        return move_id

    def carry(
        self,
        sku: int,
        source: int,
        target: int,
        qty: int,
        reason: MoveReason,
        at: datetime,
        actor: int | None,
        reference: str,
        *,
        negative_lot: int | None = None,
    ) -> list[Portion]:
        """Move ``qty`` units out of a physical ``source`` lot by lot (see ``plan``); answers the portions."""
        portions = self.plan(source, sku, qty, negative_lot=negative_lot)
        for lot, part in portions:
            self.move(sku, lot, source, target, part, reason, at, actor, reference)
        return portions

    def reserve(self, location: int, sku: int, qty: int) -> list[Portion]:
        portions = self.plan(location, sku, qty)
        for lot, part in portions:
            key = (location, sku, lot)
            self.reserved[key] = self.reserved.get(key, 0) + part
        if portions:
            self.holding.add((location, sku))
        return portions

    def _add(self, location: int, sku: int, lot: int, delta: int, at: datetime) -> None:
        key = (location, sku)
        entries = self.stock.get(key)
        if entries is None:
            self.stock[key] = [[lot, delta]]
        elif entries[0][0] == lot:
            entries[0][1] += delta
        else:
            for entry in entries:
                if entry[0] == lot:
                    entry[1] += delta
                    break
            else:  # lots keep their receipt order (ids ascend with it), whatever order they arrive in
                insort(entries, [lot, delta])
        self.touched[key] = at

    def write_levels(self, fallback: datetime) -> int:
        """Add one stock level per (location, SKU, lot) ever stocked, zeros included (the ledger keeps them)."""
        written = 0
        for (location, sku), entries in self.stock.items():
            at = self.touched.get((location, sku), fallback)
            for lot, on_hand in entries:
                self.sink.add(
                    StockLevel,
                    {
                        "id": self.sink.next_id(StockLevel),
                        "location_id": location,
                        "sku_id": sku,
                        "lot_id": lot or None,
                        "lot_key": lot or NO_LOT,
                        "on_hand": on_hand,
                        "reserved": self.reserved.get((location, sku, lot), 0),
                        "updated_at": at,
                    },
                )
                written += 1
        return written
