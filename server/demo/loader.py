"""Load the demo data set: what ``cangku run`` puts into an empty database on first start.

Steps, each its own transaction so SQLite's write lock is never held for the whole load: the
warehouses with their bins; the catalog; the opening stock through the ledger in batches; then
reservations, frozen bins and the logins together. Every step skips or replays what an interrupted
earlier load already wrote, and the logins come last, so "has users" means "finished".

The data is deterministic: one ``random.Random(2026)`` seeds every step (each step its own stream,
so a resumed load draws the same numbers as a fresh one). Only lot dates follow the calendar.
"""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime
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
from server.demo.stock_plan import StockPlan, plan_stock
from server.demo.summary import DemoSummary, ProgressCallback
from server.demo.write_catalog import write_catalog
from server.demo.write_layout import write_layout
from server.demo.write_stock import load_ids, post_opening_stock
from server.settings import Settings
from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.models import PHYSICAL_TYPES, Location, Warehouse

SEED = 2026
DEMO_TIMEZONE = ZoneInfo("Asia/Shanghai")


def build_demo(today: date) -> tuple[CatalogSpec, StockPlan]:
    """The whole data set as plain data (no database): the same on every call for the same ``today``."""
    root = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    catalog_rng = random.Random(root.getrandbits(64))  # noqa: S311
    stock_rng = random.Random(root.getrandbits(64))  # noqa: S311
    catalog = build_catalog(catalog_rng, today)
    return catalog, plan_stock(stock_rng, catalog, WAREHOUSES)


async def load_demo_data(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo set; refuse (``DemoDataRefused``, nothing written) if it has users.

    ``today`` (default: today in Shanghai) anchors the lot dates, so near-expiry lots are near expiry.
    """
    report: ProgressCallback = progress or _silent
    async with session_factory() as session:
        await refuse_unless_empty(session)

    catalog, plan = build_demo(today or datetime.now(DEMO_TIMEZONE).date())
    report("warehouses and bins")
    bins = await run_in_transaction(session_factory, lambda s: write_layout(s, WAREHOUSES), retry_integrity=False)
    report(f"bins {bins} created" if bins else "warehouses already there")
    await run_in_transaction(session_factory, lambda s: write_catalog(s, catalog, report), retry_integrity=False)

    async with session_factory() as session:
        ids = await load_ids(session, [w.code for w in WAREHOUSES])
    fresh = await post_opening_stock(session_factory, plan.placements, ids, report)
    if fresh < len(plan.placements):
        report(f"{len(plan.placements) - fresh} stock moves were already posted by an interrupted load")

    report(f"reservations, frozen bins, {len(LOGINS)} demo logins")
    # Argon2 costs ~0.15 s a hash on purpose. The demo logins share one password that is printed on
    # the console, so a salt per user would protect nothing: one hash serves them all.
    password_hash = await asyncio.to_thread(hash_password, settings.demo_password)
    await run_in_transaction(session_factory, lambda s: finish(s, plan, ids, password_hash), retry_integrity=False)
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
        logins=LOGINS,
    )
