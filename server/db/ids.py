"""Primary keys taken before the INSERT, for bulk writes that must not ask the database for them.

Why: an INSERT that returns its new ids over many rows is sent by SQLAlchemy as one huge
``VALUES (…), (…)`` statement, and psycopg re-parses every statement longer than 4 KB in Python
(it caches only short ones): on an order import that parsing cost more than the database work.
With the ids known first, the same rows go as an ``executemany`` of one short, cached statement,
pipelined by psycopg; and children (order lines, events) can be built before their parents are
written. PostgreSQL hands out ids from the table's own sequence, so concurrent writers never
collide; SQLite takes the next ids after the largest, which is safe because every write
transaction there starts with ``BEGIN IMMEDIATE`` and holds the database's only write lock (the
session remembers what it handed out, so two allocations before a flush do not overlap).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

_HANDED_OUT = "db.ids_handed_out"
_NEXT_FROM_SEQUENCE = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")


async def allocate_ids(session: AsyncSession, model: type[Any], count: int) -> list[int]:
    """``count`` fresh ids for rows of ``model`` (a table with an integer ``id`` key), ascending."""
    if count <= 0:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        rows = await session.execute(_NEXT_FROM_SEQUENCE, {"table": table.name, "count": count})
        return sorted(row[0] for row in rows)
    handed_out: dict[str, int] = session.info.setdefault(_HANDED_OUT, {})
    top = await session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    start = max(int(top or 0), handed_out.get(table.name, 0)) + 1
    handed_out[table.name] = start + count - 1
    return list(range(start, start + count))
