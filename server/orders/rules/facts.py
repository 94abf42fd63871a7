"""What the rule engine sees of an order and a warehouse: plain values the caller reads from the database.

The engine never queries anything, so a rule set can be tried on real orders and on made-up ones
(the what-if before 双11) with the same code, and every decision is reproducible from its inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec


class LineFacts(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    sku_id: int | None
    """``None`` when the merchant code matched no SKU: such an order cannot be routed."""
    sku_code: str
    qty: int
    weight_g: int = 0
    """Of one unit; 0 when the catalogue does not know it (the parcel then weighs what the known units weigh)."""


class OrderFacts(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    order_id: int
    channel_id: int
    platform: str
    province: str = ""
    """As the platform wrote it ("浙江省", "浙江", "Zhejiang"): conditions normalise it themselves."""
    city: str = ""
    district: str = ""
    address: str = ""
    """The street part (often masked), without province/city/district."""
    buyer_id: str = ""
    buyer_message: str = ""
    seller_memo: str = ""
    seller_flag: int | None = None
    paid_minor: int = 0
    currency: str = "CNY"
    tags: list[str] = msgspec.field(default_factory=list)
    presale: bool = False
    ship_by: datetime | None = None
    paid_at: datetime | None = None
    """Only for ``priority_key``: conditions do not look at it."""
    vip: bool = False
    lines: list[LineFacts] = msgspec.field(default_factory=list)

    @property
    def weight_g(self) -> int:
        return sum(line.qty * line.weight_g for line in self.lines)

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)


class WarehouseFacts(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    warehouse_id: int
    code: str
    name: str = ""
    province: str = ""
    """Where it ships from; a warehouse with no Chinese province is never "nearest" to anything."""
    active: bool = True
    available: dict[int, int] = msgspec.field(default_factory=dict)
    """SKU id → units available to promise here (on hand − reserved − frozen − pending inspection)."""


_LATEST = datetime.max


def _naive_utc(moment: datetime | None) -> datetime:
    """Aware times (what adapters store) and naive ones (a hand-built what-if) compare on one scale."""
    if moment is None:
        return _LATEST
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def priority_key(facts: OrderFacts) -> tuple[bool, bool, datetime, datetime, int]:
    """Sort key for a batch given to ``route_many``: VIP first, then presale orders by ship-by date,
    then by payment time (oldest first: platforms penalise late shipment counted from payment), then id.
    A missing time sorts last."""
    promised = facts.presale and facts.ship_by is not None
    ship_by = _naive_utc(facts.ship_by) if promised else _LATEST
    return (not facts.vip, not promised, ship_by, _naive_utc(facts.paid_at), facts.order_id)
