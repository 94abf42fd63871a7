"""A small shop for the 合单/拆单 tests: two warehouses with staging bins and stock, a Tmall shop,
orders written through the pool, and the floor (wave, phone picks, pack check, shipment) driven
through the real API — so a merged or split order is shipped the way a warehouse ships it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.fulfilment.shipping.models import ChannelOutbox
from server.orders.models import Channel, Order, OrderEvent, OrderLine, OrderReservation
from server.orders.normalized import NormalizedLine, NormalizedOrder, PlatformStatus, Receiver, RefundState
from server.orders.pool import Tally, write_orders
from server.tasks.models import TaskLine
from server.warehouse.ledger.models import MoveReason, StockLevel
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import LocationType, Warehouse
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import make_device

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 11, 0, 5, tzinfo=UTC)
ZJ = Receiver(
    name="王**", phone="138****1234", province="浙江省", city="杭州市", district="西湖区", address="文三路***号"
)


@dataclass
class Shop:
    headers: dict[str, str]
    channel_id: int
    warehouses: dict[str, Warehouse]
    skus: dict[str, int]
    bins: dict[tuple[str, str], int] = field(default_factory=dict)


async def make_shop(factory: Factory, stock: dict[str, dict[str, int]]) -> Shop:
    """Warehouses by code (WH-A in 浙江, WH-B in 北京) holding ``stock`` (warehouse → SKU code → units)."""
    async with factory() as s, s.begin():
        warehouses: dict[str, Warehouse] = {}
        skus: dict[str, int] = {}
        bins: dict[tuple[str, str], int] = {}
        codes = sorted({code for held in stock.values() for code in held})
        for code in codes:
            sku = await make_sku(s, code=code)
            sku.weight_g = 300
            skus[code] = sku.id
        for wh_code, province in (("WH-A", "浙江省"), ("WH-B", "北京市")):
            wh = await make_warehouse(s, wh_code)
            wh.warehouse.province = province
            warehouses[wh_code] = wh.warehouse
            await make_bin(s, wh, type=LocationType.staging)
            for code, qty in stock.get(wh_code, {}).items():
                bin_ = await make_bin(s, wh)
                bins[(wh_code, code)] = bin_.id
                request = MoveRequest(
                    sku_id=skus[code],
                    from_location_id=wh.supplier.id,
                    to_location_id=bin_.id,
                    qty=qty,
                    reason=MoveReason.receipt,
                    idempotency_key=f"seed-{bin_.id}",
                )
                await post_moves(s, [request])
        channel = Channel(code="TMALL", name="天猫店", platform="taobao")
        s.add(channel)
        await s.flush()
        _, token = await make_user(s, [Role.admin], all_warehouses=True)
    return Shop(bearer(token), channel.id, warehouses, skus, bins)


def platform_order(
    number: str,
    lines: list[tuple[str, str, int]],
    *,
    minutes: int = 0,
    buyer: str = "tb_buyer_1",
    receiver: Receiver = ZJ,
    status: PlatformStatus = PlatformStatus.paid,
    refunds: dict[str, RefundState] | None = None,
    updated: datetime | None = None,
    ship_by: datetime | None = None,
    presale: bool = False,
    tags: list[str] | None = None,
    message: str = "",
    title: str = "",
) -> NormalizedOrder:
    """A Tmall order of ``lines`` (platform line id, SKU code, units) at 50.00 a unit, 1.00 off each."""
    refunds = refunds or {}
    return NormalizedOrder(
        platform="taobao",
        platform_order_no=number,
        status=status,
        created_at=T0,
        paid_at=T0 + timedelta(minutes=minutes),
        updated_at=updated,
        goods_minor=sum(5_000 * qty for _, _, qty in lines),
        discount_minor=sum(100 * qty for _, _, qty in lines),
        paid_minor=sum(4_900 * qty for _, _, qty in lines),
        buyer_id=buyer,
        buyer_message=message,
        ship_by=ship_by,
        presale=presale,
        tags=tags or [],
        receiver=receiver,
        lines=[
            NormalizedLine(
                platform_line_id=line_id,
                sku_code=code,
                title=title or code,
                qty=qty,
                unit_price_minor=5_000,
                discount_minor=100 * qty,
                paid_minor=4_900 * qty - (1 if qty == 3 else 0),  # an odd fen to divide
                refund=refunds.get(line_id, RefundState.none),
            )
            for line_id, code, qty in lines
        ],
    )


async def write(factory: Factory, shop: Shop, orders: list[NormalizedOrder]) -> Tally:
    async with factory() as s, s.begin():
        return await write_orders(s, shop.channel_id, orders, actor=None)


async def route_by(client: Client, shop: Shop, action: dict[str, Any]) -> None:
    rules = [{"id": 1, "position": 1, "name": "分仓", "conditions": [], "action": action}]
    saved = await client.put("/api/order-rules/routing", json=rules, headers=shop.headers)
    assert saved.status_code == 200, saved.text


async def by_number(factory: Factory) -> dict[str, Order]:
    async with factory() as s:
        return {o.platform_order_no: o for o in await s.scalars(select(Order))}


async def lines_of(factory: Factory, order_id: int, *, origin: bool = False) -> list[OrderLine]:
    column = OrderLine.origin_order_id if origin else OrderLine.order_id
    async with factory() as s:
        return list(await s.scalars(select(OrderLine).where(column == order_id).order_by(OrderLine.id)))


async def events(factory: Factory, order_id: int) -> list[OrderEvent]:
    async with factory() as s:
        return list(await s.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)))


async def reserved(factory: Factory) -> dict[int, int]:
    """Order id → units it holds."""
    async with factory() as s:
        rows = await s.execute(
            select(OrderReservation.order_id, func.sum(OrderReservation.qty)).group_by(OrderReservation.order_id)
        )
        return {row[0]: int(row[1]) for row in rows}


async def level_reserved(factory: Factory) -> int:
    async with factory() as s:
        return int(await s.scalar(select(func.coalesce(func.sum(StockLevel.reserved), 0))) or 0)


async def outbox(factory: Factory) -> list[ChannelOutbox]:
    async with factory() as s:
        return list(await s.scalars(select(ChannelOutbox).order_by(ChannelOutbox.id)))


async def ship_through_the_floor(client: Client, factory: Factory, shop: Shop, warehouse_code: str) -> list[Any]:
    """Wave every routed order of the warehouse, pick on a phone, check each parcel, ship it;
    answers the shipments (JSON)."""
    warehouse = shop.warehouses[warehouse_code]
    waves = await client.post("/api/waves", json={"warehouse_id": warehouse.id}, headers=shop.headers)
    assert waves.status_code == 201, waves.text
    phone = await make_device(factory, warehouse)
    task_ids = [
        task_id
        for wave in waves.json()
        for task_id in (await client.get(f"/api/waves/{wave['id']}", headers=shop.headers)).json()["task_ids"]
    ]
    async with factory() as s:
        lines = list(await s.scalars(select(TaskLine).where(TaskLine.task_id.in_(task_ids)).order_by(TaskLine.id)))
    picks = [
        phone.op(
            "fulfilment.item_picked",
            {"task_line_id": x.id, "location_id": x.location_id, "sku_id": x.sku_id, "qty": x.qty},
        )
        for x in lines
    ]
    assert {r["status"] for r in (await phone.push(client, picks))["results"]} == {"applied"}
    async with factory() as s:
        picked = list(
            await s.scalars(select(Order).where(Order.warehouse_id == warehouse.id, Order.status == "picked"))
        )
        wanted: dict[str, dict[int, int]] = {}
        for order in picked:
            want: dict[int, int] = {}
            for line in await s.scalars(select(OrderLine).where(OrderLine.order_id == order.id)):
                if line.sku_id is not None and line.refund is not RefundState.refunded:
                    want[line.sku_id] = want.get(line.sku_id, 0) + line.qty
            wanted[order.platform_order_no] = want
    checks = [
        phone.op("packing.parcel_verified", {"reference": n, "items": [{"sku_id": k, "qty": q} for k, q in w.items()]})
        for n, w in wanted.items()
    ]
    verified = (await phone.push(client, checks))["results"]
    assert [r["result"].get("order_status") for r in verified] == ["packed"] * len(checks), verified
    shipped = []
    for order in picked:
        created = await client.post(f"/api/orders/{order.id}/shipments", json={}, headers=shop.headers)
        assert created.status_code == 201, created.text
        done = await client.post(f"/api/shipments/{created.json()['id']}/ship", json={}, headers=shop.headers)
        assert done.status_code == 200, done.text
        shipped.append(done.json())
    return shipped
