"""Builders for the warehouse API tests: a small site with bins, SKUs and users of each role.

Stock is never written here; tests receive it through ``POST /api/stock/moves`` (or the ledger).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role, User, UserWarehouse
from server.auth.passwords import hash_password
from server.auth.tokens import issue_token
from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.models import LocationType
from tests.factories import TEST_PASSWORD, bearer, make_bin, make_sku, make_warehouse

Factory = async_sessionmaker[AsyncSession]
Client = AsyncTestClient[Litestar]
_keys = itertools.count(1)


@dataclass
class Site:
    """Ids of one warehouse's fixtures and bearer headers per role (all scoped to this warehouse)."""

    warehouse: int
    code: str
    zone: int
    supplier: int
    customer: int
    loss: int
    transit: int
    a: int
    b: int
    quarantine: int
    sku: int
    sku_code: str
    headers: dict[Role, dict[str, str]] = field(default_factory=dict)


async def make_site(factory: Factory, *, code: str | None = None, cost_minor: int = 1200) -> Site:
    async with factory() as s, s.begin():
        wh = await make_warehouse(s, code)
        a = await make_bin(s, wh, code="A-01-01")
        b = await make_bin(s, wh, code="A-01-02")
        q = await make_bin(s, wh, code="Q-01", type=LocationType.quarantine)
        sku = await make_sku(s, cost_minor=cost_minor)
        site = Site(
            warehouse=wh.warehouse.id,
            code=wh.warehouse.code,
            zone=wh.zone.id,
            supplier=wh.supplier.id,
            customer=wh.customer.id,
            loss=wh.loss.id,
            transit=wh.transit.id,
            a=a.id,
            b=b.id,
            quarantine=q.id,
            sku=sku.id,
            sku_code=sku.code,
        )
        for role in (Role.picker, Role.supervisor, Role.manager, Role.finance, Role.admin):
            site.headers[role] = await user_headers(s, role, warehouse_ids=[site.warehouse])
    return site


@functools.cache
def _password_hash() -> str:
    """Argon2 takes a quarter of a second on purpose; these tests make many users, never log them in."""
    return hash_password(TEST_PASSWORD)


async def user_headers(
    session: AsyncSession, role: Role, *, warehouse_ids: list[int] | None = None, all_warehouses: bool = False
) -> dict[str, str]:
    """Bearer headers of a new user with ``role`` (like ``tests.factories.make_user``, with one hash)."""
    user = User(
        username=f"wh-user{next(_keys)}",
        password_hash=_password_hash(),
        roles=[role.value],
        all_warehouses=all_warehouses,
    )
    session.add(user)
    await session.flush()
    session.add_all(UserWarehouse(user_id=user.id, warehouse_id=w) for w in warehouse_ids or [])
    token, _ = await issue_token(session, user_id=user.id, ttl_seconds=3600)
    await session.flush()
    return bearer(token)


async def admin_headers(factory: Factory) -> dict[str, str]:
    """An administrator who sees every warehouse."""
    async with factory() as s, s.begin():
        return await user_headers(s, Role.admin, all_warehouses=True)


def move(
    sku: int, src: int, dst: int, qty: int, *, reason: str = "receipt", key: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A move body with a fresh idempotency key unless ``key`` is given (``key=""`` leaves it out)."""
    body: dict[str, Any] = {
        "sku_id": sku,
        "from_location_id": src,
        "to_location_id": dst,
        "qty": qty,
        "reason": reason,
        **extra,
    }
    if key is None:
        body["idempotency_key"] = f"test-{next(_keys)}"
    elif key:
        body["idempotency_key"] = key
    return body


async def post_move(client: Client, headers: dict[str, str], body: dict[str, Any], expect: int = 201) -> Any:
    response = await client.post("/api/stock/moves", json=body, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


async def move_count(factory: Factory) -> int:
    async with factory() as s:
        return int(await s.scalar(select(func.count()).select_from(StockMove)) or 0)


async def on_hand(factory: Factory, location_id: int, sku_id: int) -> int:
    async with factory() as s:
        value = await s.scalar(
            select(func.sum(StockLevel.on_hand)).where(
                StockLevel.location_id == location_id, StockLevel.sku_id == sku_id
            )
        )
    return int(value or 0)
