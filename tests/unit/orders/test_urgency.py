"""Urgent-order flags (issue 4 §9) at exact moments, Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.orders.models import Order, OrderStatus
from server.orders.normalized import PlatformStatus
from server.orders.urgency import UrgencySettings, flags, urgent

pytestmark = pytest.mark.unit

# 2026-11-11 16:20 in Shanghai.
NOW = datetime(2026, 11, 11, 8, 20, tzinfo=UTC)


def order(n: int, *, paid_hours_ago: float, status: OrderStatus = OrderStatus.paid, **fields: object) -> Order:
    return Order(
        id=n,
        channel_id=1,
        platform_order_no=f"N{n}",
        status=status,
        platform_status=PlatformStatus.paid,
        ordered_at=NOW - timedelta(hours=paid_hours_ago),
        paid_at=NOW - timedelta(hours=paid_hours_ago),
        tags=fields.pop("tags", {"tags": []}),
        hold_reason=fields.pop("hold_reason", ""),
        **fields,
    )


def kinds(o: Order, settings: UrgencySettings | None = None) -> list[str]:
    return [f.kind for f in flags(o, NOW, settings or UrgencySettings(cut_off_minutes=30))]


def test_each_flag_at_its_moment() -> None:
    assert kinds(order(1, paid_hours_ago=1)) == []
    assert kinds(order(2, paid_hours_ago=1, tags={"tags": ["VIP"]})) == ["vip"]
    today = datetime(2026, 11, 11, 15, 59, tzinfo=UTC)  # 23:59 Beijing: still today there
    assert kinds(order(3, paid_hours_ago=1, ship_by=today)) == ["ship_by_today"]
    assert kinds(order(4, paid_hours_ago=45)) == ["late_risk"]  # 3 h left of 48
    assert kinds(order(5, paid_hours_ago=6), UrgencySettings(promotion=True, cut_off_minutes=30)) == []  # 18 h left
    assert kinds(order(6, paid_hours_ago=22), UrgencySettings(promotion=True, cut_off_minutes=30)) == ["late_risk"]
    assert kinds(order(7, paid_hours_ago=1, status=OrderStatus.shipped, tags={"tags": ["vip"]})) == []
    held = order(
        8, paid_hours_ago=1, status=OrderStatus.review, hold_reason="held: no warehouse can ship this order: x"
    )
    assert kinds(held) == ["stock_out"]


def test_the_carrier_cut_off_and_the_reasons() -> None:
    (flag,) = flags(order(9, paid_hours_ago=1), NOW, UrgencySettings(cut_offs=["17:00"], cut_off_minutes=60))
    assert (flag.kind, flag.reason, flag.reason_zh) == (
        "cut_off",
        "carrier pickup at 17:00, in 40 min",
        "快递 17:00 揽收，还剩 40 分钟",
    )
    late = flags(order(10, paid_hours_ago=50), NOW, UrgencySettings(cut_off_minutes=0))
    assert [(f.kind, f.reason) for f in late] == [("late_risk", "late-shipment deadline passed 11-11 14:20")]


def test_the_list_puts_the_nearest_deadline_first() -> None:
    orders = [order(11, paid_hours_ago=44), order(12, paid_hours_ago=47), order(13, paid_hours_ago=1)]
    assert [o.id for o, _ in urgent(orders, NOW, UrgencySettings(cut_off_minutes=0))] == [12, 11]
