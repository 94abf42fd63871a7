"""Channels (the merchant's shops) and the one order pool every channel imports into.

An order is keyed by (channel, platform order number): the same order arriving again — a re-import
of the same file, a webhook retried — is the same row. Money is integer fen with a currency;
receiver data is kept exactly as the platform gave it (masked, with ciphertexts for its decrypt
API), never logged. Every change of status is an ``OrderEvent`` (who, when, why).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, JsonDoc, str_enum, utcnow
from server.orders.normalized import PlatformStatus, RefundState


class Channel(IdMixin, TimestampMixin, Base):
    """A shop on one platform (天猫旗舰店, 拼多多店…): where orders come from and confirmations go."""

    __tablename__ = "channels"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    platform: Mapped[str] = mapped_column(String(24))
    """The adapter that reads it: ``taobao``, ``jd``, ``pdd``, ``douyin``, ``shopify``, ``woocommerce``, ``csv``."""
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    webhook_secret: Mapped[str] = mapped_column(String(256), default="")
    """Checks the platform's signature on webhooks (Shopify, WooCommerce); never returned by the API."""
    active: Mapped[bool] = mapped_column(default=True)
    safety_stock: Mapped[int] = mapped_column(default=0, server_default="0")
    """Units per SKU kept back from what this shop shows buyers, against overselling between syncs."""
    stock_share_pct: Mapped[int] = mapped_column(default=100, server_default="100")
    """The share of the rest this shop may sell (two shops selling one stock at 60 % and 40 %)."""
    stock_warehouses: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict, server_default=text("'{}'"))
    """``{"ids": [...]}``: the warehouses whose stock this shop sells; empty means all."""


class OrderStatus(StrEnum):
    """Where an order is in its life here (not the platform's status, which is kept beside it)."""

    pending_payment = "pending_payment"
    paid = "paid"
    review = "review"
    """Held for a person (审单): ``hold_reason`` says why."""
    routed = "routed"
    """A warehouse chosen and stock reserved."""
    in_wave = "in_wave"
    picked = "picked"
    packed = "packed"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    merged = "merged"
    """合单: its lines ship in another order's parcel (``merged_into_id``); it ships when that one does."""


def vip_tagged(tags: dict[str, Any]) -> bool:
    """Whether an order's tags mark a VIP buyer (any case): routing, waves and urgency agree."""
    return any(str(t).casefold() == "vip" for t in tags.get("tags", []))


class Order(IdMixin, TimestampMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel_id", "platform_order_no"),
        Index("ix_orders_status_paid_at", "status", "paid_at"),
        Index("ix_orders_ship_by", "ship_by"),  # reports: orders due today
        # reports: what the fulfilment report needs of each shipped order, index-only on PostgreSQL
        # (a month of parcels joined to the narrow index, not to the wide order rows). SQLite reads
        # an order by its rowid and has no INCLUDE, so the index would only double the key there.
        Index("ix_orders_report_facts", "id", postgresql_include=["channel_id", "paid_at", "ship_by"]).ddl_if(
            dialect="postgresql"
        ),
    )

    channel_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("channels.id"))
    platform_order_no: Mapped[str] = mapped_column(String(64))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus))
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    platform_status: Mapped[PlatformStatus] = mapped_column(str_enum(PlatformStatus))
    ordered_at: Mapped[datetime] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    platform_updated_at: Mapped[datetime | None] = mapped_column(default=None)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    goods_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    buyer_id: Mapped[str] = mapped_column(String(128), default="")
    buyer_message: Mapped[str] = mapped_column(Text, default="")
    seller_memo: Mapped[str] = mapped_column(Text, default="")
    seller_flag: Mapped[int | None] = mapped_column(default=None)
    ship_by: Mapped[datetime | None] = mapped_column(default=None)
    presale: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=0)
    tags: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    """``{"tags": [...]}``: a document so both backends store it the same way."""
    receiver_province: Mapped[str] = mapped_column(String(64), default="")
    receiver_city: Mapped[str] = mapped_column(String(64), default="")
    receiver_district: Mapped[str] = mapped_column(String(64), default="")
    receiver: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    """The whole receiver as given (masked name/phone/address, ciphertexts, platform keys)."""
    warehouse_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("warehouses.id"), default=None)
    carrier_code: Mapped[str] = mapped_column(String(24), default="", server_default=text("''"))
    shipping_cost_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """What the chosen carrier's rate says the parcel costs (for the carrier rules' cheapest choice)."""
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    """Of the normalized order last imported: the same content again changes nothing."""
    raw_amounts: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    merged_into_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("orders.id"), default=None, index=True)
    """合单: the order whose parcel carries this one's lines (status ``merged``); ``None`` otherwise."""
    own_values: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict, server_default=text("'{}'"))
    """Set only while other orders are merged into this one (it is their host): its own ``ship_by``,
    ``priority`` and ``tags``, because its columns then show the merged values (earliest ship-by,
    highest priority, every tag) that routing, waves and urgency read."""
    split_from_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("orders.id"), default=None, index=True)
    """拆单: the platform order this part was split from; ``None`` for the platform's own orders."""
    split_parts: Mapped[int] = mapped_column(default=0, server_default="0")
    """Parts split off this platform order so far: numbers the next one and marks a split family."""


def _shipping_order(context: Any) -> int:
    return int(context.get_current_parameters()["order_id"])


class OrderLine(IdMixin, Base):
    """A line of a platform order, in the order that ships it: its own, the host it was merged into,
    or a part split off it (a quantity split leaves rows with the same ``platform_line_id`` in
    several parts, their units, discounts and paid fen adding up to the platform's line)."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "origin_order_id", "platform_line_id"),
        # reports: the few refunded lines, without reading every line (partial on both backends)
        Index(
            "ix_order_lines_refunded",
            "origin_order_id",
            "paid_minor",
            postgresql_where=text("refund = 'refunded'"),
            sqlite_where=text("refund = 'refunded'"),
        ),
    )

    order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    """The order that ships it."""
    origin_order_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("orders.id", ondelete="CASCADE"), index=True, default=_shipping_order
    )
    """The platform order it belongs to, wherever it ships from: what imports update and what a
    shipment confirms. Defaults to ``order_id`` (every line starts in its own order)."""
    line_no: Mapped[int] = mapped_column()
    platform_line_id: Mapped[str] = mapped_column(String(64))
    sku_code: Mapped[str] = mapped_column(String(64))
    sku_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("skus.id"), default=None)
    """Our SKU, found by ``sku_code``; ``None`` holds the order for review (unknown merchant code)."""
    title: Mapped[str] = mapped_column(Text, default="")
    spec: Mapped[str] = mapped_column(Text, default="")
    platform_sku_id: Mapped[str] = mapped_column(String(64), default="")
    qty: Mapped[int] = mapped_column()
    unit_price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund: Mapped[RefundState] = mapped_column(str_enum(RefundState), default=RefundState.none)


class OrderEvent(IdMixin, Base):
    """One thing that happened to an order: imported, updated by its platform, held, routed, cancelled…"""

    __tablename__ = "order_events"

    order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(24), default="")
    to_status: Mapped[str] = mapped_column(String(24), default="")
    actor_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    """``None`` for the system (an import, a rule)."""
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)


class ImportStatus(StrEnum):
    running = "running"
    done = "done"
    failed = "failed"


class OrderImport(IdMixin, Base):
    """One file or payload imported: its progress while it runs and its report afterwards."""

    __tablename__ = "order_imports"

    channel_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("channels.id"))
    source: Mapped[str] = mapped_column(String(24))
    """``file``, ``webhook`` or ``api``."""
    filename: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus), default=ImportStatus.running)
    rows: Mapped[int] = mapped_column(default=0)
    orders_total: Mapped[int] = mapped_column(default=0)
    orders_done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    stale: Mapped[int] = mapped_column(default=0)
    errors: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    """``{"errors": [RowError, …]}``: every row that did not go in, with its row number and reason."""
    user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class OrderReservation(IdMixin, Base):
    """Units of one order line reserved at one level (锁库存): what a cancellation gives back and
    what the wave will pick."""

    __tablename__ = "order_reservations"

    order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("order_lines.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    qty: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderRuleSet(Base):
    """The ordered rules of one kind (``review``, ``routing``, ``carrier``) or the carriers' rates
    (``rates``), as one JSON document a manager edits and saves whole."""

    __tablename__ = "order_rule_sets"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    """``{"items": [...]}``: rules (or rates) as ``server.orders.rules`` decodes them."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
