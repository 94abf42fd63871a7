"""Alembic environment: async engine from Cangku settings, batch mode for SQLite, compare types.

Each revision runs in one transaction (both backends have transactional DDL), so a failed
upgrade leaves the schema as it was. On SQLite foreign keys are not enforced while migrating: a
batch alteration copies a table and drops the old one, and dropping ``orders`` with enforcement
on would cascade-delete every order line, event and reservation. Each revision ends with
``PRAGMA foreign_key_check`` instead, so a migration that really breaks a reference still fails.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

import server.db.models  # noqa: F401 - registers every table on Base.metadata
from server.db.base import Base
from server.db.dialect_objects import objects_of
from server.db.engine import create_engine

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection | None = None, **extra: Any) -> None:
    url = config.get_main_option("sqlalchemy.url")
    dialect = connection.dialect.name if connection is not None else make_url(url or "sqlite://").get_backend_name()
    context.configure(
        connection=connection,
        url=None if connection is not None else url,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=True,
        include_object=objects_of(dialect),
        **extra,
    )


def run_migrations_offline() -> None:
    _configure(literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


class ForeignKeyViolation(RuntimeError):
    """A migration left rows pointing at rows that do not exist (SQLite only checks afterwards)."""


def _check_foreign_keys(*, ctx: MigrationContext, **_: Any) -> None:
    """Alembic calls this after each revision, before its transaction commits."""
    connection = ctx.connection
    if connection is None or connection.dialect.name != "sqlite":
        return
    broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
    if broken:
        raise ForeignKeyViolation(f"migration broke foreign keys: {broken[:10]}")


def _run_sync(connection: Connection) -> None:
    _configure(connection, on_version_apply=_check_foreign_keys)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    existing = config.attributes.get("connection")
    if existing is not None:
        _run_sync(existing)
        return
    engine = create_engine(str(config.get_main_option("sqlalchemy.url")), sqlite_foreign_keys=False)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
