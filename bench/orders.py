"""Order throughput (issue 4 §10): a promotion's orders imported, reviewed, routed and reserved; waves.

    python -m bench.orders [--backend sqlite|postgres|both] [--orders 100000] [--wave-orders 10000] [--quick]

A shop's paid orders (1–3 lines of 1–2 units, one in ten with a buyer message that the review
rule holds) are imported through the import runner (chunks of 200, one transaction each, as a
file upload does), then processed — review, routing (region rule, then nearest with stock),
reservation and carrier — in batches of 1,000, as ``POST /api/orders/process`` does. Then
``--wave-orders`` routed orders are built into waves of 200. Printed: orders/s for each phase and
for both, and the wave build time. Targets: >= 1,500 orders/s on PostgreSQL (import + process);
a 10,000-order wave build in <= 5 s. Afterwards reserved stock must equal the routed orders' units.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.sync_seed import Factory, build_site, random_levels, receive_stock
from server.catalog.models import Sku
from server.db import migrate
from server.db.engine import create_engine, create_session_factory
from server.db.transaction import run_in_transaction
from server.fulfilment.waves import build_waves
from server.lib.gc_tuning import tune_gc
from server.orders.imports import new_import, run_import
from server.orders.models import Channel, Order, OrderLine, OrderReservation, OrderRuleSet, OrderStatus
from server.orders.normalized import NormalizedLine, NormalizedOrder, ParseResult, PlatformStatus, Receiver
from server.orders.processing import process_paid
from server.settings import Settings
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Warehouse
from tests.backends import create_pg_database, drop_pg_database

TARGET_ORDERS_PER_S = 1_500
TARGET_WAVE_S = 5.0
PROCESS_BATCH = 1_000
PROVINCES = ("上海", "浙江省", "江苏省", "北京市", "广东省", "四川省", "湖北省", "山东省", "河南省", "福建省")


@dataclass
class Result:
    orders: int
    import_s: float
    process_s: float
    routed: int
    held: int
    wave_orders: int
    wave_s: float
    waves: int
    checks: list[str]


def make_orders(count: int, codes: list[str], rng: random.Random) -> list[NormalizedOrder]:
    start = datetime(2026, 11, 11, tzinfo=UTC)
    orders = []
    for n in range(count):
        lines = [
            NormalizedLine(
                platform_line_id=str(k),
                sku_code=code,
                qty=rng.randint(1, 2),
                unit_price_minor=9_900,
                paid_minor=9_900,
            )
            for k, code in enumerate(rng.sample(codes, rng.randint(1, 3)), start=1)
        ]
        paid = sum(line.qty * 9_900 for line in lines)
        orders.append(
            NormalizedOrder(
                platform="taobao",
                platform_order_no=f"2026111{n:012d}",
                status=PlatformStatus.paid,
                created_at=start + timedelta(seconds=n),
                paid_at=start + timedelta(seconds=n + 30),
                goods_minor=paid,
                paid_minor=paid,
                buyer_id=f"b**{n % 9973}",
                buyer_message="请尽快发货" if n % 10 == 0 else "",
                receiver=Receiver(name="张**", phone="138****0000", province=rng.choice(PROVINCES), address="某路1号"),
                lines=lines,
            )
        )
    return orders


async def seed(url: str, orders: int) -> tuple[int, int, list[str]]:
    """One warehouse with enough stock for every order, the rules, a channel; answers their ids."""
    engine = create_engine(url, pool_size=2)
    factory = create_session_factory(engine)
    try:
        skus = max(200, orders // 50)
        site = await build_site(factory, code="ORD", bins=max(400, skus * 2), skus=skus)
        levels = random_levels(site, skus * 4, random.Random(3), lo=orders // skus + 10, hi=orders // skus * 2 + 40)
        await receive_stock(factory, site, levels)
        async with factory() as s, s.begin():
            warehouse = await s.get(Warehouse, site.warehouse_id)
            assert warehouse is not None
            warehouse.province = "上海市"
            channel = Channel(code="TMALL-BENCH", name="天猫旗舰店", platform="taobao")
            s.add(channel)
            review = [
                {
                    "id": 1,
                    "position": 1,
                    "name": "有留言",
                    "conditions": [{"type": "buyer_message_present"}],
                    "action": {"type": "hold", "reason_en": "read the message", "reason_zh": "查看留言"},
                }
            ]
            routing = [
                {
                    "id": 1,
                    "position": 1,
                    "name": "华东",
                    "conditions": [{"type": "region_in", "regions": ["华东"]}],
                    "action": {"type": "route_to", "warehouse_ids": [site.warehouse_id]},
                },
                {"id": 2, "position": 2, "name": "就近", "conditions": [], "action": {"type": "nearest_with_stock"}},
            ]
            rates = [{"carrier_code": "YTO", "first_weight_g": 1000, "first_fee_minor": 500, "extra_per_kg_minor": 200}]
            for kind, items in (("review", review), ("routing", routing), ("rates", rates)):
                s.add(OrderRuleSet(kind=kind, document={"items": items}))
            await s.flush()
            codes = list(await s.scalars(select(Sku.code).where(Sku.id.in_(site.skus))))
            return site.warehouse_id, channel.id, codes
    finally:
        await engine.dispose()


async def run(url: str, count: int, wave_orders: int) -> Result:
    warehouse_id, channel_id, codes = await seed(url, count)
    orders = make_orders(count, codes, random.Random(11))
    engine = create_engine(url, pool_size=4)
    factory: Factory = create_session_factory(engine)
    try:
        parsed = ParseResult(orders=orders, rows=count)

        async def start(session: AsyncSession) -> int:
            row = new_import(channel_id, parsed, source="file", filename="bench.csv", user_id=None)
            session.add(row)
            await session.flush()
            return row.id

        started = time.perf_counter()
        import_id = await run_in_transaction(factory, start)
        await run_import(factory, import_id, channel_id, orders, actor=None)
        import_s = time.perf_counter() - started

        routed = held = 0
        started = time.perf_counter()
        while True:
            report = await run_in_transaction(factory, lambda s: process_paid(s, actor=None, limit=PROCESS_BATCH))
            routed, held = routed + report.routed, held + report.held
            if len(report.orders) < PROCESS_BATCH:
                break
        process_s = time.perf_counter() - started

        async with factory() as s:
            ids = list(
                await s.scalars(
                    select(Order.id).where(Order.status == OrderStatus.routed).order_by(Order.id).limit(wave_orders)
                )
            )
        started = time.perf_counter()
        waves = await run_in_transaction(
            factory, lambda s: build_waves(s, warehouse_id, actor=None, order_ids=ids, max_orders=200)
        )
        wave_s = time.perf_counter() - started
        checks = await _check(factory, count)
    finally:
        await engine.dispose()
    return Result(count, import_s, process_s, routed, held, len(ids), wave_s, len(waves), checks)


async def _check(factory: Factory, count: int) -> list[str]:
    async with factory() as s:
        stored = await s.scalar(select(func.count()).select_from(Order))
        reserved = await s.scalar(select(func.sum(StockLevel.reserved)))
        held_units = await s.scalar(select(func.sum(OrderReservation.qty)))
        routed_units = await s.scalar(
            select(func.sum(OrderLine.qty))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.in_([OrderStatus.routed, OrderStatus.in_wave]))
        )
        over = await s.scalar(
            select(func.count()).select_from(StockLevel).where(StockLevel.reserved > StockLevel.on_hand)
        )
    return [
        f"orders stored {stored} of {count}",
        f"reserved {reserved}, held by order reservations {held_units}, units of routed orders {routed_units}",
        f"levels reserved beyond on hand: {over}",
    ]


def report(name: str, r: Result) -> None:
    total = r.import_s + r.process_s
    rate = r.orders / total
    verdict = "meets" if rate >= TARGET_ORDERS_PER_S else "MISSES"
    print(f"\n== {name}: {r.orders:,} orders")
    print(f"  {'import':<28}{r.import_s:>8.1f} s  {r.orders / r.import_s:>8,.0f} orders/s")
    print(f"  {'review + route + reserve':<28}{r.process_s:>8.1f} s  {r.orders / r.process_s:>8,.0f} orders/s")
    print(f"  {'both':<28}{total:>8.1f} s  {rate:>8,.0f} orders/s  target >= {TARGET_ORDERS_PER_S:,} ({verdict})")
    print(f"  routed {r.routed:,}, held {r.held:,}")
    wave_verdict = "meets" if r.wave_s <= TARGET_WAVE_S else "MISSES"
    print(
        f"  {'wave build':<28}{r.wave_s:>8.2f} s  for {r.wave_orders:,} orders in {r.waves} waves"
        f"  target <= {TARGET_WAVE_S} s ({wave_verdict})"
    )
    for line in r.checks:
        print(f"  check: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--wave-orders", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="5,000 orders, waves of 2,000: a smoke run")
    args = parser.parse_args()
    tune_gc(Settings.from_env())  # the collector as a server process runs it (server/app.py)
    count, wave_orders = (5_000, 2_000) if args.quick else (args.orders, args.wave_orders)
    for name in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        folder = Path(tempfile.mkdtemp(prefix="cangku-bench-orders-"))
        created = None
        if name == "sqlite":
            url = f"sqlite+aiosqlite:///{folder / 'orders.sqlite3'}"
        else:
            created, url = create_pg_database()
        try:
            migrate.upgrade(url)
            report(name, asyncio.run(run(url, count, wave_orders)))
        finally:
            if created:
                drop_pg_database(created)


if __name__ == "__main__":
    main()
