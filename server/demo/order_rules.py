"""The demo merchant's order rules (审单, 策略分仓, 快递 and the carriers' price list), as a manager
would save them on the rules page, and saving them the way that page does.

They are what makes the demo's orders behave: a buyer asking to change the address is held for a
person, the south goes to Guangzhou and everything else to Hangzhou, VIPs and "请发顺丰" ride SF,
the rest take the cheapest carrier (ZTO's 江浙沪 contract at home).
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from server.demo.order_spec import HOLD_KEYWORDS
from server.orders.models import OrderRuleSet
from server.orders.processing import RULE_TYPES

JIANGZHEHU = ["上海", "江苏", "浙江"]


def demo_rules(hz: int, gz: int) -> dict[str, list[dict[str, Any]]]:
    """The four rule sets for the Hangzhou (``hz``) and Guangzhou (``gz``) warehouse ids."""
    return {
        "review": [
            {
                "id": 1,
                "position": 10,
                "name": "买家要求改地址或开发票",
                "conditions": [{"type": "buyer_message_contains", "keywords": list(HOLD_KEYWORDS)}],
                "action": {
                    "type": "hold",
                    "reason_en": "the buyer asks for a change: read the message",
                    "reason_zh": "买家留言要求改地址或开发票，请人工处理",
                },
            }
        ],
        "routing": [
            {
                "id": 1,
                "position": 10,
                "name": "华南西南发广州仓",
                "conditions": [{"type": "region_in", "regions": ["华南", "西南"]}],
                "action": {"type": "route_to", "warehouse_ids": [gz, hz]},
            },
            {"id": 2, "position": 20, "name": "其余发杭州主仓", "action": {"type": "route_to", "warehouse_ids": [hz]}},
            {"id": 3, "position": 30, "name": "就近有货", "action": {"type": "nearest_with_stock"}},
        ],
        "carrier": [
            {
                "id": 1,
                "position": 10,
                "name": "VIP 发顺丰",
                "conditions": [{"type": "vip"}],
                "action": {"type": "use_carrier", "carrier_code": "SF"},
            },
            {
                "id": 2,
                "position": 20,
                "name": "买家要求顺丰",
                "conditions": [{"type": "buyer_message_contains", "keywords": ["顺丰"]}],
                "action": {"type": "use_carrier", "carrier_code": "SF"},
            },
        ],
        "rates": [
            {
                "carrier_code": "ZTO",
                "name": "中通（江浙沪）",
                "provinces": JIANGZHEHU,
                "first_weight_g": 1000,
                "first_fee_minor": 300,
                "extra_per_kg_minor": 100,
            },
            {
                "carrier_code": "ZTO",
                "name": "中通",
                "first_weight_g": 1000,
                "first_fee_minor": 550,
                "extra_per_kg_minor": 300,
            },
            {
                "carrier_code": "YTO",
                "name": "圆通",
                "first_weight_g": 1000,
                "first_fee_minor": 500,
                "extra_per_kg_minor": 250,
            },
            {
                "carrier_code": "SF",
                "name": "顺丰",
                "first_weight_g": 1000,
                "first_fee_minor": 1200,
                "extra_per_kg_minor": 800,
            },
        ],
    }


async def save_rules(session: AsyncSession, kind: str, items: list[dict[str, Any]]) -> None:
    """What ``PUT /api/order-rules/{kind}`` does: decode (refusing a misspelt rule), store as a whole."""
    rules = msgspec.convert(items, RULE_TYPES[kind])
    row = await session.get(OrderRuleSet, kind)
    if row is None:
        row = OrderRuleSet(kind=kind)
        session.add(row)
    row.document = {"items": msgspec.to_builtins(rules)}
    await session.flush()
