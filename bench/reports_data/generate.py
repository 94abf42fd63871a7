"""The year, day by day: orders and what the warehouse did about them, counts, then the extra
transfers that bring the ledger to its target size, then the stock levels.

Everything comes from one seeded ``random.Random`` used in a fixed order, so a scale always gives
the same rows. The ledger's target (5,000,000 moves at scale 1) is more than the orders alone cause
(picks, shipments, replenishment, receipts, returns, counts: about 3 moves per order line); the rest
are transfers between each slot's two reserve bins (re-slotting, consolidation), spread over the
year like the orders: bulk for the tables and indexes, never counted as picks or shipments. The
bench prints the mix of reasons it ends with.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from bench.reports_data.counts import Counts
from bench.reports_data.orders import Orders, draw
from bench.reports_data.restock import Restock
from bench.reports_data.shape import END, SEED, Sizes, daily_orders, local_midnight
from bench.reports_data.shelves import Shelves
from bench.reports_data.sink import Factory, Sink
from bench.reports_data.waves import Waves
from bench.reports_data.world import World, build_world
from server.warehouse.ledger.models import MoveReason


@dataclass(frozen=True, slots=True)
class Generated:
    rows: dict[str, int]
    """Rows written per table."""
    moves_by_reason: dict[str, int]
    negative_bins: int
    seconds: float


async def generate(factory: Factory, sizes: Sizes, *, say: Callable[[str], None] = print) -> Generated:
    """Fill an empty, migrated database with the year at ``sizes``."""
    rng = random.Random(SEED)
    sink = Sink(factory)
    world = build_world(sink, sizes, rng)
    unbounded = {loc for site in world.sites for loc in (site.supplier, site.customer, site.loss)}
    shelves = Shelves(sink, unbounded, world.devices)
    restock = Restock(sink, shelves, world, rng)
    waves = Waves(sink, rng)
    orders = Orders(sink, shelves, restock, waves, world, rng)
    counts = Counts(sink, shelves, world, rng, sizes.counts_per_warehouse_day)
    restock.opening()
    await sink.drain(force=True)
    say(f"  catalog and layout: {sizes.skus:,} SKUs, {len(world.sites)} warehouses ({sink.elapsed():.0f} s)")
    days = daily_orders(sizes.orders)

    def one_day(day: date, count: int) -> None:
        orders.day(day, count)
        counts.day(day)
        waves.close_before(local_midnight(day))

    for day, count in days:  # a day is made in a worker thread while the loop writes the last batch
        await asyncio.to_thread(one_day, day, count)
        await sink.drain()
        if (day + timedelta(days=1)).day == 1:
            say(
                f"  {day:%Y-%m}: {orders.orders:,} orders, {orders.lines:,} lines, "
                f"{shelves.moves:,} moves ({sink.elapsed():.0f} s)"
            )
    waves.close_all()
    negative = counts.negatives()
    await sink.drain(force=True)
    transfers = _transfers(shelves, world, rng, sizes.moves - shelves.moves, days)
    while await asyncio.to_thread(next, transfers, False):
        await sink.drain()
    levels = shelves.write_levels(END)
    say(
        f"  transfers to {shelves.moves:,} moves; {levels:,} stock levels, {negative} below zero "
        f"({sink.elapsed():.0f} s)"
    )
    await sink.finish()
    by_reason = {reason.value: n for reason, n in sorted(shelves.by_reason.items(), key=lambda item: -item[1])}
    return Generated(dict(sink.written), by_reason, negative, sink.elapsed())


def _transfers(
    shelves: Shelves, world: World, rng: random.Random, count: int, days: list[tuple[date, int]]
) -> Iterator[bool]:
    """``count`` moves between reserve bins of one slot, on days weighted like the orders; yields
    ``True`` every 10,000 so the caller can write them."""
    if count <= 0:
        return
    sites = world.sites
    site_cum = list(accumulate(site.spec.share for site in sites))
    chosen = sorted(rng.choices(range(len(days)), weights=[n for _, n in days], k=count))
    starts = [local_midnight(day) + timedelta(hours=9) for day, _ in days]
    nine_hours = 9 * 3600
    for done, index in enumerate(chosen):
        at = starts[index] + timedelta(seconds=int(rng.random() * nine_hours))
        if at >= END:
            at = END - timedelta(minutes=rng.uniform(5, 600))
        for _ in range(1_000):  # a slot with nothing in reserve is skipped for another
            site = draw(rng, sites, site_cum)
            k = site.skus[int(rng.random() * len(site.skus))]
            slot, sku = site.slots[k], k + 1
            a, b = slot.reserves
            if a == b:
                continue
            free_a, free_b = shelves.available(a, sku), shelves.available(b, sku)
            source, target, free = (a, b, free_a) if free_a >= free_b else (b, a, free_b)
            if free <= 0:
                continue
            lot, part = shelves.plan(source, sku, 1 + int(rng.random() * min(free, 48)))[0]  # one lot: one move
            actor = site.people["receiver"][done % len(site.people["receiver"])]
            shelves.move(sku, lot, source, target, part, MoveReason.transfer, at, actor, f"TR-{site.spec.code}-{done}")
            break
        if done % 10_000 == 9_999:
            yield True
