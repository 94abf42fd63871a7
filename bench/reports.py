"""Manager reports over a year of business (issue 7): every report, timed on SQLite and PostgreSQL.

    python -m bench.reports [--backend sqlite|postgres|both] [--scale 1] [--runs 20] [--rebuild]
                            [--http] [--reports sales,stock] [--limit 50]

The data (``bench.reports_data``) is a merchant's year up to 1 December 2026: at scale 1 about
400,000 orders with 1,000,000 order lines from 7 shops on 5 platforms, 3 warehouses, 20,000 SKUs and
5,000,000 stock moves. It is generated once per backend and kept (``var/bench/`` and the PostgreSQL
database ``cangku_bench_reports``) until the schema, the generator or the scale changes.

Each report registered in ``server.reports.registry`` is called once to warm up (not counted), then
``--runs`` times over a rotation of the filters a manager uses: the last 7 days, the last 30 days,
the last whole quarter, one warehouse, one platform and one shop (each of the last three over 30
days). Each call runs the builder alone in a fresh session and transaction, ``now`` being the end of
the data; ``--http`` also times ``GET /api/reports/{name}`` through the app in process (routing,
auth, the filter options, JSON). Printed: p50, p95 and max per report, the table rows it listed,
and PASS/MISS against the target — p95 <= 500 ms per report on PostgreSQL (SQLite has no target).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import logging
import math
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.reports_data import END, Dataset, Sizes, ensure_dataset
from bench.reports_data.shape import LOCAL
from server.auth.identity import AuthUser
from server.auth.models import User
from server.auth.permissions import permissions_of
from server.auth.tokens import issue_token
from server.db.engine import create_engine, create_session_factory
from server.lib.gc_tuning import tune_gc
from server.orders.models import Channel, Order, OrderLine
from server.reports.range_scope import range_scope
from server.settings import Settings
from server.warehouse.count_models import BinCount
from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.models import Warehouse

TARGET_P95_MS = 500.0
MANAGER = "bench-manager"
Builder = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Filters:
    name: str
    date_from: date
    date_to: date
    warehouse_id: int | None = None
    platform: str | None = None
    channel_id: int | None = None

    def query(self) -> dict[str, str]:
        found = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for key in ("warehouse_id", "platform", "channel_id"):
            value = getattr(self, key)
            if value is not None:
                found[key] = str(value)
        return found


@dataclass
class Timings:
    report: str
    ms: list[float] = dataclasses.field(default_factory=list)
    by_filter: dict[str, float] = dataclasses.field(default_factory=dict)
    """The slowest call of each filter."""
    rows: int = 0
    error: str = ""

    def add(self, filters: Filters, ms: float) -> None:
        self.ms.append(ms)
        self.by_filter[filters.name] = max(ms, self.by_filter.get(filters.name, 0.0))

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def registered(only: list[str] | None) -> dict[str, Builder]:
    """The registry's reports (imported only now: it is being written while this bench exists)."""
    module = importlib.import_module("server.reports.registry")
    reports: Mapping[str, Builder] = module.REPORTS
    if only:
        unknown = sorted(set(only) - set(reports))
        if unknown:
            msg = f"no report {', '.join(unknown)}; registered: {', '.join(reports)}"
            raise SystemExit(msg)
        return {name: reports[name] for name in only}
    return dict(reports)


async def _filters(session: AsyncSession) -> list[Filters]:
    today = (END + LOCAL).date()
    quarter_end = date(today.year, (today.month - 1) // 3 * 3 + 1, 1) - timedelta(days=1)
    quarter_start = date(quarter_end.year, quarter_end.month - 2, 1)
    week, month = today - timedelta(days=6), today - timedelta(days=29)
    warehouse = await session.scalar(select(Warehouse.id).order_by(Warehouse.id).limit(1))
    shop = await session.scalar(select(Channel.id).where(Channel.platform == "jd").order_by(Channel.id).limit(1))
    return [
        Filters("7 days", week, today),
        Filters("30 days", month, today),
        Filters(f"{quarter_start:%Y-%m}..{quarter_end:%m}", quarter_start, quarter_end),
        Filters("1 warehouse", month, today, warehouse_id=warehouse),
        Filters("taobao", month, today, platform="taobao"),
        Filters("1 shop", month, today, channel_id=shop),
    ]


async def bench_manager(session: AsyncSession) -> AuthUser:
    user = await session.scalar(select(User).where(User.username == MANAGER))
    if user is None:
        msg = f"the bench database has no user {MANAGER}: run with --rebuild"
        raise SystemExit(msg)
    return AuthUser(
        id=user.id,
        username=user.username,
        roles=tuple(user.roles),
        permissions=permissions_of(user.roles),
        all_warehouses=True,
        warehouse_ids=frozenset(),
        device_id=None,
        token_id=0,
    )


async def volumes(url: str) -> dict[str, int]:
    engine = create_engine(url, pool_size=1)
    try:
        async with create_session_factory(engine)() as s:
            found = {}
            for label, model in (
                ("orders", Order),
                ("order lines", OrderLine),
                ("stock moves", StockMove),
                ("stock levels", StockLevel),
                ("bin counts", BinCount),
            ):
                found[label] = int(await s.scalar(select(func.count()).select_from(model)) or 0)
            return found
    finally:
        await engine.dispose()


async def time_builders(url: str, reports: dict[str, Builder], runs: int, limit: int) -> list[Timings]:
    engine = create_engine(url, pool_size=2)
    factory = create_session_factory(engine)
    try:
        async with factory() as s:
            rotation = await _filters(s)
            user = await bench_manager(s)
        results = []
        for name, builder in reports.items():
            timings = Timings(name)
            try:
                for n in range(runs + 1):
                    filters = rotation[(n - 1) % len(rotation)] if n else rotation[0]
                    async with factory() as session:  # its own transaction, begun by the first query
                        scope = await range_scope(
                            session,
                            user,
                            now=END,
                            date_from=filters.date_from,
                            date_to=filters.date_to,
                            warehouse_id=filters.warehouse_id,
                            platform=filters.platform,
                            channel_id=filters.channel_id,
                        )
                        started = time.perf_counter()
                        report = await builder(session, scope, limit=limit)
                        elapsed = (time.perf_counter() - started) * 1000
                        await session.rollback()
                    if n:  # the first call warms caches and connections: not counted
                        timings.add(filters, elapsed)
                        timings.rows = max(timings.rows, sum(len(t.rows) for t in report.tables))
            except Exception as exc:  # one broken report must not hide the others' figures
                timings.error = f"{type(exc).__name__}: {exc}"[:200]
            results.append(timings)
        return results
    finally:
        await engine.dispose()


async def time_http(url: str, reports: dict[str, Builder], runs: int, limit: int) -> list[Timings]:
    """The same rotation through ``GET /api/reports/{name}`` of the app, in process."""
    from litestar.testing import AsyncTestClient

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise

    from server.app import create_app

    off: dict[str, Any] = {f.name: False for f in dataclasses.fields(Settings) if f.name.endswith("_worker")}
    settings = dataclasses.replace(Settings.from_env(), database_url=url, demo_data=False, **off)
    engine = create_engine(url, pool_size=1)
    try:
        async with create_session_factory(engine)() as s, s.begin():
            rotation = await _filters(s)
            manager = await bench_manager(s)
            token, _ = await issue_token(s, user_id=manager.id, ttl_seconds=3600)
    finally:
        await engine.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    results = []
    async with AsyncTestClient(app=create_app(settings)) as client:
        for name in reports:
            timings = Timings(name)
            for n in range(runs + 1):
                filters = rotation[(n - 1) % len(rotation)] if n else rotation[0]
                started = time.perf_counter()
                response = await client.get(
                    f"/api/reports/{name}", params=filters.query() | {"limit": str(limit)}, headers=headers
                )
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    timings.error = f"HTTP {response.status_code}: {response.text[:160]}"
                    break
                if n:
                    timings.add(filters, elapsed)
                    timings.rows = max(timings.rows, sum(len(t["rows"]) for t in response.json()["tables"]))
            results.append(timings)
    return results


def print_table(backend: str, how: str, results: list[Timings]) -> None:
    print(f"\n  {how}")
    print(f"  {'report':<14}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  {'slowest filter':<18}{'rows':>6}  verdict")
    for t in results:
        if t.error or not t.ms:
            print(f"  {t.report:<14}  FAILED: {t.error or 'no runs'}")
            continue
        slowest = max(t.by_filter, key=lambda name: t.by_filter[name])
        verdict = ("PASS" if t.p95 <= TARGET_P95_MS else "MISS") if backend == "postgres" else "-"
        print(f"  {t.report:<14}{t.p50:>9.0f}{t.p95:>9.0f}{max(t.ms):>9.0f}  {slowest:<18}{t.rows:>6}  {verdict}")


def describe(dataset: Dataset, counts: dict[str, int]) -> None:
    how = "generated now" if dataset.built_now else "cached"
    print(f"\n== {dataset.backend}: {how} (generation took {dataset.build_seconds:.0f} s); {dataset.stamp}")
    print("  data: " + ", ".join(f"{n:,} {label}" for label, n in counts.items()))
    moves = dataset.moves_by_reason
    total = sum(moves.values()) or 1
    print("  moves: " + ", ".join(f"{reason} {n / total:.0%}" for reason, n in moves.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 order lines; 0.01 for a quick run")
    parser.add_argument("--runs", type=int, default=20, help="timed calls per report (after one warm-up)")
    parser.add_argument("--rebuild", action="store_true", help="generate the data again even if a stamp matches")
    parser.add_argument("--http", action="store_true", help="also time GET /api/reports/{name} in process")
    parser.add_argument("--reports", default="", help="comma list; every registered report when empty")
    parser.add_argument("--limit", type=int, default=50, help="rows in the long tables (the route's default)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        sizes = Sizes.of(args.scale)
    except ValueError as exc:
        parser.error(str(exc))
    tune_gc(Settings.from_env())  # the collector as a server process runs it (server/app.py)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per migration of a new database
    reports = registered([name.strip() for name in args.reports.split(",") if name.strip()])
    print(f"reports benchmark: {', '.join(reports)}; {args.runs} runs each; target p95 <= {TARGET_P95_MS:.0f} ms")
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        dataset = ensure_dataset(backend, sizes, rebuild=args.rebuild)
        describe(dataset, asyncio.run(volumes(dataset.url)))
        print_table(backend, "builders", asyncio.run(time_builders(dataset.url, reports, args.runs, args.limit)))
        if args.http:
            http = asyncio.run(time_http(dataset.url, reports, args.runs, args.limit))
            print_table(backend, "GET /api/reports/{name}", http)


if __name__ == "__main__":
    main()
