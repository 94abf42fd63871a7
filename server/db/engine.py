"""Engine and session factory for either backend.

SQLite runs in WAL mode with ``BEGIN IMMEDIATE`` transactions: SQLite has no row locks, so a
transaction that reads and then writes must take the write lock up front or it fails with
"database is locked" instead of waiting. PostgreSQL uses a real pool and row locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    echo: bool = False,
    sqlite_foreign_keys: bool = True,
) -> AsyncEngine:
    """Build the async engine for ``url`` with the backend-specific settings above.

    ``pool_size`` connections are kept open; up to ``max_overflow`` (default: as many again) more
    are opened under load and closed when returned. ``sqlite_foreign_keys=False`` is for the
    migrations only: SQLite alters a table by copying it and dropping the old one, and dropping a
    parent table with foreign keys enforced cascade-deletes its children's rows.
    """
    overflow = pool_size if max_overflow is None else max_overflow
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        if database in ("", ":memory:"):
            engine = create_async_engine(url, echo=echo, poolclass=StaticPool)
        else:  # a few kept connections: opening one costs a thread and five pragmas
            engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=overflow)
        _configure_sqlite(engine, foreign_keys=sqlite_foreign_keys)
        return engine
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=overflow, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN so that we can make it IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions keep loaded objects after commit so handlers can serialise them, and record sync
    changes (installed here because every session of the process is made by this factory)."""
    import server.db.models  # noqa: F401 - every mapper must be known before the first flush
    from server.db.ids import install_ids_first
    from server.syncapi.install import install_change_feed

    install_change_feed()
    install_ids_first()

    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


_owners: weakref.WeakKeyDictionary[Any, asyncio.Task[Any] | None] = weakref.WeakKeyDictionary()
_sqlite_gates: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def write_gate(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """On SQLite, let one transaction of this process in at a time; elsewhere, do nothing.

    SQLite has a single writer anyway. Queueing on an asyncio lock hands the database over the
    moment it is free, where SQLite's own busy handler polls with growing sleeps (seen: 4x
    slower with 100 concurrent requests). Other processes are still covered by busy_timeout.
    """
    bind = factory.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        yield
        return
    key = bind.sync_engine
    gate = _sqlite_gates.get(key)
    if gate is None:
        gate = _sqlite_gates[key] = asyncio.Lock()
    task = asyncio.current_task()
    if task is not None and _owners.get(key) is task:
        msg = "nested write transaction on SQLite would wait for itself; use one session per request"
        raise RuntimeError(msg)
    async with gate:
        _owners[key] = task
        try:
            yield
        finally:
            _owners.pop(key, None)


def libpq_dsn(url: str) -> str:
    """The SQLAlchemy URL as a plain libpq connection string, for the raw psycopg LISTEN connection."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
