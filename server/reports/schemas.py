"""API shapes of the reports. Counts are plain integers; times are UTC (the PWA shows them local)."""

from __future__ import annotations

from datetime import date, datetime

from server.lib.schema import Schema
from server.orders.urgency import Flag


class StatusCount(Schema):
    status: str
    count: int


class ShippedVsDue(Schema):
    due: int
    """Orders whose shipping deadline falls today: the ship-by date when the order has one (presale,
    promised dates), otherwise the platform's late-shipment deadline (paid + 48 h, 24 h in a promotion)."""
    due_shipped: int
    """Of ``due``, already shipped (or delivered)."""
    due_open: int
    """Of ``due``, still to ship."""
    shipped: int
    """Orders handed to a carrier today, whatever their deadline."""


class UrgentOrder(Schema):
    order_id: int
    order_no: str
    channel_code: str
    channel_name: str
    status: str
    deadline: datetime | None
    """The ship-by date when the order has one, otherwise the platform's late-shipment deadline."""
    late: bool
    flags: list[Flag]
    """Why it is urgent, as ``GET /api/orders/urgent`` says it (en + zh)."""


class UrgentOrders(Schema):
    late: int
    """Unshipped orders past their deadline: the ship-by day is over, or (no ship-by) paid + 48 h has passed."""
    urgent: int
    """Unshipped orders with any urgency flag (late included)."""
    items: list[UrgentOrder]
    """The most pressing few, nearest deadline first."""


class HourPicks(Schema):
    hour: int
    """The local hour (0–23) this bucket starts at."""
    starts_at: datetime
    picks: int
    """Pick scans booked to the ledger (one move each)."""
    units: int


class StockOut(Schema):
    sku_id: int
    sku_code: str
    name_zh: str
    name_en: str
    available: int
    """Units that could still be promised to an order (≤ 0 here)."""
    waiting_orders: int
    waiting_units: int


class StockOuts(Schema):
    skus: int
    """SKUs that paid orders are waiting for and that have nothing left to promise."""
    sold_out_skus: int
    """Active SKUs that have had stock in these warehouses and have nothing left to promise."""
    items: list[StockOut]
    """The stock-outs keeping the most units waiting first."""


class TodayReport(Schema):
    warehouse_id: int | None
    timezone: str
    date: date
    day_starts_at: datetime
    day_ends_at: datetime
    generated_at: datetime
    orders_paid_today: int
    orders_by_status: list[StatusCount]
    """Orders paid today, by where they are now."""
    open_by_status: list[StatusCount]
    """Every order still to ship (paid … packed), whenever it came in: the backlog."""
    shipped_vs_due: ShippedVsDue
    urgent: UrgentOrders
    picks_per_hour: list[HourPicks]
    stock_outs: StockOuts
