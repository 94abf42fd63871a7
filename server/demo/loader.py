"""Load the demo data set: what ``cangku run`` puts into an empty database on first start.

Steps, each its own transaction so SQLite's write lock is never held for the whole load: the
warehouses with their bins; the catalog; the opening stock through the ledger in batches; the day's
work — two shops' paid orders imported, routed, reserved and half of them waved, two blind counts —
through the same services the API uses; then reservations, frozen bins, the logins and a purchase
order together. Every step skips or replays what an interrupted earlier load already wrote, and the
logins come last, so "has users" means "finished".

The data is deterministic: one ``random.Random(2026)`` seeds every step (each step its own stream,
so a resumed load draws the same numbers as a fresh one). Only lot dates and the orders' times
(paid today, Asia/Shanghai, before ``now``) follow the calendar.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import User
from server.auth.passwords import hash_password
from server.catalog.models import Barcode, Lot, Sku
from server.db.transaction import run_in_transaction
from server.demo.catalog_spec import CatalogSpec, build_catalog
from server.demo.finish import finish
from server.demo.first_start import refuse_unless_empty
from server.demo.layout_spec import WAREHOUSES
from server.demo.logins import LOGINS
from server.demo.order_spec import DemoOrder, plan_orders
from server.demo.purchase import PurchaseSpec, plan_purchase
from server.demo.stock_plan import StockPlan, plan_stock
from server.demo.summary import DemoSummary, ProgressCallback
from server.demo.write_catalog import write_catalog
from server.demo.write_counts import count_bins, plan_demo_counts
from server.demo.write_layout import write_layout
from server.demo.write_orders import write_orders
from server.demo.write_stock import load_ids, post_opening_stock
from server.fulfilment.models import Wave
from server.inbound.models import PurchaseOrder
from server.orders.models import Order
from server.settings import Settings
from server.tasks.models import Task, TaskKind, TaskStatus
from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.models import PHYSICAL_TYPES, Location, Warehouse

SEED = 2026
DEMO_TIMEZONE = ZoneInfo("Asia/Shanghai")


def _streams() -> tuple[random.Random, random.Random, random.Random, random.Random]:
    """One stream per step, drawn from the root in a fixed order: a step added later takes the
    next draw, so the earlier steps' data never changes."""
    root = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    catalog, stock, orders, purchase = (random.Random(root.getrandbits(64)) for _ in range(4))  # noqa: S311
    return catalog, stock, orders, purchase


def build_demo(today: date) -> tuple[CatalogSpec, StockPlan]:
    """The whole data set as plain data (no database): the same on every call for the same ``today``."""
    catalog_rng, stock_rng, _, _ = _streams()
    catalog = build_catalog(catalog_rng, today)
    return catalog, plan_stock(stock_rng, catalog, WAREHOUSES)


@dataclass(frozen=True, slots=True)
class DemoDay:
    """The work waiting on the demo's first day, as plain data."""

    orders: tuple[DemoOrder, ...]
    counts: tuple[tuple[str, ...], tuple[str, ...]]
    """Hangzhou bin codes of the two blind counts."""
    purchase: PurchaseSpec


def build_day(catalog: CatalogSpec, plan: StockPlan, now: datetime, today: date) -> DemoDay:
    """The same orders, counts and purchase order on every call; only the orders' times follow ``now``."""
    _, _, orders_rng, purchase_rng = _streams()
    orders = plan_orders(orders_rng, catalog, plan, now)
    ordered = {line.sku_code for o in orders for line in o.order.lines}
    return DemoDay(
        orders=orders, counts=count_bins(plan, ordered), purchase=plan_purchase(purchase_rng, catalog, plan, today)
    )


async def load_demo_data(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo set; refuse (``DemoDataRefused``, nothing written) if it has users.

    ``today`` (default: today in Shanghai) anchors the lot dates, so near-expiry lots are near expiry;
    ``now`` (default: the clock) the orders, all paid today before it.
    """
    report: ProgressCallback = progress or _silent
    async with session_factory() as session:
        await refuse_unless_empty(session)

    now = now or datetime.now(UTC)
    today = today or now.astimezone(DEMO_TIMEZONE).date()
    catalog, plan = build_demo(today)
    report("warehouses and bins")
    bins = await run_in_transaction(session_factory, lambda s: write_layout(s, WAREHOUSES), retry_integrity=False)
    report(f"bins {bins} created" if bins else "warehouses already there")
    await run_in_transaction(session_factory, lambda s: write_catalog(s, catalog, report), retry_integrity=False)

    async with session_factory() as session:
        ids = await load_ids(session, [w.code for w in WAREHOUSES])
    fresh = await post_opening_stock(session_factory, plan.placements, ids, report)
    if fresh < len(plan.placements):
        report(f"{len(plan.placements) - fresh} stock moves were already posted by an interrupted load")

    day = build_day(catalog, plan, now, today)
    report(f"orders of the day: {len(day.orders)} imported, reviewed, routed and waved; counts planned")
    await write_orders(session_factory, day.orders, ids)
    await run_in_transaction(session_factory, lambda s: plan_demo_counts(s, ids, day.counts), retry_integrity=False)
    async with session_factory() as session:
        report((await _summary(session)).activity)

    report(f"reservations, frozen bins, {len(LOGINS)} demo logins, purchase order {day.purchase.code}")
    # Argon2 costs ~0.15 s a hash on purpose. The demo logins share one password that is printed on
    # the console, so a salt per user would protect nothing: one hash serves them all.
    password_hash = await asyncio.to_thread(hash_password, settings.demo_password)
    await run_in_transaction(
        session_factory, lambda s: finish(s, plan, ids, password_hash, day.purchase), retry_integrity=False
    )
    async with session_factory() as session:
        return await _summary(session)


def _silent(_message: str) -> None:
    return None


async def _summary(session: AsyncSession) -> DemoSummary:
    async def count(*where: object, of: object) -> int:
        return int(await session.scalar(select(func.count()).select_from(of).where(*where)) or 0)  # type: ignore[arg-type]

    return DemoSummary(
        warehouses=await count(of=Warehouse),
        bins=await count(Location.type.in_(list(PHYSICAL_TYPES)), of=Location),
        skus=await count(of=Sku),
        barcodes=await count(of=Barcode),
        lots=await count(of=Lot),
        moves=await count(of=StockMove),
        users=await count(of=User),
        reservations=await count(StockLevel.reserved > 0, of=StockLevel),
        orders=await count(of=Order),
        waves=await count(of=Wave),
        pick_tasks=await count(Task.kind == TaskKind.pick, Task.status == TaskStatus.open, of=Task),
        count_tasks=await count(Task.kind == TaskKind.bin_count, Task.status == TaskStatus.open, of=Task),
        purchase_orders=await count(of=PurchaseOrder),
        logins=LOGINS,
    )
