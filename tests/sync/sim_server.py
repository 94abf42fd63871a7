"""The real server under simulation: started and stopped at will, with database faults injected.

Faults are injected below the application, at the engine (FoundationDB's "buggify" idea without
hooks in production code): an armed fault raises from ``before_cursor_execute`` on the statement
that records a push's progress, which is the last write before the commit. A *transient* fault
(a PostgreSQL serialization failure) must be retried by the server itself; a *crash* fault (any
other error) must roll the whole push back and answer 500, so the phone retries (F4).

Backup and restore (F5) are real: the server is stopped, its database copied (PostgreSQL
``CREATE DATABASE … TEMPLATE``, or the SQLite file), and later put back.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.settings import Settings
from tests.backends import PG_SERVER_URL, drop_pg_database

PROGRESS_STATEMENT = "UPDATE sync_devices"


class _InjectedSerializationFailure(Exception):
    sqlstate = "40001"


class _InjectedCrash(Exception):
    sqlstate = "XX000"


@dataclass
class FaultPlan:
    """Faults armed for the next pushes; each fires once."""

    transient: int = 0
    crash: int = 0
    fired: dict[str, int] = field(default_factory=lambda: {"transient": 0, "crash": 0})

    def on_statement(self, statement: str) -> None:
        if not statement.startswith(PROGRESS_STATEMENT):
            return
        if self.transient:
            self.transient -= 1
            self.fired["transient"] += 1
            raise OperationalError(statement, None, _InjectedSerializationFailure("injected serialization failure"))
        if self.crash:
            self.crash -= 1
            self.fired["crash"] += 1
            raise OperationalError(statement, None, _InjectedCrash("injected crash before commit"))


@dataclass
class Database:
    """One simulation's own database, copied from a migrated template (fast, and nothing else
    holds connections to it, which a PostgreSQL backup by TEMPLATE requires)."""

    backend: str
    url: str
    name: str
    path: Path | None = None

    @classmethod
    def copy_of(cls, backend: str, template_url: str, workdir: Path) -> Database:
        if backend == "sqlite":
            source = Path(template_url.split("///", 1)[1])
            path = workdir / f"sim-{uuid.uuid4().hex[:8]}.sqlite3"
            _sqlite_copy(source, path)
            return cls(backend, f"sqlite+aiosqlite:///{path}", path.name, path)
        template = template_url.rsplit("/", 1)[1]
        name = f"cangku_sim_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return cls(backend, template_url.rsplit("/", 1)[0] + f"/{name}", name)

    def backup(self) -> str:
        """Copy the database as it is now (the server must be stopped); answer the copy's name."""
        if self.path is not None:
            copy = self.path.with_suffix(".bak")
            _sqlite_copy(self.path, copy)
            return str(copy)
        copy = f"{self.name}_bak"
        _pg_admin(f'CREATE DATABASE "{copy}" TEMPLATE "{self.name}"')
        return copy

    def restore(self, backup: str) -> None:
        """Put the backup back in place of the live database (the server must be stopped)."""
        if self.path is not None:
            _sqlite_copy(Path(backup), self.path)
            return
        drop_pg_database(self.name)
        _pg_admin(f'ALTER DATABASE "{backup}" RENAME TO "{self.name}"')

    def drop(self) -> None:
        if self.path is not None:
            for candidate in (self.path, self.path.with_suffix(".bak")):
                candidate.unlink(missing_ok=True)
            return
        drop_pg_database(self.name)
        drop_pg_database(f"{self.name}_bak")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy including what is still in the WAL (a file copy
    would miss it)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type] - names are generated here, never user input


@asynccontextmanager
async def running_server(database: Database, faults: FaultPlan) -> AsyncIterator[httpx.AsyncClient]:
    """The app on ``database`` with ``faults`` wired into its engine, until the block ends.

    Requests go through ``httpx.ASGITransport`` on the test's own event loop, so concurrent
    requests really overlap in the server (Litestar's test client runs the app on a portal
    thread and blocks the caller per request, which would serialise every "concurrent" push).
    """
    settings = Settings(database_url=database.url, demo_data=False, database_pool_size=4, push_worker=False)
    app = create_app(settings)
    async with app.lifespan():
        engine: AsyncEngine = app.state.engine

        def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            faults.on_statement(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", _before)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.local", timeout=60) as client:
            yield client
