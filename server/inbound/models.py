"""Purchasing and receiving tables: suppliers, purchase orders, receipts, QC inspections, pick faces.

A purchase order is what a receiver's scans are checked against; a receipt records one desk
receiving (the phone's ``inbound.item_received`` op writes only the PO line's ``qty_received``);
a QC inspection records who released or rejected goods held in quarantine. Stock itself lives
in the ledger: these rows name the moves, they never hold quantities of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, str_enum, utcnow


class PurchaseOrderStatus(StrEnum):
    """open → partially_received → received; closed (short-closed, no more expected) from any of
    those; cancelled only while nothing has been received."""

    open = "open"
    partially_received = "partially_received"
    received = "received"
    closed = "closed"
    cancelled = "cancelled"


RECEIVING_STATUSES = frozenset({PurchaseOrderStatus.open, PurchaseOrderStatus.partially_received})
"""What the phone op treats as expecting goods (anything else opens a ``po_not_open`` exception)."""
DESK_RECEIVABLE_STATUSES = RECEIVING_STATUSES | {PurchaseOrderStatus.received}
"""The desk may still book goods on a fully received order: its tolerance decides what is excess."""


class Supplier(IdMixin, TimestampMixin, Base):
    """Who goods are bought from. ``code`` is fixed once made: exports and PO codes refer to it."""

    __tablename__ = "suppliers"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(default=True)


class PurchaseOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "purchase_orders"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    supplier_name: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[PurchaseOrderStatus] = mapped_column(str_enum(PurchaseOrderStatus), default=PurchaseOrderStatus.open)
    over_receipt_tolerance_pct: Mapped[int] = mapped_column(default=0)
    """Receiving up to ordered × (1 + pct/100) is normal; beyond it goes to quarantine for approval."""
    supplier_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("suppliers.id"), default=None, index=True)
    """``None`` for orders made before suppliers were records (``supplier_name`` is then all we know)."""
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default=text("'CNY'"))
    """Of every line's ``unit_cost_fen`` (minor units of this currency)."""
    expected_on: Mapped[date | None] = mapped_column(default=None)
    """The supplier's promised arrival (到货日期), for the dock's plan."""
    created_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)


class PurchaseOrderLine(IdMixin, Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("purchase_order_id", "sku_id"),)

    purchase_order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    qty_ordered: Mapped[int] = mapped_column()
    qty_received: Mapped[int] = mapped_column(default=0)
    unit_cost_fen: Mapped[int] = mapped_column(default=0)


class Receipt(IdMixin, Base):
    """One desk receiving against a purchase order; ``idempotency_key`` makes a retried request a replay."""

    __tablename__ = "inbound_receipts"

    purchase_order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("purchase_orders.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the request: the same key with another body is refused, not answered with this receipt."""
    note: Mapped[str] = mapped_column(String(500), default="")
    received_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceiptLine(IdMixin, Base):
    """What one line of a receipt booked: ``qty`` in all, of which ``qty_over`` went to ``over_location_id``."""

    __tablename__ = "inbound_receipt_lines"
    __table_args__ = (UniqueConstraint("receipt_id", "line_no"),)

    receipt_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("inbound_receipts.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column()
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    qty: Mapped[int] = mapped_column()
    qty_over: Mapped[int] = mapped_column(default=0)
    to_location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    over_location_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("locations.id"), default=None)
    qc_required: Mapped[bool] = mapped_column(default=False)
    exception_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("work_exceptions.id"), default=None)
    """The ``over_receipt`` exception a supervisor must approve, when part of the line was excess."""


class QcResult(StrEnum):
    passed = "passed"
    failed = "failed"


class QcInspection(IdMixin, Base):
    """Who inspected what in quarantine, the verdict, and the ledger move that carried it out."""

    __tablename__ = "qc_inspections"

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"), index=True)
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    qty: Mapped[int] = mapped_column()
    result: Mapped[QcResult] = mapped_column(str_enum(QcResult))
    from_location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    move_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("stock_moves.id"), default=None)
    reference: Mapped[str] = mapped_column(String(128), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    inspected_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BinAssignmentKind(StrEnum):
    pick_face = "pick_face"
    """The SKU's fixed pick bin (固定拣货位): put-away fills it first."""


class SkuBinAssignment(IdMixin, Base):
    """A bin set aside for one SKU in one warehouse (at most one of each kind)."""

    __tablename__ = "sku_bin_assignments"
    __table_args__ = (UniqueConstraint("sku_id", "warehouse_id", "kind"),)

    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"), index=True)
    kind: Mapped[BinAssignmentKind] = mapped_column(str_enum(BinAssignmentKind), default=BinAssignmentKind.pick_face)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
