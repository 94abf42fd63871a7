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

from collections import defaultdict
from typing import Any

from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_HANDED_OUT = "db.ids_handed_out"
_NEXT_FROM_SEQUENCE = text(
    "SELECT array_agg(nextval((SELECT pg_get_serial_sequence(:table, 'id'))::regclass)) FROM generate_series(1, :count)"
)
"""One array of ``count`` ids. The sequence is looked up once (a sub-select): named in ``nextval``
itself it is looked up in the catalogue again for every id; and one array is read far faster than
thousands of one-number rows."""


async def allocate_ids(session: AsyncSession, model: type[Any], count: int) -> list[int]:
    """``count`` fresh ids for rows of ``model`` (a table with an integer ``id`` key), ascending."""
    if count <= 0:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        ids: list[int] = await session.scalar(_NEXT_FROM_SEQUENCE, {"table": table.name, "count": count})
        return sorted(ids)
    handed_out: dict[str, int] = session.info.setdefault(_HANDED_OUT, {})
    top = await session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    start = max(int(top or 0), handed_out.get(table.name, 0)) + 1
    handed_out[table.name] = start + count - 1
    return list(range(start, start + count))


BULK_FLUSH = 16
"""New rows of one model in a flush from which their ids are taken first (PostgreSQL only)."""


def install_ids_first() -> None:
    """Give every large PostgreSQL flush its ids from the sequences before the INSERTs (idempotent).

    The ORM otherwise asks for each new row's id back with ``INSERT … RETURNING``, which it sends as
    one huge multi-row statement that psycopg must re-parse in Python every time (see the module
    docstring): on an import of 200 orders with their lines and events that costs more than the
    database's own work. With ids set, the same flush is an ``executemany`` of one short statement.
    Small flushes keep the usual path, which needs no extra round trip; SQLite is fast either way.
    """
    if not event.contains(Session, "before_flush", _take_ids_first):
        event.listen(Session, "before_flush", _take_ids_first)


def _take_ids_first(session: Session, _flush_context: Any, _instances: Any) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    waiting: dict[Any, list[Any]] = defaultdict(list)
    for obj in session.new:
        table = getattr(type(obj), "__table__", None)
        if table is not None and "id" in table.c and getattr(obj, "id", None) is None:
            waiting[table].append(obj)
    for table, objects in waiting.items():
        if len(objects) < BULK_FLUSH or table.autoincrement_column is not table.c.id:
            continue
        objects.sort(key=lambda obj: inspect(obj).insert_order)  # ids ascend in the order rows were added
        ids = session.scalar(_NEXT_FROM_SEQUENCE, {"table": table.name, "count": len(objects)})
        for obj, new_id in zip(objects, sorted(ids), strict=True):
            obj.id = new_id
            _fill_defaults(obj, table)


def _fill_defaults(obj: Any, table: Any) -> None:
    """Set the Python default of every unset column that also has a server default.

    The ORM applies Python defaults only while executing, so it counts such a column as a value
    to fetch back and falls back to ``RETURNING`` — the statement this module exists to avoid.
    """
    state = inspect(obj)
    for column in table.c:
        default = column.default
        if column.server_default is None or default is None or not (default.is_scalar or default.is_callable):
            continue
        key = state.mapper.get_property_by_column(column).key
        if key not in state.dict:
            setattr(obj, key, default.arg(None) if default.is_callable else default.arg)
