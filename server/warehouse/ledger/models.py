"""The ledger's two tables. Only ``server.warehouse.ledger`` writes them (house plan).

``stock_moves`` is append-only: rows are never updated or deleted. ``stock_levels`` is the
projection, updated in the same transaction as the move that changes it, so they cannot drift;
``cangku ledger verify`` proves it by recomputing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin
from server.db.types import BigIntPK, str_enum, utcnow

NO_LOT = 0
"""``lot_key`` of stock without a lot: unique constraints treat NULLs as distinct, 0 is not."""


class MoveReason(StrEnum):
    """Why stock moved; the report and audit vocabulary (values are stored forever)."""

    receipt = "receipt"
    putaway = "putaway"
    transfer = "transfer"
    replenishment = "replenishment"
    pick = "pick"
    pack = "pack"
    shipment = "shipment"
    return_receipt = "return_receipt"
    count_adjustment = "count_adjustment"
    scrap = "scrap"
    quarantine = "quarantine"
    release = "release"
    opening_balance = "opening_balance"
    correction = "correction"


class StockMove(IdMixin, Base):
    """One immutable fact: ``qty`` of a SKU (and lot) went from one location to another."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("from_location_id <> to_location_id", name="distinct_locations"),
        Index("ix_stock_moves_sku_occurred", "sku_id", "occurred_at"),
        # reports: picks and shipments over a range, index-only on PostgreSQL (bin, picker, SKU, qty)
        Index(
            "ix_stock_moves_reason_occurred",
            "reason",
            "occurred_at",
            postgresql_include=["from_location_id", "actor_user_id", "sku_id", "qty"],
        ),
    )

    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    from_location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"), index=True)
    qty: Mapped[int] = mapped_column()
    reason: Mapped[MoveReason] = mapped_column(str_enum(MoveReason))
    reference: Mapped[str] = mapped_column(String(128), default="", index=True)
    actor_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    device_id: Mapped[str | None] = mapped_column(String(64), default=None)
    occurred_at: Mapped[datetime] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)


class StockLevel(IdMixin, Base):
    """On hand and reserved per (location, SKU, lot): the projection of ``stock_moves``."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("location_id", "sku_id", "lot_key"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("lot_key = COALESCE(lot_id, 0)", name="lot_key_matches"),
        Index("ix_stock_levels_sku_location", "sku_id", "location_id"),
    )

    location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    lot_key: Mapped[int] = mapped_column(BigIntPK, default=NO_LOT)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
