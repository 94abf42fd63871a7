"""Test data builders. Stock is never written here: tests post moves through the ledger."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import Role, User, UserWarehouse
from server.auth.passwords import hash_password
from server.auth.tokens import issue_token
from server.catalog.models import Lot, Product, Sku
from server.warehouse.models import Location, LocationType, Warehouse, Zone
from server.warehouse.virtual_locations import ensure_virtual_locations

_seq = itertools.count(1)
TEST_PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class WarehouseFixture:
    warehouse: Warehouse
    zone: Zone
    supplier: Location
    customer: Location
    loss: Location
    transit: Location


async def make_warehouse(session: AsyncSession, code: str | None = None) -> WarehouseFixture:
    n = next(_seq)
    warehouse = Warehouse(
        code=code or f"WH{n}", name_zh=f"测试仓{n}", name_en=f"Test warehouse {n}", province="浙江省", city="杭州市"
    )
    session.add(warehouse)
    await session.flush()
    zone = Zone(warehouse_id=warehouse.id, code="A", name_zh="常温区", name_en="Ambient")
    session.add(zone)
    virtual = await ensure_virtual_locations(session, warehouse)
    return WarehouseFixture(
        warehouse=warehouse,
        zone=zone,
        supplier=virtual[LocationType.supplier],
        customer=virtual[LocationType.customer],
        loss=virtual[LocationType.loss],
        transit=virtual[LocationType.transit],
    )


async def make_bin(
    session: AsyncSession,
    wh: WarehouseFixture,
    *,
    code: str | None = None,
    type: LocationType = LocationType.storage,
    frozen: bool = False,
) -> Location:
    n = next(_seq)
    code = code or f"A-{n:02d}-01"
    location = Location(
        warehouse_id=wh.warehouse.id,
        zone_id=wh.zone.id,
        code=code,
        barcode=f"{wh.warehouse.code}-{code}",
        type=type,
        walking_sequence=n,
        frozen=frozen,
    )
    session.add(location)
    await session.flush()
    return location


async def make_sku(
    session: AsyncSession, *, lot_controlled: bool = False, cost_minor: int = 1200, code: str | None = None
) -> Sku:
    n = next(_seq)
    product = Product(code=f"P{n}", name_zh=f"商品{n}", name_en=f"Product {n}")
    session.add(product)
    await session.flush()
    sku = Sku(
        product_id=product.id,
        code=code or f"SKU{n}",
        name_zh=f"商品{n}-红色",
        name_en=f"Product {n} red",
        lot_controlled=lot_controlled,
        expiry_controlled=lot_controlled,
        standard_cost_minor=cost_minor,
    )
    session.add(sku)
    await session.flush()
    return sku


async def make_lot(session: AsyncSession, sku: Sku, number: str | None = None) -> Lot:
    lot = Lot(sku_id=sku.id, lot_number=number or f"L{next(_seq)}")
    session.add(lot)
    await session.flush()
    return lot


@functools.cache
def _password_hash(password: str) -> str:
    """One argon2 hash per password per run: hashing costs ~0.25 s by design, and every test
    makes users (a salt shared between test users proves nothing and costs nothing)."""
    return hash_password(password)


async def make_user(
    session: AsyncSession,
    roles: list[Role],
    *,
    warehouses: list[Warehouse] | None = None,
    all_warehouses: bool = False,
    username: str | None = None,
    password: str = TEST_PASSWORD,
) -> tuple[User, str]:
    """A user and a live bearer token for them."""
    user = User(
        username=username or f"user{next(_seq)}",
        display_name="测试",
        password_hash=_password_hash(password),
        roles=[r.value for r in roles],
        all_warehouses=all_warehouses,
    )
    session.add(user)
    await session.flush()
    for warehouse in warehouses or []:
        session.add(UserWarehouse(user_id=user.id, warehouse_id=warehouse.id))
    token, _ = await issue_token(session, user_id=user.id, ttl_seconds=3600)
    await session.flush()
    return user, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
