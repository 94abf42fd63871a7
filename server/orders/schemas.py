"""API bodies of the orders domain (wire casing snake_case, ADR-0002)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from server.lib.schema import Input, Schema
from server.orders.models import ImportStatus, OrderStatus
from server.orders.normalized import PlatformStatus, RefundState, RowError

Platform = Literal["taobao", "jd", "pdd", "douyin", "shopify", "woocommerce", "csv"]


class ChannelCreate(Input):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    platform: Platform
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")] = "CNY"
    webhook_secret: Annotated[str, msgspec.Meta(max_length=256)] = ""


class ChannelUpdate(Input):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None = None
    active: bool | None = None
    webhook_secret: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    safety_stock: Annotated[int, msgspec.Meta(ge=0)] | None = None
    stock_share_pct: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    stock_warehouse_ids: list[int] | None = None
    """The warehouses whose stock this shop sells; ``[]`` for all."""


class ChannelStockOut(Schema):
    sku_id: int
    sku_code: str
    available: int
    publish: int


class ChannelOut(Schema):
    """The webhook secret is never sent back."""

    id: int
    code: str
    name: str
    platform: str
    currency: str
    active: bool
    has_webhook_secret: bool
    safety_stock: int
    stock_share_pct: int
    stock_warehouse_ids: list[int]
    created_at: datetime


class ImportOut(Schema):
    id: int
    channel_id: int
    source: str
    filename: str
    status: ImportStatus
    rows: int
    orders_total: int
    orders_done: int
    created: int
    updated: int
    unchanged: int
    stale: int
    errors: list[RowError]
    started_at: datetime
    finished_at: datetime | None


class OrderLineOut(Schema):
    id: int
    line_no: int
    platform_line_id: str
    sku_code: str
    sku_id: int | None
    title: str
    spec: str
    qty: int
    unit_price_minor: int
    discount_minor: int
    paid_minor: int
    refund: RefundState


class OrderEventOut(Schema):
    at: datetime
    kind: str
    from_status: str
    to_status: str
    actor_user_id: int | None
    reason: str
    detail: dict[str, Any]


class OrderOut(Schema):
    id: int
    channel_id: int
    platform_order_no: str
    status: OrderStatus
    hold_reason: str
    platform_status: PlatformStatus
    ordered_at: datetime
    paid_at: datetime | None
    currency: str
    goods_minor: int
    shipping_minor: int
    discount_minor: int
    paid_minor: int
    buyer_id: str
    buyer_message: str
    seller_memo: str
    seller_flag: int | None
    ship_by: datetime | None
    presale: bool
    priority: int
    tags: list[str]
    receiver: dict[str, Any]
    """As the platform gave it: masked, ciphertexts kept for the decrypt API."""
    warehouse_id: int | None
    carrier_code: str
    shipping_cost_minor: int | None


class OrderDetailOut(OrderOut, kw_only=True):
    lines: list[OrderLineOut]
    events: list[OrderEventOut]


class ProcessInput(Input):
    order_ids: list[int] | None = None
    """These paid orders; the oldest paid orders (up to 5,000) when absent."""


class ProcessOut(Schema):
    routed: int
    held: int
    orders: list[int]


class WhatIfInput(Input):
    """Orders to try (default: every paid or held order, up to 1,000) and, optionally, rules to try
    instead of the saved ones — the same JSON as ``PUT /api/order-rules/{kind}``."""

    order_ids: list[int] | None = None
    review: list[dict[str, Any]] | None = None
    routing: list[dict[str, Any]] | None = None
    carrier: list[dict[str, Any]] | None = None
    rates: list[dict[str, Any]] | None = None
