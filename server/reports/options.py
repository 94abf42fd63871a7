"""What the report filters offer a caller: the warehouses they may see, the platforms, the shops.

Three small reads (tens of rows), sent with every JSON report so the PWA's pickers never need a
call of their own — and never offer a warehouse the caller would get a 403 for.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.orders.models import Channel
from server.reports.envelope import FilterOption, FilterOptions
from server.reports.shops import platform_name
from server.warehouse.models import Warehouse


async def filter_options(session: AsyncSession, user: AuthUser) -> FilterOptions:
    visible = user.visible_warehouses()
    warehouses = select(Warehouse.id, Warehouse.code, Warehouse.name_zh, Warehouse.name_en).order_by(Warehouse.code)
    if visible is not None:
        warehouses = warehouses.where(Warehouse.id.in_(sorted(visible)))
    channels = await session.execute(
        select(Channel.id, Channel.code, Channel.name, Channel.platform).order_by(Channel.platform, Channel.code)
    )
    shops = list(channels)
    return FilterOptions(
        warehouses=[
            FilterOption(value=str(i), label_en=name_en or name_zh or code, label_zh=name_zh or code)
            for i, code, name_zh, name_en in await session.execute(warehouses)
        ],
        platforms=[
            FilterOption(value=platform, label_en=platform_name(platform)[0], label_zh=platform_name(platform)[1])
            for platform in sorted({platform for *_, platform in shops})
        ],
        channels=[
            FilterOption(value=str(i), label_en=name or code, label_zh=name or code) for i, code, name, _ in shops
        ],
    )
