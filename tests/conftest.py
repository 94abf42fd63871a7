"""Fixtures shared by the whole suite.

Integration tests take ``backend`` (directly or through ``session_factory``/``client``) and so run
once on SQLite and once on a real PostgreSQL server. The schema is built by the Alembic migrations
(never ``create_all``), once per backend per session; each test starts from empty tables.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import server.db.models  # noqa: F401
from server.db import migrate
from server.db.base import Base
from server.db.engine import create_engine, create_session_factory
from server.settings import Settings
from tests.backends import create_pg_database, drop_pg_database, selected_backends


@dataclass(frozen=True)
class Backend:
    name: str
    url: str

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"


def _backend_params() -> list[object]:
    return [
        pytest.param(name, marks=[pytest.mark.integration] + ([pytest.mark.postgres] if name == "postgres" else []))
        for name in selected_backends()
    ]


@pytest.fixture(scope="session", params=_backend_params())
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A migrated, empty database on each selected backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "cangku.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(url)
        yield Backend("sqlite", url)
        return
    name, url = create_pg_database()
    try:
        migrate.upgrade(url)
        yield Backend("postgres", url)
    finally:
        drop_pg_database(name)


@pytest.fixture(scope="session")
async def engine(backend: Backend) -> AsyncIterator[AsyncEngine]:
    # Few kept connections (two suites may share one PostgreSQL of max_connections 100); the
    # concurrency tests still get up to 24 at once.
    eng = create_engine(backend.url, pool_size=4, max_overflow=20)
    yield eng
    await eng.dispose()


async def _empty_all_tables(eng: AsyncEngine, backend: Backend) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with eng.begin() as conn:
        if backend.is_postgres:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                await conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
async def session_factory(engine: AsyncEngine, backend: Backend) -> async_sessionmaker[AsyncSession]:
    """Sessions on empty tables (emptied before each test, so a failed test leaves evidence)."""
    await _empty_all_tables(engine, backend)
    return create_session_factory(engine)


@pytest.fixture
async def db_session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
def settings(backend: Backend) -> Settings:
    return Settings(
        database_url=backend.url,
        demo_data=False,
        login_max_failures=5,
        login_window_seconds=300,
        database_pool_size=3,
        outbox_worker=False,  # a test that wants the worker asks: replace(settings, outbox_worker=True)
        push_worker=False,  # likewise: replace(settings, push_worker=True)
    )


@pytest.fixture
async def app(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> Litestar:
    from server.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client
