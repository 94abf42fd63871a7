"""Where the demo's opening stock goes, as plain data: which SKU, lot and quantity into which bin.

Pure, so it is the same on every run. Most SKUs sit in one to three bins of one or both warehouses
(the first on the pick face, the rest in overstock), lots are spread over those bins, a few SKUs
wait in quarantine (待检), a few come back as returns, a few are on the road (在途), and about one in
fourteen is out of stock, as in any real shop. Bins fill up to their capacity and some stay empty.
Lots are named by their position in ``SkuSpec.lots``, so the plan does not depend on the dates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum

from server.demo.catalog_spec import CatalogSpec, SkuSpec
from server.demo.layout_spec import BinSpec, WarehouseSpec
from server.warehouse.models import LocationType
from server.warehouse.virtual_locations import virtual_code

TRANSIT = virtual_code(LocationType.transit)
"""The bin name of stock on the road to a warehouse (its virtual transit location)."""
RESERVATIONS = 40
OUT_OF_STOCK = 0.07
EMPTY_BINS = 0.12


class PlacementKind(StrEnum):
    receipt = "receipt"
    """Supplier → bin (期初入库)."""
    transit = "transit"
    """Supplier → the warehouse's transit location (采购在途)."""
    return_receipt = "return_receipt"
    """Customer → returns bin (退货待处理)."""


@dataclass(frozen=True, slots=True)
class Placement:
    warehouse: str
    bin: str
    sku: str
    lot: int | None
    """Index into the SKU's ``lots`` (sorted by lot number), or ``None`` for a SKU without lots."""
    qty: int
    kind: PlacementKind = PlacementKind.receipt


@dataclass(frozen=True, slots=True)
class Reservation:
    warehouse: str
    bin: str
    sku: str
    lot: int | None
    qty: int


@dataclass(frozen=True, slots=True)
class StockPlan:
    placements: tuple[Placement, ...]
    reservations: tuple[Reservation, ...]
    frozen_bins: tuple[tuple[str, str], ...]
    """(warehouse, bin) frozen after the opening stock is in: a count is under way there."""


@dataclass
class _Pool:
    """The bins of one zone and purpose, handed out round-robin while they have room."""

    bins: list[BinSpec]
    used: dict[str, int] = field(default_factory=dict)
    cursor: int = 0

    def take(self, qty: int, exclude: set[str]) -> tuple[str, int] | None:
        """A bin with room for ``qty`` (or the roomiest, with ``qty`` cut to fit); ``None`` if all are full."""
        best: tuple[int, int] | None = None
        for step in range(len(self.bins)):
            index = (self.cursor + step) % len(self.bins)
            spec = self.bins[index]
            if spec.code in exclude:
                continue
            room = (spec.capacity_units or 10**9) - self.used.get(spec.code, 0)
            if room >= qty:
                best = (index, qty)
                break
            if room > 0 and (best is None or room > best[1]):
                best = (index, room)
        if best is None:
            return None
        index, granted = best
        code = self.bins[index].code
        self.used[code] = self.used.get(code, 0) + granted
        self.cursor = index + 1
        return code, granted


@dataclass
class _Warehouse:
    spec: WarehouseSpec
    pick: dict[str, _Pool]
    storage: dict[str, _Pool]
    special: dict[LocationType, list[str]]


def plan_stock(rng: random.Random, catalog: CatalogSpec, warehouses: tuple[WarehouseSpec, ...]) -> StockPlan:
    sites = [_site(rng, spec) for spec in warehouses]
    merged: dict[tuple[str, str, str, int | None], Placement] = {}

    def put(placement: Placement) -> None:
        key = (placement.warehouse, placement.bin, placement.sku, placement.lot)
        earlier = merged.get(key)
        merged[key] = (
            placement
            if earlier is None
            else Placement(
                warehouse=placement.warehouse,
                bin=placement.bin,
                sku=placement.sku,
                lot=placement.lot,
                qty=earlier.qty + placement.qty,
                kind=placement.kind,
            )
        )

    for sku in catalog.skus():
        if sku.is_kit or rng.random() < OUT_OF_STOCK:
            continue
        draw = rng.random()
        chosen = sites[:1] if draw < 0.55 else sites[1:2] if draw < 0.75 else sites
        for site in chosen:
            for placement in _sku_in_site(rng, sku, site):
                put(placement)

    placements = tuple(merged.values())
    frozen = _frozen_bins(rng, placements, sites)
    return StockPlan(
        placements=placements, reservations=_reservations(rng, placements, sites, frozen), frozen_bins=frozen
    )


def _site(rng: random.Random, spec: WarehouseSpec) -> _Warehouse:
    pick: dict[str, list[BinSpec]] = {}
    storage: dict[str, list[BinSpec]] = {}
    special: dict[LocationType, list[str]] = {}
    for bin_spec in spec.bins():
        if bin_spec.type is LocationType.pick:
            pick.setdefault(bin_spec.zone, []).append(bin_spec)
        elif bin_spec.type is LocationType.storage:
            storage.setdefault(bin_spec.zone, []).append(bin_spec)
        else:
            special.setdefault(bin_spec.type, []).append(bin_spec.code)

    def pools(groups: dict[str, list[BinSpec]]) -> dict[str, _Pool]:
        result = {}
        for zone, bins in groups.items():
            shuffled = rng.sample(bins, len(bins))
            result[zone] = _Pool(shuffled[: len(bins) - int(len(bins) * EMPTY_BINS)])
        return result

    return _Warehouse(spec=spec, pick=pools(pick), storage=pools(storage), special=special)


def _sku_in_site(rng: random.Random, sku: SkuSpec, site: _Warehouse) -> list[Placement]:
    """The SKU's bins in one warehouse: pick face first, overstock after; lots spread over them."""
    code = site.spec.code
    slots = rng.choice((1, 1, 1, 1, 1, 2, 2, 2, 3, 3))
    lots: list[int | None] = list(range(len(sku.lots))) if sku.lots else [None]
    by_slot: dict[int, list[tuple[int | None, int]]] = {}
    for lot in lots:
        spread = 1 if slots == 1 else rng.choice((1, 1, 2))
        for slot in rng.sample(range(slots), spread):
            by_slot.setdefault(slot, []).append((lot, rng.randint(*sku.qty)))

    placements: list[Placement] = []
    used: set[str] = set()
    for slot in sorted(by_slot):
        pools = site.pick if slot == 0 or sku.zone not in site.storage else site.storage
        taken = pools[sku.zone].take(sum(qty for _, qty in by_slot[slot]), used)
        if taken is None:
            continue
        bin_code, room = taken
        used.add(bin_code)
        for lot, qty in by_slot[slot]:
            granted = min(qty, room)
            room -= granted
            if granted > 0:
                placements.append(Placement(warehouse=code, bin=bin_code, sku=sku.code, lot=lot, qty=granted))

    newest = lots[-1]
    low = max(1, sku.qty[0] // 2)
    if rng.random() < 0.025:  # just received, waiting for QC (待检)
        qc = rng.choice(site.special[LocationType.quarantine])
        placements.append(Placement(warehouse=code, bin=qc, sku=sku.code, lot=newest, qty=rng.randint(low, sku.qty[0])))
    if rng.random() < 0.008:  # sent back by a buyer (退货)
        returns = rng.choice(site.special[LocationType.returns])
        placements.append(
            Placement(
                warehouse=code,
                bin=returns,
                sku=sku.code,
                lot=rng.choice(lots),
                qty=rng.randint(1, 3),
                kind=PlacementKind.return_receipt,
            )
        )
    if rng.random() < 0.015:  # a purchase on the road (采购在途)
        placements.append(
            Placement(
                warehouse=code,
                bin=TRANSIT,
                sku=sku.code,
                lot=newest,
                qty=rng.randint(*sku.qty),
                kind=PlacementKind.transit,
            )
        )
    return placements


def _bin_types(sites: list[_Warehouse]) -> dict[tuple[str, str], BinSpec]:
    return {(site.spec.code, b.code): b for site in sites for b in site.spec.bins()}


def _frozen_bins(
    rng: random.Random, placements: tuple[Placement, ...], sites: list[_Warehouse]
) -> tuple[tuple[str, str], ...]:
    """One stocked pick bin per warehouse, frozen for a count: shows the "frozen" stock state."""
    bins = _bin_types(sites)
    frozen = []
    for site in sites:
        stocked = sorted(
            {
                p.bin
                for p in placements
                if p.warehouse == site.spec.code
                and p.kind is PlacementKind.receipt
                and bins[(p.warehouse, p.bin)].type is LocationType.pick
            }
        )
        frozen.append((site.spec.code, rng.choice(stocked)))
    return tuple(frozen)


def _reservations(
    rng: random.Random,
    placements: tuple[Placement, ...],
    sites: list[_Warehouse],
    frozen: tuple[tuple[str, str], ...],
) -> tuple[Reservation, ...]:
    """Stock locked for paid orders (锁库存) on pick faces, so "reserved" and "available" differ."""
    bins = _bin_types(sites)
    candidates = [
        p
        for p in placements
        if p.kind is PlacementKind.receipt
        and p.qty >= 6
        and (p.warehouse, p.bin) not in frozen
        and bins[(p.warehouse, p.bin)].type is LocationType.pick
    ]
    return tuple(
        Reservation(warehouse=p.warehouse, bin=p.bin, sku=p.sku, lot=p.lot, qty=rng.randint(1, min(5, p.qty // 3)))
        for p in rng.sample(candidates, min(RESERVATIONS, len(candidates)))
    )
