"""What each shop may show buyers (可售库存): available to promise, less a safety stock, times its share.

Two shops selling one warehouse's stock oversell unless each shows only part of it; a safety stock
absorbs the orders that arrive between two stock pushes. The result is what a channel adapter's
``stock_update`` publishes.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.orders.models import Channel
from server.orders.reserving import available_to_promise_by_sku


class ChannelStock(msgspec.Struct, kw_only=True, frozen=True):
    sku_id: int
    sku_code: str
    available: int
    """Available to promise in the shop's warehouses."""
    publish: int
    """What the shop may show: ``max(0, (available − safety stock) × share / 100)``, rounded down."""


def publishable(available: int, channel: Channel) -> int:
    return max(0, (available - channel.safety_stock) * channel.stock_share_pct // 100)


async def channel_stock(session: AsyncSession, channel: Channel, sku_ids: Sequence[int]) -> list[ChannelStock]:
    """The figures for ``sku_ids`` (all SKUs with stock when empty), by SKU id."""
    warehouses = channel.stock_warehouses.get("ids") or None
    available = await available_to_promise_by_sku(session, sku_ids, warehouses)
    wanted = sorted(set(sku_ids) | set(available)) if sku_ids else sorted(available)
    codes = {row[0]: row[1] for row in await session.execute(select(Sku.id, Sku.code).where(Sku.id.in_(wanted)))}
    return [
        ChannelStock(
            sku_id=sku_id,
            sku_code=codes[sku_id],
            available=available.get(sku_id, 0),
            publish=publishable(available.get(sku_id, 0), channel),
        )
        for sku_id in wanted
        if sku_id in codes
    ]
