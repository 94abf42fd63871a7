"""One open purchase order (采购单) for Hangzhou from a demo supplier, so the receiver has goods to
expect: three SKUs Hangzhou has none of, in whole cartons where the SKU has a case barcode.

It goes in with the logins (``finish``) because a purchase order names the person who raised it —
the demo's warehouse supervisor, who may write warehouse documents — and users are the last thing
a demo load writes. Made by the service behind ``POST /api/purchase-orders``, its input checked as
the API checks it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.models import User
from server.auth.permissions import permissions_of
from server.demo.catalog_spec import CatalogSpec
from server.demo.order_spec import ORDER_WAREHOUSE
from server.demo.stock_plan import StockPlan
from server.demo.write_stock import DemoIds
from server.inbound.purchase_orders import create_purchase_order
from server.inbound.schemas import PurchaseOrderCreate, SupplierCreate
from server.inbound.suppliers import create_supplier

SUPPLIER = {"code": "SUP-HZ-YOUPIN", "name": "杭州优品供应链有限公司", "contact": "陈经理", "phone": "0571-86886688"}
BUYER = "supervisor"
"""The demo login that raised the purchase order (``warehouse.write``, Hangzhou in scope)."""


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    sku: str
    qty: int
    unit_cost_fen: int


@dataclass(frozen=True, slots=True)
class PurchaseSpec:
    code: str
    expected_on: date
    lines: tuple[PurchaseLine, ...]


def plan_purchase(rng: random.Random, catalog: CatalogSpec, plan: StockPlan, today: date) -> PurchaseSpec:
    """Three SKUs out of stock in Hangzhou (no lots: a first receipt without lot labels to read)."""
    stocked = {p.sku for p in plan.placements if p.warehouse == ORDER_WAREHOUSE}
    candidates = sorted(
        (s for s in catalog.skus() if not s.is_kit and not s.lot_controlled and s.code not in stocked),
        key=lambda s: s.code,
    )
    chosen = sorted(rng.sample(candidates, 3), key=lambda s: s.code)
    lines = tuple(
        PurchaseLine(
            sku=s.code,
            qty=s.case_qty * rng.randint(2, 6) if s.case_qty else rng.choice((20, 30, 50)),
            unit_cost_fen=s.standard_cost_minor,
        )
        for s in chosen
    )
    return PurchaseSpec(code=f"CG{today:%Y%m%d}-001", expected_on=today, lines=lines)


async def write_purchase(
    session: AsyncSession, spec: PurchaseSpec, ids: DemoIds, buyer: User, warehouse_ids: frozenset[int]
) -> None:
    supplier = await create_supplier(session, msgspec.convert(SUPPLIER, SupplierCreate))
    raised_by = AuthUser(
        id=buyer.id,
        username=buyer.username,
        roles=tuple(buyer.roles),
        permissions=permissions_of(buyer.roles),
        all_warehouses=buyer.all_warehouses,
        warehouse_ids=warehouse_ids,
        device_id=None,
        token_id=0,
    )
    data = {
        "code": spec.code,
        "warehouse_id": ids.warehouses[ORDER_WAREHOUSE],
        "supplier_id": supplier.id,
        "expected_on": spec.expected_on.isoformat(),
        "lines": [
            {"sku_id": ids.skus[line.sku], "qty": line.qty, "unit_cost_fen": line.unit_cost_fen} for line in spec.lines
        ],
    }
    await create_purchase_order(session, raised_by, msgspec.convert(data, PurchaseOrderCreate))
