"""Stock valuation for finance: units on hand in bins × the SKU's standard cost, in 分.

Units are those of the physical bins (quarantine and frozen bins included: the goods are owned
either way), not transit. Products are computed as 64-bit integers — 100,000 units at ¥10,000
already overflow a 32-bit column product on PostgreSQL — and summed per currency, never mixed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Select, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.catalog.models import Sku
from server.lib.pagination import Page, PageParams, paginate
from server.warehouse.ledger.models import StockLevel
from server.warehouse.ledger.schemas import (
    CurrencyTotalOut,
    StockValuationOut,
    ValuationLineOut,
    WarehouseValuationOut,
)
from server.warehouse.models import PHYSICAL_TYPES, Location, Warehouse

AnySelect = Select[*tuple[Any, ...]]
_UNITS = func.sum(cast(StockLevel.on_hand, BigInteger))
_VALUE = func.sum(cast(StockLevel.on_hand, BigInteger) * cast(Sku.standard_cost_minor, BigInteger))


def _valued(statement: AnySelect, user: AuthUser, warehouse_id: int | None) -> AnySelect:
    statement = (
        statement.join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .where(Location.type.in_(list(PHYSICAL_TYPES)))
    )
    scope = user.visible_warehouses()
    if scope is not None:
        statement = statement.where(Location.warehouse_id.in_(scope))
    if warehouse_id is not None:
        statement = statement.where(Location.warehouse_id == warehouse_id)
    return statement


def _line(row: Any) -> ValuationLineOut:
    warehouse_id, sku_id, sku_code, cost, currency, units = row
    units = int(units or 0)
    return ValuationLineOut(
        warehouse_id=warehouse_id,
        sku_id=sku_id,
        sku_code=sku_code,
        units=units,
        unit_cost_minor=int(cost),
        value_minor=units * int(cost),
        currency=currency,
    )


async def stock_valuation(
    session: AsyncSession, user: AuthUser, page: PageParams, *, warehouse_id: int | None = None
) -> StockValuationOut:
    """Totals per warehouse and currency, grand totals per currency, and a page of per-SKU lines."""
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
    per_warehouse = await session.execute(
        _valued(
            select(Location.warehouse_id, Warehouse.code, Sku.currency, _UNITS, _VALUE).select_from(StockLevel),
            user,
            warehouse_id,
        )
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .group_by(Location.warehouse_id, Warehouse.code, Sku.currency)
        .having(_UNITS != 0)
        .order_by(Warehouse.code, Sku.currency)
    )
    warehouses = [
        WarehouseValuationOut(
            warehouse_id=w, warehouse_code=code, currency=currency, units=int(units), value_minor=int(value)
        )
        for w, code, currency, units, value in per_warehouse
    ]
    totals: dict[str, CurrencyTotalOut] = {}
    for w in warehouses:
        total = totals.setdefault(w.currency, CurrencyTotalOut(currency=w.currency, units=0, value_minor=0))
        total.units += w.units
        total.value_minor += w.value_minor
    lines_query = (
        _valued(
            select(Location.warehouse_id, Sku.id, Sku.code, Sku.standard_cost_minor, Sku.currency, _UNITS).select_from(
                StockLevel
            ),
            user,
            warehouse_id,
        )
        .group_by(Location.warehouse_id, Sku.id, Sku.code, Sku.standard_cost_minor, Sku.currency)
        .having(_UNITS != 0)
        .order_by(Location.warehouse_id, Sku.code, Sku.id)
    )
    lines: Page[ValuationLineOut] = await paginate(session, lines_query, page, _line)
    return StockValuationOut(
        warehouses=warehouses, totals=sorted(totals.values(), key=lambda t: t.currency), lines=lines
    )
