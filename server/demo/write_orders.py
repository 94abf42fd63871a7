"""Put the demo's day of orders through the real order pipeline: shops, rules, an import per shop,
审单/分仓/锁库存, then waves of the more urgent half so pickers in Hangzhou have work.

Each part is its own transaction and skips what an interrupted earlier load already did: a shop
with orders is not imported again (its import is one chunk, so it went in whole or not at all),
processing takes only orders still paid, and a warehouse that has waves gets no more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.demo.order_rules import demo_rules, save_rules
from server.demo.order_spec import CHANNELS, ORDER_WAREHOUSE, DemoOrder
from server.demo.write_stock import DemoIds
from server.fulfilment.models import Wave
from server.fulfilment.waves import build_waves
from server.orders.models import Channel, Order, OrderStatus, vip_tagged
from server.orders.normalized import ParseResult
from server.orders.processing import process_paid
from server.orders.schemas import ChannelCreate
from server.orders.service import create_channel, import_parsed

Factory = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class OrdersWritten:
    imported: int
    """Orders imported by this load (0 when an interrupted load had imported them all)."""
    waves: int
    """Waves built by this load."""


async def write_orders(factory: Factory, orders: Sequence[DemoOrder], ids: DemoIds) -> OrdersWritten:
    channels = await run_in_transaction(factory, lambda s: _shops_and_rules(s, ids), retry_integrity=False)
    imported = 0
    for spec in CHANNELS:
        channel = channels[spec.code]
        mine = [o.order for o in orders if o.channel == spec.code]
        if not mine or await _has_orders(factory, channel.id):
            continue
        parsed = ParseResult(orders=mine, rows=len(mine))
        await import_parsed(factory, channel, parsed, source="file", filename=f"demo-{spec.code}.csv", user_id=None)
        imported += len(mine)
    ours = [c.id for c in channels.values()]
    await run_in_transaction(factory, lambda s: _process(s, ours), retry_integrity=False)
    warehouse = ids.warehouses[ORDER_WAREHOUSE]
    waves = await run_in_transaction(factory, lambda s: _waves(s, warehouse, ours), retry_integrity=False)
    return OrdersWritten(imported=imported, waves=waves)


async def _shops_and_rules(session: AsyncSession, ids: DemoIds) -> dict[str, Channel]:
    found = {
        c.code: c for c in await session.scalars(select(Channel).where(Channel.code.in_([s.code for s in CHANNELS])))
    }
    for spec in CHANNELS:
        if spec.code not in found:
            data = msgspec.convert({"code": spec.code, "name": spec.name, "platform": spec.platform}, ChannelCreate)
            found[spec.code] = await create_channel(session, data)
    for kind, items in demo_rules(ids.warehouses["HZ01"], ids.warehouses["GZ01"]).items():
        await save_rules(session, kind, items)
    return found


async def _has_orders(factory: Factory, channel_id: int) -> bool:
    async with factory() as session:
        return await session.scalar(select(Order.id).where(Order.channel_id == channel_id).limit(1)) is not None


async def _process(session: AsyncSession, channel_ids: list[int]) -> None:
    paid = list(
        await session.scalars(
            select(Order.id).where(Order.channel_id.in_(channel_ids), Order.status == OrderStatus.paid)
        )
    )
    if paid:
        await process_paid(session, order_ids=paid, actor=None)


async def _waves(session: AsyncSession, warehouse_id: int, channel_ids: list[int]) -> int:
    """Waves of the more urgent half of the routed orders — VIP, then the presale promise, then the
    earliest paid, as a supervisor would start the day — so the rest still wait as routed."""
    if await session.scalar(select(func.count()).select_from(Wave).where(Wave.warehouse_id == warehouse_id)):
        return 0
    rows = await session.execute(
        select(Order.id, Order.tags, Order.ship_by, Order.paid_at, Order.ordered_at).where(
            Order.channel_id.in_(channel_ids),
            Order.warehouse_id == warehouse_id,
            Order.status == OrderStatus.routed,
        )
    )
    never = datetime.max.replace(tzinfo=UTC)
    urgent = sorted(
        (not vip_tagged(tags), ship_by or never, paid_at or ordered_at, order_id)
        for order_id, tags, ship_by, paid_at, ordered_at in rows
    )
    chosen = [key[3] for key in urgent[: (len(urgent) + 1) // 2]]
    if not chosen:
        return 0
    return len(await build_waves(session, warehouse_id, actor=None, order_ids=chosen))
