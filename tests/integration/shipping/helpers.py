"""Builders for the shipping tests: packed orders straight in the tables (how they got packed is
the waves' and packing's business, tested there), and Kuaidi100 pushes as the vendor sends them."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.fulfilment.shipping.models import ChannelOutbox, Shipment
from server.orders.models import Channel, Order, OrderEvent, OrderLine, OrderStatus
from server.orders.normalized import PlatformStatus, RefundState
from tests.factories import make_warehouse

Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
"""10:00 Beijing time on Double 11."""
RECEIVER: dict[str, Any] = {
    "name": "王**",
    "phone": "138****1234",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address": "文三路***号",
    "encrypted": {"oaid": "OAID-CIPHER-7f3a9c", "encrypt_post_tel": "~CIPHER~138~"},
}
_seq = itertools.count(1)


@dataclass(frozen=True)
class Packed:
    order_id: int
    channel_id: int
    warehouse_id: int
    order_no: str


async def make_packed_order(
    session: AsyncSession,
    *,
    platform: str = "taobao",
    carrier_code: str = "YTO",
    province: str = "浙江省",
    status: OrderStatus = OrderStatus.packed,
    lines: list[tuple[str, int, RefundState]] | None = None,
    warehouse_id: int | None = None,
) -> Packed:
    """A packed order of ``lines`` (platform line id, qty, refund) from a fresh shop of ``platform``."""
    n = next(_seq)
    if warehouse_id is None:
        warehouse_id = (await make_warehouse(session)).warehouse.id
    channel = Channel(code=f"SHOP{n}", name=f"店铺{n}", platform=platform)
    session.add(channel)
    await session.flush()
    order = Order(
        channel_id=channel.id,
        platform_order_no=f"30{n:014d}",
        status=status,
        platform_status=PlatformStatus.paid,
        ordered_at=T0,
        paid_at=T0,
        receiver_province=province,
        receiver_city="杭州市" if province == "浙江省" else "某市",
        receiver_district="西湖区",
        receiver={**RECEIVER, "province": province},
        warehouse_id=warehouse_id,
        carrier_code=carrier_code,
    )
    session.add(order)
    await session.flush()
    for line_no, (line_id, qty, refund) in enumerate(lines or [("5001", 2, RefundState.none)], start=1):
        session.add(
            OrderLine(
                order_id=order.id,
                line_no=line_no,
                platform_line_id=line_id,
                sku_code=f"SKU-{line_no}",
                qty=qty,
                refund=refund,
            )
        )
    await session.flush()
    return Packed(order.id, channel.id, warehouse_id, order.platform_order_no)


async def outbox_rows(factory: Factory) -> list[ChannelOutbox]:
    async with factory() as s:
        return list(await s.scalars(select(ChannelOutbox).order_by(ChannelOutbox.id)))


async def shipment(factory: Factory, shipment_id: int) -> Shipment:
    async with factory() as s:
        found = await s.get(Shipment, shipment_id)
        assert found is not None
        return found


async def order(factory: Factory, order_id: int) -> Order:
    async with factory() as s:
        found = await s.get(Order, order_id)
        assert found is not None
        return found


async def event_kinds(factory: Factory, order_id: int) -> list[str]:
    async with factory() as s:
        return list(
            await s.scalars(select(OrderEvent.kind).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))
        )


def kuaidi100_param(
    waybill_no: str,
    state: str,
    items: list[tuple[str, str, str]],
    *,
    com: str = "yuantong",
    status: str = "polling",
    message: str = "",
) -> str:
    """A push's ``param`` JSON: ``items`` are (ftime in Beijing time, context, item status word), newest first."""
    return json.dumps(
        {
            "status": status,
            "billstatus": "got",
            "message": message,
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": {
                "message": "ok",
                "state": state,
                "status": "200",
                "condition": "00",
                "ischeck": "1" if state == "3" else "0",
                "com": com,
                "nu": waybill_no,
                "data": [
                    {"context": context, "time": ftime, "ftime": ftime, "status": word, "areaName": "浙江,杭州市"}
                    for ftime, context, word in items
                ],
            },
        },
        ensure_ascii=False,
    )
