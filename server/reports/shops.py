"""Shops (channels) and platforms as the reports name and filter them.

The shops table is small (a merchant has tens of shops, not thousands), so a report groups its big
query by ``channel_id`` alone and names the groups from one read of this table afterwards, rather
than joining and grouping by every name column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from server.orders.models import Channel
from server.reports.range_scope import RangeScope

PLATFORM_NAMES: dict[str, tuple[str, str]] = {
    "taobao": ("Taobao / Tmall", "淘宝/天猫"),
    "jd": ("JD", "京东"),
    "pdd": ("Pinduoduo", "拼多多"),
    "douyin": ("Douyin", "抖音"),
    "kuaishou": ("Kuaishou", "快手"),
    "xiaohongshu": ("Xiaohongshu", "小红书"),
    "shopify": ("Shopify", "Shopify"),
    "woocommerce": ("WooCommerce", "WooCommerce"),
    "csv": ("File import", "文件导入"),
}
"""(English, Chinese) names of the platforms adapters read; an unknown one shows its own key."""


def platform_name(platform: str) -> tuple[str, str]:
    return PLATFORM_NAMES.get(platform, (platform, platform))


@dataclass(frozen=True, slots=True)
class Shop:
    id: int
    code: str
    name: str
    platform: str


async def shops(session: AsyncSession) -> dict[int, Shop]:
    rows = await session.execute(select(Channel.id, Channel.code, Channel.name, Channel.platform))
    return {int(i): Shop(int(i), code, name, platform) for i, code, name, platform in rows}


def shop_filter(scope: RangeScope, channel_id: Any) -> ColumnElement[bool]:
    """The scope's platform and shop filters on a column holding a channel id (an ``IN`` over the
    few channels of a platform rather than a join, so the big query's plan stays one table)."""
    conditions: list[ColumnElement[bool]] = []
    if scope.channel_id is not None:
        conditions.append(channel_id == scope.channel_id)
    if scope.platform is not None:
        conditions.append(channel_id.in_(select(Channel.id).where(Channel.platform == scope.platform)))
    return and_(true(), *conditions)
