"""An order as every channel adapter hands it over: one shape whatever the platform said.

Adapters parse a platform's file row or payload into ``NormalizedOrder``; the import service keys
it on (channel, ``platform_order_no``) and writes or updates our ``Order``. Nothing here touches the
database, so each adapter is tested on its own with fixtures written from FORMATS.md.

Conventions every adapter keeps:
- money is integer fen (分) plus an ISO currency, parsed from the platform's unit with ``Decimal``
  (``values.money_minor``); the platform's raw string stays in ``raw_amounts`` for audit;
- times are aware UTC ``datetime``; a naive Chinese platform time is Asia/Shanghai;
- ids are strings (Taobao ``tid``, Shopify ``id`` and Douyin ``order_id`` exceed 2^53);
- receiver data arrives masked and/or encrypted on Chinese platforms: kept exactly as given, the
  ciphertexts and platform keys (OAID…) in ``receiver.encrypted``, never logged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec


class PlatformStatus(StrEnum):
    """The platform's order status mapped onto what the merchant must do about it."""

    pending_payment = "pending_payment"
    """Not paid yet (等待买家付款): no stock is reserved, nothing is shipped."""
    paid = "paid"
    """Paid and waiting to be shipped (买家已付款，等待卖家发货)."""
    shipped = "shipped"
    """Shipped outside Cangku or already confirmed (卖家已发货)."""
    completed = "completed"
    """Received by the buyer (交易成功)."""
    cancelled = "cancelled"
    """Closed before or after payment (交易关闭), refunded in full."""


class RefundState(StrEnum):
    none = "none"
    requested = "requested"
    """The buyer asked (退款中 / 售后处理中): hold the line, do not ship it."""
    refunded = "refunded"
    """Refunded (退款成功): the line is cancelled."""


class Receiver(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Where the parcel goes, as the platform gave it (often masked: 张**, 138****1234)."""

    name: str = ""
    phone: str = ""
    country: str = "CN"
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    address: str = ""
    """The street part, without province/city/district."""
    zip: str = ""
    encrypted: dict[str, str] = msgspec.field(default_factory=dict)
    """Ciphertexts and keys the platform's decrypt API needs at print time (``oaid``, ``encrypt_post_tel``…)."""


class NormalizedLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    platform_line_id: str
    """The sub-order id (Taobao ``oid``, Shopify line ``id``); the line's position when the platform has none."""
    sku_code: str
    """The merchant's own SKU code (商家编码 / ``outer_sku_id`` / Shopify ``sku``): how we find our SKU."""
    title: str = ""
    spec: str = ""
    """The variant as shown to the buyer ("颜色:黑色;尺码:M")."""
    platform_sku_id: str = ""
    qty: int
    unit_price_minor: int
    """List price of one unit."""
    discount_minor: int = 0
    """Discounts allocated to this line (all units)."""
    paid_minor: int
    """What the buyer paid for this line after discounts (Taobao ``divide_order_fee``)."""
    refund: RefundState = RefundState.none


class NormalizedOrder(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    platform: str
    """Which adapter read it: ``taobao``, ``jd``, ``pdd``, ``douyin``, ``shopify``, ``woocommerce``, ``csv``."""
    platform_order_no: str
    status: PlatformStatus
    created_at: datetime
    paid_at: datetime | None = None
    updated_at: datetime | None = None
    """The platform's own last-modified time: a later import of the same order with an older one is stale."""
    currency: str = "CNY"
    goods_minor: int
    """Sum of the lines' list prices × quantities."""
    shipping_minor: int = 0
    discount_minor: int = 0
    paid_minor: int
    """What the buyer paid in all (goods − discounts + shipping)."""
    buyer_id: str = ""
    """The buyer as the platform identifies them (nick, open id, e-mail): masked where the platform masks it."""
    buyer_message: str = ""
    seller_memo: str = ""
    seller_flag: int | None = None
    """Taobao's coloured flag 1–5 (red, yellow, green, blue, purple); other platforms' equivalents."""
    ship_by: datetime | None = None
    """Presale (预售) promise: ship no earlier than needed, no later than this."""
    presale: bool = False
    tags: list[str] = msgspec.field(default_factory=list)
    receiver: Receiver = msgspec.field(default_factory=Receiver)
    lines: list[NormalizedLine]
    raw_amounts: dict[str, str] = msgspec.field(default_factory=dict)
    """The platform's money fields exactly as written, for audit (``{"payment": "200.07"}``)."""


class RowError(msgspec.Struct, kw_only=True, frozen=True):
    """A row (or payload) that could not be read, with where and why; the good rows still go in."""

    row: int
    """1-based line of the file as a spreadsheet shows it (the header is row 1); 0 for a payload."""
    field: str
    message: str
    message_zh: str


class ParseResult(msgspec.Struct, kw_only=True):
    orders: list[NormalizedOrder]
    errors: list[RowError] = msgspec.field(default_factory=list)
    rows: int = 0
    """Data rows read (for progress and the import report)."""
