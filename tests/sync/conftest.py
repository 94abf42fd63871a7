"""The simulation copies its databases from a migrated template that nothing connects to: a
PostgreSQL ``CREATE DATABASE … TEMPLATE`` fails while any session uses the source, and the suite's
shared engine keeps connections to the per-backend test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.db import migrate
from tests.backends import create_pg_database, drop_pg_database
from tests.conftest import Backend


@pytest.fixture(scope="session")
def sim_template(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not backend.is_postgres:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sim-template') / 'template.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    name, url = create_pg_database()
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_pg_database(name)
