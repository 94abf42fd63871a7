"""A small inbound site: one warehouse with receiving, quarantine, returns and storage bins, SKUs,
and users of the roles that buy, receive and pick. Stock only ever arrives through the ledger."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.tasks.models import WorkException
from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.ledger.stock_states import stock_states
from server.warehouse.models import LocationType
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse

Factory = async_sessionmaker[AsyncSession]
Client = AsyncTestClient[Litestar]
_keys = itertools.count(1)


@dataclass
class Dock:
    warehouse: int
    zone: int
    supplier: int
    loss: int
    receiving: int
    quarantine: int
    returns: int
    storage: int
    sku: int
    sku_code: str
    other_sku: int
    lot_sku: int
    users: dict[Role, int] = field(default_factory=dict)
    headers: dict[Role, dict[str, str]] = field(default_factory=dict)


async def make_dock(factory: Factory) -> Dock:
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        receiving = await make_bin(s, wh, code="RCV-01", type=LocationType.receiving)
        quarantine = await make_bin(s, wh, code="QC-01", type=LocationType.quarantine)
        returns = await make_bin(s, wh, code="RTN-01", type=LocationType.returns)
        storage = await make_bin(s, wh, code="A-01-01")
        sku = await make_sku(s, cost_minor=850)
        other = await make_sku(s)
        lot_sku = await make_sku(s, lot_controlled=True)
        dock = Dock(
            warehouse=wh.warehouse.id,
            zone=wh.zone.id,
            supplier=wh.supplier.id,
            loss=wh.loss.id,
            receiving=receiving.id,
            quarantine=quarantine.id,
            returns=returns.id,
            storage=storage.id,
            sku=sku.id,
            sku_code=sku.code,
            other_sku=other.id,
            lot_sku=lot_sku.id,
        )
        for role in (Role.supervisor, Role.receiver, Role.picker):
            user, token = await make_user(s, [role], warehouses=[wh.warehouse])
            dock.users[role] = user.id
            dock.headers[role] = bearer(token)
    return dock


def key() -> str:
    return f"test-key-{next(_keys)}"


async def create_po(
    client: Client, dock: Dock, lines: list[dict[str, Any]], *, tolerance_pct: int = 0, code: str | None = None
) -> dict[str, Any]:
    body = {
        "code": code or f"PO-{dock.warehouse}-{next(_keys)}",
        "warehouse_id": dock.warehouse,
        "over_receipt_tolerance_pct": tolerance_pct,
        "lines": lines,
    }
    r = await client.post("/api/purchase-orders", json=body, headers=dock.headers[Role.supervisor])
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def receive(
    client: Client, dock: Dock, order_id: int, lines: list[dict[str, Any]], *, idem: str | None = None
) -> dict[str, Any]:
    headers = {**dock.headers[Role.receiver], "Idempotency-Key": idem or key()}
    r = await client.post(f"/api/purchase-orders/{order_id}/receipts", json={"lines": lines}, headers=headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def on_hand(factory: Factory, location_id: int, sku_id: int) -> int:
    async with factory() as s:
        total = await s.scalar(
            select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
                StockLevel.location_id == location_id, StockLevel.sku_id == sku_id
            )
        )
        return int(total or 0)


async def moves(factory: Factory) -> list[tuple[int, int, int, int, str, str]]:
    """(sku, from, to, qty, reason, reference) of every move, in order."""
    async with factory() as s:
        rows = await s.scalars(select(StockMove).order_by(StockMove.id))
        return [(m.sku_id, m.from_location_id, m.to_location_id, m.qty, m.reason.value, m.reference) for m in rows]


async def exceptions(factory: Factory) -> list[WorkException]:
    async with factory() as s:
        return list(await s.scalars(select(WorkException).order_by(WorkException.id)))


async def state(factory: Factory, dock: Dock, sku_id: int) -> tuple[int, int, int]:
    """(on_hand, available, pending_inspection) of the SKU in the dock's warehouse."""
    async with factory() as s:
        found = await stock_states(s, sku_id=sku_id, warehouse_id=dock.warehouse)
    if not found:
        return (0, 0, 0)
    return (found[0].on_hand, found[0].available, found[0].pending_inspection)
