"""The API/webhook channel adapters by platform name, as channels and webhook routes name them.

One instance each: adapters hold no per-request state, so sharing them is safe and keeps lookups a
dict access. File imports (CSV, mapped spreadsheets) are not here: they read files, not payloads.
"""

from __future__ import annotations

from server.orders.adapters.base import ChannelAdapter
from server.orders.adapters.douyin import DouyinAdapter
from server.orders.adapters.jd import JdAdapter
from server.orders.adapters.pdd import PddAdapter
from server.orders.adapters.shopify import ShopifyAdapter
from server.orders.adapters.taobao_top import TaobaoTopAdapter
from server.orders.adapters.woocommerce import WooCommerceAdapter

_ALL: tuple[ChannelAdapter, ...] = (
    ShopifyAdapter(),
    WooCommerceAdapter(),
    TaobaoTopAdapter(),
    JdAdapter(),
    PddAdapter(),
    DouyinAdapter(),
)

ADAPTERS: dict[str, ChannelAdapter] = {adapter.platform: adapter for adapter in _ALL}
