"""Purchase orders and their lines: what a receiver's scans are checked against."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, str_enum


class PurchaseOrderStatus(StrEnum):
    open = "open"
    received = "received"
    closed = "closed"
    cancelled = "cancelled"


class PurchaseOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "purchase_orders"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    supplier_name: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[PurchaseOrderStatus] = mapped_column(str_enum(PurchaseOrderStatus), default=PurchaseOrderStatus.open)
    over_receipt_tolerance_pct: Mapped[int] = mapped_column(default=0)
    """Receiving up to ordered × (1 + pct/100) is normal; beyond it goes to quarantine for approval."""


class PurchaseOrderLine(IdMixin, Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("purchase_order_id", "sku_id"),)

    purchase_order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    qty_ordered: Mapped[int] = mapped_column()
    qty_received: Mapped[int] = mapped_column(default=0)
    unit_cost_fen: Mapped[int] = mapped_column(default=0)
