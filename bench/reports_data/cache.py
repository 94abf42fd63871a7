"""Generated databases kept between runs: a SQLite file under ``var/bench/`` and a PostgreSQL
database ``cangku_bench_reports`` (a suffix names other scales, so a quick run at ``--scale 0.01``
never throws the full year away).

A database is reused when its stamp — schema head revision, generator version, scale and seed —
matches; the stamp is written last, after the data and (on PostgreSQL) ``VACUUM ANALYZE``, so a build
that was interrupted is never taken for a finished one. SQLite is left without ``ANALYZE``, as the
server leaves it in production.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from bench.reports_data.generate import Generated, generate
from bench.reports_data.indexes import create_indexes, drop_indexes
from bench.reports_data.shape import GENERATOR_VERSION, SEED, Sizes
from server.db import migrate
from server.db.engine import create_engine, create_session_factory, libpq_dsn
from tests.backends import PG_SERVER_URL, drop_pg_database

VAR = Path(__file__).resolve().parents[2] / "var" / "bench"
PG_NAME = "cangku_bench_reports"
STAMP_TABLE = "bench_reports_stamp"
"""Outside the models and migrations on purpose: it exists only in these databases."""


@dataclass(frozen=True, slots=True)
class Dataset:
    backend: str
    url: str
    stamp: str
    built_now: bool
    build_seconds: float
    """How long generating (and, on PostgreSQL, VACUUM ANALYZE) took, now or when it was built."""
    rows: dict[str, int]
    moves_by_reason: dict[str, int]


def stamp_of(sizes: Sizes) -> str:
    heads = "+".join(sorted(ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()))
    return f"head={heads} generator={GENERATOR_VERSION} scale={sizes.scale:g} seed={SEED}"


def _suffix(scale: float) -> str:
    return "" if scale == 1 else "_s" + f"{scale:g}".replace(".", "_")


def url_of(backend: str, scale: float) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{VAR / f'reports{_suffix(scale)}.sqlite3'}"
    base = PG_SERVER_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{PG_NAME}{_suffix(scale)}"


async def _read_stamp(backend: str, url: str) -> Dataset | None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text(f"SELECT stamp, seconds, detail FROM {STAMP_TABLE}"))).first()
    except DBAPIError:  # no such table (an unfinished build) or no such database
        return None
    finally:
        await engine.dispose()
    if row is None:
        return None
    detail = json.loads(row[2])
    return Dataset(backend, url, str(row[0]), False, float(row[1]), detail["rows"], detail["by_reason"])


def _pg_exists(name: str) -> bool:
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _wipe(backend: str, url: str) -> None:
    if backend == "sqlite":
        path = Path(url.split("///", 1)[1])
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    drop_pg_database(name)
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def ensure_dataset(backend: str, sizes: Sizes, *, rebuild: bool = False, say: Callable[[str], None] = print) -> Dataset:
    """The database of ``backend`` at ``sizes``: reused when its stamp matches, else generated."""
    url = url_of(backend, sizes.scale)
    stamp = stamp_of(sizes)
    present = Path(url.split("///", 1)[1]).exists() if backend == "sqlite" else _pg_exists(url.rsplit("/", 1)[1])
    found = asyncio.run(_read_stamp(backend, url)) if present and not rebuild else None
    if found is not None and found.stamp == stamp:
        return found
    say(f"{backend}: generating scale {sizes.scale:g} ({'rebuild asked' if rebuild else 'no matching stamp'}) …")
    started = time.perf_counter()
    _wipe(backend, url)
    migrate.upgrade(url)
    generated = asyncio.run(_generate(url, sizes, say))
    if backend == "postgres":
        say("  VACUUM ANALYZE …")
        with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    detail = {"rows": generated.rows, "by_reason": generated.moves_by_reason}
    asyncio.run(_write_stamp(url, stamp, seconds, detail))
    say(f"{backend}: generated in {seconds:.0f} s")
    return Dataset(backend, url, stamp, True, seconds, generated.rows, generated.moves_by_reason)


async def _generate(url: str, sizes: Sizes, say: Callable[[str], None]) -> Generated:
    engine = create_engine(url, pool_size=1)
    if engine.dialect.name == "sqlite":  # the default 2 MB page cache would be read through for every batch

        @event.listens_for(engine.sync_engine, "connect")
        def _big_cache(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA cache_size = -262144")  # 256 MB

    try:
        indexes = await drop_indexes(engine)
        generated = await generate(create_session_factory(engine), sizes, say=say)
        started = time.perf_counter()
        await create_indexes(engine, indexes)
        say(f"  {len(indexes)} indexes built again ({time.perf_counter() - started:.0f} s)")
        return generated
    finally:
        await engine.dispose()


async def _write_stamp(url: str, stamp: str, seconds: float, detail: Mapping[str, object]) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"CREATE TABLE {STAMP_TABLE} (stamp TEXT NOT NULL, seconds REAL, detail TEXT)"))
            await conn.execute(
                text(f"INSERT INTO {STAMP_TABLE} VALUES (:stamp, :seconds, :detail)"),
                {"stamp": stamp, "seconds": seconds, "detail": json.dumps(detail)},
            )
    finally:
        await engine.dispose()
