"""The schema comes from the migrations, and the migrations match the models.

The ``backend`` fixture already built each database with ``alembic upgrade head``; here we ask
Alembic to diff that schema against the models. Any difference means someone changed a model
without a migration (or the reverse): the fix is ``python -c "from server.db import migrate;
migrate.revision(URL, 'what changed')"`` and a review of the generated file.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from server.db import migrate
from server.db.base import Base
from server.db.dialect_objects import objects_of
from tests.conftest import Backend


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "render_as_batch": True,
            "include_object": objects_of(connection.dialect.name),
        },
    )
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_do_not_drift(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    assert diff == [], f"models and migrations differ: {diff}"


async def test_schema_is_built_by_migrations_to_head(engine: AsyncEngine, backend: Backend) -> None:
    assert await migrate.current_revision(backend.url) == migrate.head_revision()
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    assert {"stock_moves", "stock_levels", "skus", "barcodes", "locations", "users", "alembic_version"} <= tables


async def test_drift_check_notices_a_missing_column(engine: AsyncEngine) -> None:
    """The drift check is not vacuous: a model column absent from the schema is reported."""
    from sqlalchemy import Column, Integer

    column = Column("drift_probe", Integer, nullable=True)
    table = Base.metadata.tables["warehouses"]
    table.append_column(column)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(_diff)
    finally:
        table._columns.remove(column)
    assert any(op[0] == "add_column" and op[3].name == "drift_probe" for op in diff)


def test_migrations_downgrade_to_empty_and_back(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    migrate.upgrade(url)
