"""Secondary indexes set aside while the year is loaded, and built again, as they were, after it.

Millions of rows inserted in no index's order cost a B-tree descent per row and index, through a
page cache the indexes soon outgrow; one sort per index afterwards is several times cheaper. Only
plain indexes go: primary keys, unique constraints and foreign keys stay, so the data is checked as
it goes in. Each index is re-created from the database's own definition (``sqlite_master.sql``,
``pg_indexes.indexdef``), so the schema ends exactly as the migrations made it.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.reports_data.sink import TABLES


def _tables() -> list[str]:
    return [model.__table__.name for model in TABLES]


async def drop_indexes(engine: AsyncEngine) -> list[tuple[str, str]]:
    """Drop the plain indexes of the generated tables; answers (name, definition) of each."""
    tables = _tables()
    async with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            found = await conn.execute(
                text("SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            )
            rows = [(name, sql) for name, sql, table in found if table in tables]
        else:
            found = await conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = ANY(:tables) AND indexname NOT IN (SELECT conname FROM pg_constraint)"
                ),
                {"tables": tables},
            )
            rows = [(name, sql) for name, sql in found]
        for name, _ in rows:
            await conn.execute(text(f'DROP INDEX "{name}"'))
    return rows


async def create_indexes(engine: AsyncEngine, indexes: list[tuple[str, str]]) -> None:
    async with engine.begin() as conn:
        for _, definition in indexes:
            await conn.execute(text(definition))
