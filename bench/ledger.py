"""Ledger throughput: moves/s through ``post_moves`` beside plain driver INSERTs (the ceiling).

    python -m bench.ledger [--moves 20000] [--backends sqlite,postgres]

For each backend and each shape (one move per transaction, like an API call; 100 per
transaction, like a sync push) it posts N moves through the ledger service — validation, level
rows locked in order, idempotency check, move insert, level update — and then inserts the same
number of rows of the same shape into a plain table with the bare driver (psycopg / sqlite3),
same batch size, same concurrency. The ratio service/ceiling is the figure to watch.
Targets (issue 2): ≥ 2,000 moves/s on PostgreSQL through the service, and ≥ 25 % of the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from server.db import migrate
from server.db.engine import create_engine, create_session_factory
from server.db.transaction import run_in_transaction
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.ledger.verify import verify_ledger
from tests.backends import create_pg_database, drop_pg_database
from tests.factories import make_bin, make_sku, make_warehouse

BINS = 200
SKUS = 500
PLAIN_TABLE = """CREATE TABLE plain_moves (
    id {pk}, sku_id BIGINT NOT NULL, lot_id BIGINT, from_location_id BIGINT NOT NULL,
    to_location_id BIGINT NOT NULL, qty INTEGER NOT NULL, reason VARCHAR(24) NOT NULL,
    reference VARCHAR(128) NOT NULL, occurred_at TIMESTAMP NOT NULL, recorded_at TIMESTAMP NOT NULL,
    idempotency_key VARCHAR(128) NOT NULL)"""


@dataclass(frozen=True)
class Shape:
    batch: int
    workers: int


@dataclass
class World:
    supplier: int
    bins: list[int]
    skus: list[int]


def make_requests(world: World, n: int, run: str, seed: int) -> list[MoveRequest]:
    """Half receipts into random bins, half transfers between random bins (negatives allowed,
    as a sync replay would), over 500 SKUs and 200 bins: realistic spread, some contention."""
    rng = random.Random(seed)
    requests = []
    for i in range(n):
        sku = rng.choice(world.skus)
        if i % 2 == 0:
            src, dst, reason = world.supplier, rng.choice(world.bins), MoveReason.receipt
        else:
            src, dst = rng.sample(world.bins, 2)
            reason = MoveReason.transfer
        requests.append(
            MoveRequest(
                sku_id=sku,
                from_location_id=src,
                to_location_id=dst,
                qty=rng.randint(1, 12),
                reason=reason,
                idempotency_key=f"{run}-{i}",
                reference="BENCH",
            )
        )
    return requests


async def build_world(url: str) -> World:
    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as s, s.begin():
        wh = await make_warehouse(s, code="BENCH")
        bins = [(await make_bin(s, wh, code=f"B-{i:04d}")).id for i in range(BINS)]
        skus = [(await make_sku(s)).id for _ in range(SKUS)]
        world = World(wh.supplier.id, bins, skus)
    await engine.dispose()
    return world


async def service_rate(url: str, world: World, shape: Shape, n: int, run: str) -> float:
    engine = create_engine(url, pool_size=shape.workers)
    factory = create_session_factory(engine)
    requests = make_requests(world, n, run, seed=len(run))
    batches = [requests[i : i + shape.batch] for i in range(0, n, shape.batch)]
    queue: asyncio.Queue[list[MoveRequest]] = asyncio.Queue()
    for b in batches:
        queue.put_nowait(b)

    async def worker() -> None:
        while not queue.empty():
            batch = queue.get_nowait()
            await run_in_transaction(factory, lambda s, b=batch: post_moves(s, b, negative=NegativePolicy.allow))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(shape.workers)))
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return n / elapsed


def _plain_rows(requests: list[MoveRequest]) -> list[tuple[object, ...]]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return [
        (
            r.sku_id,
            r.lot_id,
            r.from_location_id,
            r.to_location_id,
            r.qty,
            r.reason.value,
            r.reference,
            now,
            now,
            r.idempotency_key,
        )
        for r in requests
    ]


INSERT = (
    "INSERT INTO plain_moves (sku_id, lot_id, from_location_id, to_location_id, qty, reason, reference, "
    "occurred_at, recorded_at, idempotency_key) VALUES ({p})"
)


def ceiling_rate_pg(dsn: str, world: World, shape: Shape, n: int, run: str) -> float:
    rows = _plain_rows(make_requests(world, n, run, seed=1))
    batches = [rows[i : i + shape.batch] for i in range(0, n, shape.batch)]
    lock = threading.Lock()
    sql = INSERT.format(p=", ".join(["%s"] * 10))

    def worker() -> None:
        with psycopg.connect(dsn) as conn:
            while True:
                with lock:
                    if not batches:
                        return
                    batch = batches.pop()
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(sql, batch)

    threads = [threading.Thread(target=worker) for _ in range(shape.workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n / (time.perf_counter() - started)


def ceiling_rate_sqlite(path: Path, world: World, shape: Shape, n: int, run: str) -> float:
    rows = _plain_rows(make_requests(world, n, run, seed=1))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    sql = INSERT.format(p=", ".join(["?"] * 10))
    started = time.perf_counter()
    for i in range(0, n, shape.batch):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows[i : i + shape.batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return n / elapsed


async def verify(url: str) -> str:
    engine = create_engine(url)
    async with create_session_factory(engine)() as s:
        report = await verify_ledger(s)
    await engine.dispose()
    return f"verify: {report.moves_counted} moves, {len(report.differences)} differences"


def bench_backend(name: str, n: int, shapes: list[Shape]) -> list[tuple[str, Shape, float, float]]:
    results = []
    if name == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="cangku-bench-"))
        path = folder / "bench.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(url)
        world = asyncio.run(build_world(url))
        with sqlite3.connect(path) as conn:
            conn.execute(PLAIN_TABLE.format(pk="INTEGER PRIMARY KEY"))
        for shape in shapes:
            shape = Shape(shape.batch, 1)  # one writer: SQLite has one
            run = f"sqlite-{shape.batch}"
            service = asyncio.run(service_rate(url, world, shape, n, run))
            ceiling = ceiling_rate_sqlite(path, world, shape, n, run)
            results.append((name, shape, service, ceiling))
        print(f"  sqlite {asyncio.run(verify(url))}")
        return results
    db, url = create_pg_database()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        migrate.upgrade(url)
        world = asyncio.run(build_world(url))
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(PLAIN_TABLE.format(pk="BIGSERIAL PRIMARY KEY"))
        for shape in shapes:
            run = f"pg-{shape.batch}-{shape.workers}"
            service = asyncio.run(service_rate(url, world, shape, n, run))
            ceiling = ceiling_rate_pg(dsn, world, shape, n, run)
            results.append((name, shape, service, ceiling))
        print(f"  postgres {asyncio.run(verify(url))}")
    finally:
        drop_pg_database(db)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=4, help="concurrent transactions on PostgreSQL")
    args = parser.parse_args()
    shapes = [Shape(1, args.workers), Shape(100, args.workers)]
    print(f"ledger benchmark: {args.moves} moves per run, {SKUS} SKUs, {BINS} bins")
    rows = []
    for backend in args.backends.split(","):
        rows += bench_backend(backend.strip(), args.moves, shapes)
    print(f"{'backend':<9} {'moves/tx':>8} {'workers':>7} {'service moves/s':>16} {'plain INSERT/s':>15} {'ratio':>6}")
    for name, shape, service, ceiling in rows:
        ratio = service / ceiling
        print(f"{name:<9} {shape.batch:>8} {shape.workers:>7} {service:>16,.0f} {ceiling:>15,.0f} {ratio:>6.0%}")
    print("targets: PostgreSQL service >= 2,000 moves/s and >= 25% of the plain-INSERT ceiling")


if __name__ == "__main__":
    main()
