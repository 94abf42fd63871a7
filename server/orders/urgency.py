"""Urgent orders (issue 4 §9): which open orders must move now, and why — for the push
notifications and the supervisor's list.

Flags, each with its reason in English and Chinese:
- ``vip``: a VIP buyer (the order's tags);
- ``ship_by_today``: a presale (or promised) ship-by date that falls today in the warehouse's time zone;
- ``cut_off``: the carrier's next pickup is within ``cut_off_minutes``;
- ``late_risk``: the platform's late-shipment deadline (paid + 48 h, 24 h in a promotion) is less
  than ``late_margin`` away, or already past;
- ``stock_out``: a paid order held because no warehouse can ship it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from server.orders.models import Order, OrderStatus, vip_tagged

SHIP_WITHIN = timedelta(hours=48)
PROMOTION_SHIP_WITHIN = timedelta(hours=24)
UNSHIPPED = frozenset(
    {
        OrderStatus.paid,
        OrderStatus.review,
        OrderStatus.routed,
        OrderStatus.in_wave,
        OrderStatus.picked,
        OrderStatus.packed,
    }
)


class UrgencySettings(msgspec.Struct, kw_only=True, frozen=True):
    timezone: str = "Asia/Shanghai"
    promotion: bool = False
    """618, Double 11: platforms shorten the shipping promise to 24 h."""
    late_margin_minutes: int = 240
    cut_offs: list[str] = msgspec.field(default_factory=lambda: ["17:00"])
    """The carriers' daily pickup times (HH:MM, local)."""
    cut_off_minutes: int = 60


class Flag(msgspec.Struct, kw_only=True, frozen=True):
    kind: str
    reason: str
    reason_zh: str


def deadline(order: Order, settings: UrgencySettings) -> datetime | None:
    """When the platform counts the shipment late: paid + 48 h (24 h in a promotion)."""
    if order.paid_at is None:
        return None
    return order.paid_at + (PROMOTION_SHIP_WITHIN if settings.promotion else SHIP_WITHIN)


def next_cut_off(now: datetime, settings: UrgencySettings) -> datetime | None:
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    candidates = []
    for text in settings.cut_offs:
        hours, minutes = (int(part) for part in text.split(":"))
        for day in (local.date(), local.date() + timedelta(days=1)):
            moment = datetime.combine(day, time(hours, minutes), tzinfo=zone)
            if moment > local:
                candidates.append(moment)
    return min(candidates) if candidates else None


def flags(order: Order, now: datetime, settings: UrgencySettings) -> list[Flag]:
    """Why ``order`` is urgent at ``now`` (empty: it is not, or it no longer needs shipping)."""
    if order.status not in UNSHIPPED:
        return []
    found: list[Flag] = []
    if vip_tagged(order.tags):
        found.append(Flag(kind="vip", reason="VIP buyer", reason_zh="VIP 买家"))
    zone = ZoneInfo(settings.timezone)
    if order.ship_by is not None and order.ship_by.astimezone(zone).date() <= now.astimezone(zone).date():
        found.append(
            Flag(
                kind="ship_by_today",
                reason=f"must ship by {order.ship_by.astimezone(zone):%Y-%m-%d}",
                reason_zh=f"须于 {order.ship_by.astimezone(zone):%Y-%m-%d} 前发货",
            )
        )
    cut_off = next_cut_off(now, settings)
    if cut_off is not None and cut_off - now <= timedelta(minutes=settings.cut_off_minutes):
        minutes = int((cut_off - now).total_seconds() // 60)
        found.append(
            Flag(
                kind="cut_off",
                reason=f"carrier pickup at {cut_off:%H:%M}, in {minutes} min",
                reason_zh=f"快递 {cut_off:%H:%M} 揽收，还剩 {minutes} 分钟",
            )
        )
    due = deadline(order, settings)
    if due is not None and due - now <= timedelta(minutes=settings.late_margin_minutes):
        late = due <= now
        found.append(
            Flag(
                kind="late_risk",
                reason=f"late-shipment deadline {'passed' if late else 'at'} {due.astimezone(zone):%m-%d %H:%M}",
                reason_zh=f"发货时限{'已过' if late else '为'} {due.astimezone(zone):%m-%d %H:%M}",
            )
        )
    if order.status is OrderStatus.review and "no warehouse can ship" in order.hold_reason:
        found.append(Flag(kind="stock_out", reason="paid but out of stock", reason_zh="已付款但缺货"))
    return found


def urgent(orders: Sequence[Order], now: datetime, settings: UrgencySettings) -> list[tuple[Order, list[Flag]]]:
    """The flagged orders, the nearest deadline first."""
    flagged = [(order, found) for order in orders if (found := flags(order, now, settings))]
    far = now + timedelta(days=365)
    return sorted(flagged, key=lambda item: (deadline(item[0], settings) or far, item[0].id))
