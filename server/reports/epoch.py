"""Whole seconds since 1970 of a timestamp column, in SQL alike on SQLite and PostgreSQL.

Durations and deadlines (paid → shipped, paid + 48 h) are integer arithmetic on these, because
the two backends share no interval arithmetic (SQLite has no interval type at all).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement[int]):  # noqa: N801  (reads as the SQL function it renders)
    """Whole seconds since 1970-01-01 UTC of a UTC timestamp column, as a BIGINT."""

    type = BigInteger()
    name = "epoch_seconds"
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_default(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part answers a float8 (EXTRACT a slower numeric): exact for whole seconds and far beyond.
    return f"CAST(FLOOR(date_part('epoch', {compiler.process(element.clauses, **kw)})) AS BIGINT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Naive UTC text ('2026-12-02 06:00:00.000000'); '%s' drops the fraction, i.e. floors it.
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


def seconds(value: int) -> ColumnElement[int]:
    """An integer written into the SQL text rather than bound: an expression used in SELECT and in
    GROUP BY must be textually equal for PostgreSQL, and two bound parameters never are."""
    return literal_column(str(int(value)), BigInteger())
