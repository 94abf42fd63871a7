"""Small pieces the warehouse reports (productivity, stock, counts) build their envelopes from, on
top of ``order_figures`` (capping, percentages), which every report shares.

Ratios are rounded to one decimal here, once, so a tile and a table row showing the same figure
agree; a ratio of nothing is ``None`` ("nothing to measure"), never 0.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User
from server.catalog.models import Sku
from server.reports.envelope import Column, Unit
from server.reports.order_figures import column
from server.warehouse.models import Warehouse, Zone

ColumnSpec = tuple[str, str, str, Unit]
"""(key, English label, Chinese label, unit)."""


def columns(*specs: ColumnSpec) -> list[Column]:
    return [column(*spec) for spec in specs]


def ratio(part: float, whole: float) -> float | None:
    """``part / whole`` to one decimal; ``None`` when ``whole`` is nothing."""
    return round(part / whole, 1) if whole else None


async def roomy_sorts(session: AsyncSession) -> None:
    """A larger ``work_mem`` for the rest of the report's transaction, on PostgreSQL.

    For a report that hashes every SKU of every warehouse (the stock report: 60,000 SKU × warehouse
    groups on the benchmark), the default 4 MB spills the hash to disk in five batches; 32 MB keeps it
    in memory. Not for reports over a range of orders, where a larger ``work_mem`` made the planner
    sort instead of hash (``server.reports.planner``). ``SET LOCAL`` ends with the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL work_mem = '32MB'"))


async def user_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    """Display name (or login name) per user id: the few people a report names, read once."""
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(sorted(ids))))
    return {int(i): display or username for i, display, username in rows}


async def sku_names(session: AsyncSession, ids: set[int]) -> dict[int, tuple[str, str]]:
    """(code, Chinese name) per SKU id: only the SKUs a report lists, read once."""
    if not ids:
        return {}
    rows = await session.execute(select(Sku.id, Sku.code, Sku.name_zh).where(Sku.id.in_(sorted(ids))))
    return {int(i): (code, name) for i, code, name in rows}


async def warehouse_codes(session: AsyncSession) -> dict[int, str]:
    return {int(i): code for i, code in await session.execute(select(Warehouse.id, Warehouse.code))}


async def zone_names(session: AsyncSession) -> dict[int, tuple[str, str]]:
    """(code, Chinese name) per zone id; zones are few (a handful per warehouse)."""
    rows = await session.execute(select(Zone.id, Zone.code, Zone.name_zh))
    return {int(i): (code, name) for i, code, name in rows}
