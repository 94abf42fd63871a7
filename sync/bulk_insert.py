"""Thousands of rows in one short INSERT on PostgreSQL: each column sent as one parameter.

Why: an ``executemany`` costs, per row, SQLAlchemy's parameter processing, psycopg's pipelined
Bind/Execute and a statement start in the server; a 10,000-order wave build writes 18,000 task
lines and as many feed changes, and that per-row cost was most of its time. Here a column is one
array, unnested by the server in lockstep with the others; a column holding one same value in
every row (the warehouse, ``now``) is sent once.

How a column is sent matters as much: psycopg writes a list as a text array in Python, testing
every element with a regular expression (and escaping each JSON string, quotes everywhere). So
integer columns go as one ready ``{1,2,3}`` literal, JSON columns as one JSON document of their
values, and only the rest (strings, times: few distinct or few rows) as lists.

The statement is PostgreSQL's only; callers keep the plain ``executemany`` on SQLite, which runs
it in C. Python-side column defaults do not run: rows name every column they set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, BigInteger, Insert, Integer, Table, Text, bindparam, cast, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql.elements import ColumnElement

BULK_ROWS = 16
"""Rows from which the one statement pays: fewer go as the usual executemany, no new path."""


def int_array(name: str, values: Sequence[int | None], item_type: Integer | None = None) -> ColumnElement[Any]:
    """A parameter holding ``values`` as a PostgreSQL integer array, sent as one ``{1,2,NULL}`` text."""
    literal = "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    return cast(
        bindparam(name, literal, type_=Text(), unique=True), ARRAY(item_type if item_type is not None else BigInteger())
    )


def unnest_insert(table: Table, rows: Sequence[Mapping[str, Any]]) -> Insert:
    """``INSERT INTO table (…) SELECT unnest(…), …`` of ``rows``, which all have the same keys."""
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    same = {name for name, column in columns.items() if all(value is column[0] for value in column)}
    if len(same) == len(columns):  # every row alike: one column must still be a series of them all
        same.discard(next(iter(columns)))
    values: list[ColumnElement[Any]] = []
    for n, (name, column) in enumerate(columns.items()):
        column_type = table.c[name].type
        param = f"col_{n}"
        if name in same:
            values.append(bindparam(param, column[0], type_=column_type))
        elif isinstance(column_type, JSON):  # None stays JSON null, as the JSON type binds it
            values.append(func.jsonb_array_elements(bindparam(param, column, type_=JSONB())))
        elif isinstance(column_type, Integer) and all(type(v) is int or v is None for v in column):
            values.append(func.unnest(int_array(param, column, column_type)))
        else:
            values.append(func.unnest(bindparam(param, column, type_=ARRAY(column_type))))
    return insert(table).from_select(list(columns), select(*values))
