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
    order_id: int
    """The order that ships it (a host for a merged order's lines, a part for split lines)."""
    origin_order_id: int
    """The platform order it belongs to."""
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
    merged_into_id: int | None
    """合单: the order whose parcel carries this one (its status is ``merged``)."""
    split_from_id: int | None
    """拆单: the platform order this part was split off."""


class OrderRefOut(Schema):
    id: int
    platform_order_no: str
    status: OrderStatus


class OrderDetailOut(OrderOut, kw_only=True):
    lines: list[OrderLineOut]
    """What this order ships; for a merged order, its own lines (which ship with its host)."""
    events: list[OrderEventOut]
    members: list[OrderRefOut]
    """The orders merged into this one."""
    children: list[OrderRefOut]
    """The parts split off this platform order (for a part: the other parts)."""


class ProcessInput(Input):
    order_ids: list[int] | None = None
    """These paid orders; the oldest paid orders (up to 5,000) when absent."""
    merge: bool = False
    """合单 first: the batch's orders of one shop, buyer and receiver (presale orders only with the
    same ship-by day) become one parcel, hosted by the earliest paid. Off unless asked for."""


class ProcessOut(Schema):
    routed: int
    held: int
    orders: list[int]
    merged: int = 0
    """Orders merged into another of the batch."""
    split: int = 0
    """Parts split off by warehouse or stock (拆单)."""


class ReasonInput(Input):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class MergeInput(Input):
    order_ids: Annotated[list[int], msgspec.Meta(min_length=2, max_length=50)]
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class MergeGroupOut(Schema):
    """Orders that could ship as one parcel now; the host (earliest paid) first."""

    host_id: int
    orders: list[OrderOut]


class SplitLineInput(Input):
    line_id: int
    qty: Annotated[int, msgspec.Meta(ge=1)]
    """Units of the line this part takes: all of them moves the line, fewer divides it."""


class SplitPartInput(Input):
    lines: Annotated[list[SplitLineInput], msgspec.Meta(min_length=1, max_length=200)]
    ship_by: datetime | None = None
    """The part's own ship-by (a presale date the rest does not share); the order's when absent."""


class SplitInput(Input):
    parts: Annotated[list[SplitPartInput], msgspec.Meta(min_length=1, max_length=20)]
    """Each becomes an order of its own; what no part takes stays in the order."""
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class SplitOut(Schema):
    order: OrderOut
    parts: list[OrderOut]


class WhatIfInput(Input):
    """Orders to try (default: every paid or held order, up to 1,000) and, optionally, rules to try
    instead of the saved ones — the same JSON as ``PUT /api/order-rules/{kind}``."""

    order_ids: list[int] | None = None
    review: list[dict[str, Any]] | None = None
    routing: list[dict[str, Any]] | None = None
    carrier: list[dict[str, Any]] | None = None
    rates: list[dict[str, Any]] | None = None
