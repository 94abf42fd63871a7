"""Facts for the rule-engine tests: an order to 浙江 with one line unless a test says otherwise."""

from __future__ import annotations

from typing import Any

from server.orders.rules.facts import LineFacts, OrderFacts, WarehouseFacts


def line(sku_id: int | None, qty: int = 1, *, code: str | None = None, weight_g: int = 0) -> LineFacts:
    return LineFacts(sku_id=sku_id, sku_code=code if code is not None else f"SKU-{sku_id}", qty=qty, weight_g=weight_g)


def order(**overrides: Any) -> OrderFacts:
    values: dict[str, Any] = {
        "order_id": 1,
        "channel_id": 7,
        "platform": "taobao",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "address": "文三路 100 号",
        "buyer_id": "tb_buyer_1",
        "paid_minor": 19900,
        "lines": [line(1)],
    }
    values.update(overrides)
    return OrderFacts(**values)


def warehouse(
    warehouse_id: int, code: str, province: str, available: dict[int, int], *, active: bool = True
) -> WarehouseFacts:
    return WarehouseFacts(
        warehouse_id=warehouse_id, code=code, name=code, province=province, active=active, available=available
    )
