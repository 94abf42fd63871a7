"""Bulk writes and id matches that cost one statement parameter per column, not per row.

``insert_rows`` sends a column of thousands of rows as one array on PostgreSQL (see
``sync.bulk_insert`` for why); ``id_in`` matches thousands of ids with ``= ANY(array)``, where an
``IN (…)`` would render 10,000 placeholders that SQLAlchemy names and psycopg re-parses in Python
on every call (statements over 4 KB are not cached, see ``server.db.ids``). SQLite keeps the plain
forms: its ``executemany`` runs in C and it has no arrays.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from sync.bulk_insert import BULK_ROWS, unnest_insert


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def insert_rows(session: AsyncSession, model: type[Any] | Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys, ids included) without making ORM objects.

    No Python-side column defaults run: a row names every column it sets, the others take their
    server default or NULL. Nothing enters the session's identity map.
    """
    if not rows:
        return
    table: Table = model if isinstance(model, Table) else model.__table__
    if _is_postgres(session) and len(rows) >= BULK_ROWS:
        await session.execute(unnest_insert(table, rows))
    else:
        await session.execute(insert(table), list(rows))


def id_in(
    session: AsyncSession, column: QueryableAttribute[int] | ColumnElement[int], ids: Collection[int]
) -> ColumnElement[bool]:
    """``column IN ids``, as one array parameter on PostgreSQL however many ids there are."""
    if _is_postgres(session):
        # A typed array parameter, not ``int_array``'s text: the planner must see a constant array.
        # A cast of text is evaluated again for every row a filter looks at, and on tables whose
        # statistics lag (just after an import) it filtered 100,000 orders: 20 s instead of 20 ms.
        return column == any_(bindparam(None, sorted(ids), type_=ARRAY(BigInteger())))
    return column.in_(sorted(ids))
