"""Where picked goods come from: opening balances, receipts with their lots, put-away, quarantine,
replenishment of pick faces, and what customers send back.

Stock arrives just in time for the picks that need it: a pick face short of an order's units is
replenished from its reserve bins minutes before the pick; reserves short of that are filled by a
receipt a day or three earlier (a batch of about a month's sales, in whole cases), put away into
the slot's two reserve bins. Dated SKUs get a new lot per receipt, expiring after the SKU's shelf
life counted from a manufacturing date weeks before: slow sellers end the year holding old lots,
some near or past expiry, as real shelves do.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from bench.reports_data.shape import END, FIRST_DAY, LOCAL, local_midnight
from bench.reports_data.shelves import Portion, Shelves
from bench.reports_data.sink import Sink, template
from bench.reports_data.world import SiteIds, Slot, World
from server.catalog.models import Lot
from server.warehouse.ledger.models import NO_LOT, MoveReason

R = MoveReason


class Restock:
    def __init__(self, sink: Sink, shelves: Shelves, world: World, rng: random.Random) -> None:
        self.sink = sink
        self.shelves = shelves
        self.world = world
        self.rng = rng
        self.receipts = 0
        self.lots = 0

    def opening(self) -> None:
        """Every slot starts the year with a full face and one batch in reserve."""
        at = local_midnight(FIRST_DAY) - timedelta(hours=2)
        for site in self.world.sites:
            for slot in site.slots.values():
                lot = self._lot(slot, (at + LOCAL).date()) if self.world.catalog.dated[slot.sku] else NO_LOT
                sku = slot.sku + 1
                self.shelves.move(
                    sku, lot, site.supplier, slot.face, slot.face_cap, R.opening_balance, at, None, "OPENING"
                )
                self.shelves.move(
                    sku, lot, site.supplier, slot.reserves[0], slot.batch, R.opening_balance, at, None, "OPENING"
                )

    def replenish(self, site: SiteIds, slot: Slot, need: int, before: datetime) -> None:
        """Make ``need`` units free on the slot's face by ``before``: from reserve, received if short."""
        shelves, sku = self.shelves, slot.sku + 1
        free = shelves.available(slot.face, sku)
        if free >= need:
            return
        amount = slot.face_cap + need - free
        in_reserve = shelves.available(slot.reserves[0], sku) + shelves.available(slot.reserves[1], sku)
        if in_reserve < amount:
            self.receive(site, slot, max(slot.batch, amount - in_reserve), before)
        at = before - timedelta(minutes=self.rng.uniform(10, 90))
        actor = self.rng.choice(site.people["picker"])
        reference = f"RPL-{site.spec.code}-{int(at.timestamp()) // 60}"
        for reserve in slot.reserves:
            part = min(amount, shelves.available(reserve, sku))
            if part > 0:
                shelves.carry(sku, reserve, slot.face, part, R.replenishment, at, actor, reference)
                amount -= part

    def receive(self, site: SiteIds, slot: Slot, qty: int, before: datetime) -> None:
        """A receipt a day or three before ``before``, put away into the slot's reserve bins."""
        rng, shelves, sku = self.rng, self.shelves, slot.sku + 1
        day = (before + LOCAL).date() - timedelta(days=rng.randint(1, 3))
        day = max(day, FIRST_DAY - timedelta(days=1))
        at = local_midnight(day) + timedelta(hours=9 + rng.uniform(0, 8))
        put_at = at + timedelta(hours=rng.uniform(0.5, 3))
        lot = self._lot(slot, day) if self.world.catalog.dated[slot.sku] else NO_LOT
        extra = 0
        if rng.random() < 0.02:  # a few cartons look damaged: received into quarantine, judged later
            extra = max(1, qty // 10)
        self.receipts += 1
        reference = f"PO{day:%y%m%d}-{site.spec.code}-{self.receipts}"
        receiver = rng.choice(site.people["receiver"])
        dock = rng.choice(site.receiving)
        shelves.move(sku, lot, site.supplier, dock, qty + extra, R.receipt, at, receiver, reference)
        first = qty if qty < 24 else qty * 3 // 5
        shelves.move(sku, lot, dock, slot.reserves[0], first, R.putaway, put_at, receiver, reference)
        if qty > first:
            shelves.move(sku, lot, dock, slot.reserves[1], qty - first, R.putaway, put_at, receiver, reference)
        if extra:
            shelves.move(sku, lot, dock, site.quarantine, extra, R.quarantine, put_at, receiver, reference)
            judged = put_at + timedelta(hours=rng.uniform(4, 72))
            if judged < END:
                if rng.random() < 0.8:
                    shelves.move(
                        sku, lot, site.quarantine, slot.reserves[1], extra, R.release, judged, receiver, reference
                    )
                else:
                    shelves.move(sku, lot, site.quarantine, site.loss, extra, R.scrap, judged, receiver, reference)

    def send_back(self, site: SiteIds, slot: Slot, portions: list[Portion], at: datetime, reference: str) -> None:
        """A customer's return arrives at ``at``: into the returns bin, then back on the face or scrapped."""
        rng, shelves, sku = self.rng, self.shelves, slot.sku + 1
        actor = rng.choice(site.people["receiver"])
        for lot, qty in portions:
            shelves.move(sku, lot, site.customer, site.returns, qty, R.return_receipt, at, actor, reference)
        later = at + timedelta(hours=rng.uniform(6, 48))
        if later >= END:
            return
        units = sum(qty for _, qty in portions)
        if rng.random() < 0.7:
            shelves.carry(sku, site.returns, slot.face, units, R.putaway, later, actor, reference)
        else:
            shelves.carry(sku, site.returns, site.loss, units, R.scrap, later, actor, reference)

    def _lot(self, slot: Slot, received: date) -> int:
        rng = self.rng
        lot_id = self.sink.next_id(Lot)
        life = self.world.catalog.shelf_life[slot.sku]
        made = received - timedelta(days=rng.randint(5, 60))
        if rng.random() < 0.05:  # clearance stock bought close to its date
            made -= timedelta(days=life * 2 // 3)
        self.sink.add(
            Lot,
            template(Lot, local_midnight(received))
            | {
                "id": lot_id,
                "sku_id": slot.sku + 1,
                "lot_number": f"L{received:%Y%m%d}-{lot_id}",
                "manufactured_on": made,
                "expires_on": made + timedelta(days=life),
            },
        )
        self.lots += 1
        return lot_id
