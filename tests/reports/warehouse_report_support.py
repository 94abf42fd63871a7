"""Helpers shared by the productivity, stock and counts report tests: a manager's scope and the
envelope read back as plain values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.reports.envelope import Report
from server.reports.range_scope import RangeScope, range_scope


def manager(*warehouse_ids: int) -> AuthUser:
    """A manager who sees ``warehouse_ids`` (every warehouse when none is given)."""
    return AuthUser(
        id=0,
        username="manager",
        roles=("manager",),
        permissions=frozenset(),
        all_warehouses=not warehouse_ids,
        warehouse_ids=frozenset(warehouse_ids),
        device_id=None,
        token_id=0,
    )


async def scope_of(
    session: AsyncSession, first: date, last: date, *, now: datetime, user: AuthUser, warehouse_id: int | None = None
) -> RangeScope:
    """The scope the HTTP API would build for ``user`` (zone from the warehouses, checks included)."""
    return await range_scope(session, user, now=now, date_from=first, date_to=last, warehouse_id=warehouse_id)


def tiles(report: Report) -> dict[str, Any]:
    return {tile.key: tile.value for tile in report.tiles}


def series(report: Report, chart: str) -> dict[str, list[Any]]:
    (found,) = [c for c in report.charts if c.key == chart]
    return {s.key: s.values for s in found.series}


def chart_x(report: Report, chart: str) -> list[str]:
    (found,) = [c for c in report.charts if c.key == chart]
    return found.x


def rows(report: Report, table: str) -> list[dict[str, Any]]:
    """The table's rows as dicts keyed by column key."""
    (found,) = [t for t in report.tables if t.key == table]
    keys = [column.key for column in found.columns]
    return [dict(zip(keys, row, strict=True)) for row in found.rows]


def truncated(report: Report, table: str) -> bool:
    (found,) = [t for t in report.tables if t.key == table]
    return found.truncated
