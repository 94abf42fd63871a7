"""Which database backends the suite runs on, and how to get a fresh database on each.

``CANGKU_TEST_BACKENDS`` (comma list, default ``sqlite,postgres``) selects them;
``CANGKU_TEST_PG_URL`` points at the PostgreSQL server (default: this machine's, trust auth).
Each test session creates its own PostgreSQL database and drops it at the end, so parallel
runs and a developer's own data never meet.
"""

from __future__ import annotations

import os
import uuid

import psycopg

PG_SERVER_URL = os.environ.get("CANGKU_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def selected_backends() -> list[str]:
    raw = os.environ.get("CANGKU_TEST_BACKENDS", "sqlite,postgres")
    return [name.strip() for name in raw.split(",") if name.strip()]


def create_pg_database() -> tuple[str, str]:
    """Create an empty database; answer (its name, its SQLAlchemy URL)."""
    name = f"cangku_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_SERVER_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return name, f"{base}/{name}"


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
