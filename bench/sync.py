"""Sync throughput (issue 3): a shift's offline outboxes replayed through push, and a first pull.

    python -m bench.sync [--backend sqlite|postgres|both] [--quick] [--part replay|pull|both]
                         [--devices 200] [--ops-per-device 1500] [--concurrency 8]
                         [--sqlite-concurrency 2] [--profile FILE]

Replay: the morning after a network outage. ``--devices`` phones each recorded
``--ops-per-device`` ops over two hours (half moves between bins, 45 % picks against their claimed
pick tasks, 5 % bin counts), then all reconnect at once and push their outboxes, 100 ops a push,
oldest first, through ``POST /api/sync/push`` of the real app. Requests are concurrent (at most
``--concurrency`` in flight; SQLite has one writer, so ``--sqlite-concurrency`` defaults to 2), which
the server must turn into exactly-once, in-order application. A push answered 5xx is retried as
SPEC.md §5.8 tells phones to (same ops, backoff from 1 s); failures and retries are printed.
Afterwards every op must have exactly one stored outcome, every device's ``last_applied_seq`` must
equal its op count, and the ledger must verify. Targets: >= 5,000 ops/s on PostgreSQL, p95 <= 200 ms
per 100-op push.

Initial sync: a new phone in a big warehouse (50,000 SKUs, 100,000 barcodes, 20,000 bins, 50,000
stock levels) pulls from ``cursor: null`` with ``limit: 1000`` until ``has_more`` is false.
Targets: <= 30 s of server time and <= 15 MB on the wire. The phone sends ``Accept-Encoding: gzip``
as browsers do; the wire figure is the bytes the server sent (gzip), the server time includes the
compression, and the decoded JSON size is printed beside it.

The app runs in-process behind ``httpx.ASGITransport`` (not ``litestar.testing.AsyncTestClient``,
which sends each request through a blocking portal and so serialises concurrent requests).
Request bodies are encoded and response bodies decoded outside the timed section: that is the
phone's work. Everything else — routing, auth, decoding, handlers, SQL — is the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import random
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import msgspec
from litestar import Litestar
from sqlalchemy import func, select, text

from bench import sync_seed as seed
from bench.sync_seed import FULL, QUICK, Sizes
from server.app import create_app
from server.db import migrate
from server.db.engine import create_engine, create_session_factory
from server.settings import Settings
from server.syncapi.tables import SYNC_TABLES
from server.warehouse.ledger.verify import verify_ledger
from tests.backends import create_pg_database, drop_pg_database

BATCH = 100
PULL_LIMIT = 1000
TARGET_OPS_PER_S = 5_000
TARGET_P95_MS = 200
TARGET_PULL_SECONDS = 30
TARGET_WIRE_MB = 15
RETRY_FIRST_S, RETRY_MAX_S = 1.0, 60.0
"""SPEC.md §5.8: a 5xx is retried with the same ops, 1 s doubling to 60 s, +-20 % jitter."""


@dataclass
class Replay:
    ops: int
    pushes: int
    seconds: float
    latencies: list[float]
    failed: list[float]
    server_errors: Counter[str]
    deadlocks: int | None
    statuses: Counter[str]
    exceptions: Counter[str]
    checks: list[str]
    load: tuple[float, float]
    cpu_seconds: float
    """CPU time of this process (the app and the phones' HTTP client) during the replay."""


@dataclass
class InitialSync:
    pages: int
    changes: int
    entities: Counter[str]
    server_seconds: float
    wall_seconds: float
    raw_bytes: int
    """The JSON, decoded."""
    wire_bytes: int
    """What the server sent: gzip, since the client accepts it."""


@asynccontextmanager
async def serve(url: str, pool: int) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (lifespan included) behind an in-process HTTP client."""
    app: Litestar = create_app(Settings(database_url=url, demo_data=False, database_pool_size=pool))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type] # Litestar's narrower ASGI types
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
            yield client


class ErrorTally(logging.Handler):
    """Counts the server's unhandled errors by exception and SQLSTATE instead of printing tracebacks."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        cause = getattr(exc, "orig", None) or exc
        self.counts[f"{type(cause).__name__}: {str(cause).splitlines()[0][:60]}"] += 1


async def pg_deadlocks(factory: seed.Factory) -> int | None:
    async with factory() as s:
        if s.get_bind().dialect.name != "postgresql":
            return None
        query = text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(await s.scalar(query) or 0)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def replay(url: str, sizes: Sizes, concurrency: int, profile: Path | None) -> Replay:
    world = await seed.seed_replay(url, sizes)
    site, devices = world.site, world.devices
    bodies = [seed.push_bodies(d, site.warehouse_id, BATCH) for d in devices]
    total = sum(len(d.ops) for d in devices)
    print(f"  seeded: {len(site.bins)} bins, {len(site.skus)} SKUs, {world.levels} levels, {world.tasks} pick tasks")
    print(f"  outboxes: {len(devices)} devices x {sizes.ops_per_device} ops = {total} ops, {world.picks} picks")
    engine = create_engine(url, pool_size=1, max_overflow=0)  # for the checks; the app has its own pool
    factory = create_session_factory(engine)

    latencies: list[float] = []
    failed: list[float] = []
    responses: list[list[bytes]] = [[] for _ in devices]
    gate = asyncio.Semaphore(concurrency)
    jitter = random.Random(11)

    async def phone(client: httpx.AsyncClient, n: int) -> None:
        for body in bodies[n]:
            wait = RETRY_FIRST_S
            while True:
                async with gate:
                    started = time.perf_counter()
                    response = await client.post("/api/sync/push", content=body, headers=devices[n].headers)
                    took = time.perf_counter() - started
                if response.status_code == 200:
                    latencies.append(took)
                    break
                if response.status_code < 500 and response.status_code != 429:
                    msg = f"push of device {n} refused: {response.status_code} {response.text[:500]}"
                    raise RuntimeError(msg)
                failed.append(took)
                await asyncio.sleep(wait * jitter.uniform(0.8, 1.2))
                wait = min(wait * 2, RETRY_MAX_S)
            responses[n].append(response.content)

    profiler = cProfile.Profile() if profile else None
    tally = ErrorTally()
    errors_log = logging.getLogger("cangku.errors")
    errors_log.addHandler(tally)
    errors_log.propagate = False
    deadlocks_before = await pg_deadlocks(factory)
    async with serve(url, pool=concurrency) as client:
        if profiler:
            profiler.enable()
        load_start = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(phone(client, n) for n in range(len(devices))))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        load = (load_start, os.getloadavg()[0])
        if profiler:
            profiler.disable()
    errors_log.removeHandler(tally)
    errors_log.propagate = True
    await asyncio.sleep(1.5)  # PostgreSQL flushes its statistics at most once a second
    deadlocks_after = await pg_deadlocks(factory)
    deadlocks = None if deadlocks_after is None else deadlocks_after - (deadlocks_before or 0)
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)

    statuses, exceptions, checks = _check_responses(devices, responses)
    checks += await _check_database(factory, devices, total)
    await engine.dispose()
    return Replay(
        total,
        len(latencies),
        elapsed,
        latencies,
        failed,
        tally.counts,
        deadlocks,
        statuses,
        exceptions,
        checks,
        load,
        cpu,
    )


def _check_responses(
    devices: list[seed.BenchDevice], responses: list[list[bytes]]
) -> tuple[Counter[str], Counter[str], list[str]]:
    statuses: Counter[str] = Counter()
    exceptions: Counter[str] = Counter()
    wrong = 0
    for device, bodies in zip(devices, responses, strict=True):
        results = [r for body in bodies for r in msgspec.json.decode(body)["results"]]
        if [(r["op_id"], r["seq"]) for r in results] != [(op["op_id"], op["seq"]) for op in device.ops]:
            wrong += 1
        for r in results:
            statuses[r["status"] + (f":{r['code']}" if r.get("code") else "")] += 1
            exceptions.update(e["kind"] for e in r.get("exceptions", []))
    return statuses, exceptions, [f"devices whose results do not match their ops one to one: {wrong}"]


async def _check_database(factory: seed.Factory, devices: list[seed.BenchDevice], total: int) -> list[str]:
    ops, dev = SYNC_TABLES.ops, SYNC_TABLES.devices
    ids = [d.device_id for d in devices]
    async with factory() as s:
        stored = await s.scalar(select(func.count()).select_from(ops).where(ops.c.device_id.in_(ids)))
        distinct = await s.scalar(select(func.count(func.distinct(ops.c.op_id))).where(ops.c.device_id.in_(ids)))
        applied = {row[0]: row[1] for row in await s.execute(select(dev.c.device_id, dev.c.last_applied_seq))}
        report = await verify_ledger(s)
    behind = sum(1 for d in devices if applied.get(d.device_id) != len(d.ops))
    return [
        f"sync_ops rows {stored} (distinct op_id {distinct}) for {total} ops sent",
        f"devices whose last_applied_seq != op count: {behind}",
        f"ledger verify: {report.moves_counted} moves, {report.levels_checked} levels, "
        f"{len(report.differences)} differences",
    ]


async def initial_sync(url: str, sizes: Sizes) -> InitialSync:
    started = time.perf_counter()
    site, device = await seed.seed_big_warehouse(url, sizes)
    print(
        f"  seeded in {time.perf_counter() - started:.1f} s: {sizes.catalog_skus} SKUs, "
        f"{sizes.catalog_skus * sizes.barcodes_per_sku} barcodes, {len(site.bins) + len(site.staging)} bins, "
        f"{sizes.catalog_levels} levels"
    )

    server = 0.0
    wire = 0
    bodies: list[bytes] = []
    entities: Counter[str] = Counter()
    cursor: str | None = None
    async with serve(url, pool=2) as client:
        started = time.perf_counter()
        while True:
            body = {"protocol": 1, "device_id": device.device_id, "warehouse_id": site.warehouse_id}
            body |= {"cursor": cursor, "limit": PULL_LIMIT}
            t0 = time.perf_counter()
            headers = {**device.headers, "Accept-Encoding": "gzip"}  # as every browser sends it
            response = await client.post("/api/sync/pull", json=body, headers=headers)
            server += time.perf_counter() - t0
            wire += response.num_bytes_downloaded  # as sent: gzipped by the server
            if response.status_code != 200:
                msg = f"pull failed: {response.status_code} {response.text[:500]}"
                raise RuntimeError(msg)
            bodies.append(response.content)
            page = msgspec.json.decode(response.content)
            entities.update(change["entity"] for change in page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        wall = time.perf_counter() - started
    raw = sum(map(len, bodies))
    return InitialSync(len(bodies), sum(entities.values()), entities, server, wall, raw, wire)


def run_backend(
    name: str, sizes: Sizes, concurrency: int, parts: list[str], profile: Path | None
) -> tuple[Replay | None, InitialSync | None]:
    """Each part gets a fresh, migrated database (a throwaway SQLite file or PostgreSQL database)."""
    folder = Path(tempfile.mkdtemp(prefix="cangku-bench-sync-"))
    created: list[str] = []

    def fresh(part: str) -> str:
        if name == "sqlite":
            url = f"sqlite+aiosqlite:///{folder / part}.sqlite3"
        else:
            db, url = create_pg_database()
            created.append(db)
        migrate.upgrade(url)
        return url

    try:
        r = asyncio.run(replay(fresh("replay"), sizes, concurrency, profile)) if "replay" in parts else None
        p = asyncio.run(initial_sync(fresh("pull"), sizes)) if "pull" in parts else None
    finally:
        for db in created:
            drop_pg_database(db)
    return r, p


def report(name: str, concurrency: int, r: Replay | None, p: InitialSync | None) -> None:
    if r is not None:
        report_replay(name, concurrency, r)
    if p is not None:
        report_pull(name, p)


def report_replay(name: str, concurrency: int, r: Replay) -> None:
    rate = r.ops / r.seconds
    p50, p95, p99 = (percentile(r.latencies, q) * 1000 for q in (0.50, 0.95, 0.99))
    ok = "meets" if rate >= TARGET_OPS_PER_S and p95 <= TARGET_P95_MS else "MISSES"
    print(f"\n== {name}: replay, {r.ops:,} ops in {r.pushes:,} pushes of <= {BATCH}, concurrency {concurrency}")
    print(f"  {'ops/s':<24}{rate:>12,.0f}    target >= {TARGET_OPS_PER_S:,} (PostgreSQL)")
    print(f"  {'wall time':<24}{r.seconds:>12,.1f} s")
    latency = f"{p50:,.0f} / {p95:,.0f} / {p99:,.0f} ms"
    print(f"  {'push p50 / p95 / p99':<24}{latency:>12}    target p95 <= {TARGET_P95_MS} ms")
    print(f"  {'verdict':<24}{ok:>12}")
    load = f"{r.load[0]:.1f} / {r.load[1]:.1f}"
    print(f"  {'load avg start / end':<24}{load:>12}    {os.cpu_count()} CPUs, shared with PostgreSQL")
    print(f"  {'app CPU per op':<24}{r.cpu_seconds / r.ops * 1e6:>12,.0f} µs    this process: {r.cpu_seconds:.1f} s")
    print(f"  {'pushes failed, retried':<24}{len(r.failed):>12}    server errors: {dict(r.server_errors)}")
    if r.failed:
        print(f"  {'failed push p50':<24}{percentile(r.failed, 0.5) * 1000:>12,.0f} ms before its 5xx")
    if r.deadlocks is not None:
        print(f"  {'PostgreSQL deadlocks':<24}{r.deadlocks:>12}")
    print(f"  statuses: {dict(r.statuses.most_common())}")
    print(f"  exceptions: {dict(r.exceptions.most_common())}")
    for line in r.checks:
        print(f"  check: {line}")


def report_pull(name: str, p: InitialSync) -> None:
    mb, wire = p.raw_bytes / 1e6, p.wire_bytes / 1e6
    print(f"== {name}: initial sync, limit {PULL_LIMIT}")
    print(f"  {'pages / changes':<24}{p.pages:>6} / {p.changes:,}    {dict(p.entities)}")
    print(f"  {'server time':<24}{p.server_seconds:>12,.1f} s    target <= {TARGET_PULL_SECONDS} s")
    print(f"  {'wall time':<24}{p.wall_seconds:>12,.1f} s")
    print(f"  {'on the wire (gzip)':<24}{wire:>12,.1f} MB    target <= {TARGET_WIRE_MB} MB")
    print(f"  {'JSON decoded':<24}{mb:>12,.1f} MB")


def main() -> None:
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="10 devices x 100 ops, 5,000 SKUs to pull: a smoke run")
    parser.add_argument("--devices", type=int)
    parser.add_argument("--ops-per-device", type=int)
    parser.add_argument("--concurrency", type=int, default=8, help="pushes in flight on PostgreSQL")
    parser.add_argument("--sqlite-concurrency", type=int, default=2, help="pushes in flight on SQLite (one writer)")
    parser.add_argument("--part", choices=["replay", "pull", "both"], default="both")
    parser.add_argument("--profile", type=Path, help="cProfile the replay; write the stats here, print the top")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    sizes = Sizes(
        **{
            **sizes.__dict__,
            "devices": args.devices or sizes.devices,
            "ops_per_device": args.ops_per_device or sizes.ops_per_device,
        }
    )
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(f"sync benchmark: {sizes}")
    for name in backends:
        concurrency = args.sqlite_concurrency if name == "sqlite" else args.concurrency
        print(f"\n{name}:")
        parts = ["replay", "pull"] if args.part == "both" else [args.part]
        r, p = run_backend(name, sizes, concurrency, parts, args.profile)
        report(name, concurrency, r, p)


if __name__ == "__main__":
    main()
