"""Pack verification records: what was scanned into a parcel against what was picked for it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin
from server.db.types import BigIntPK, JsonDoc, str_enum, utcnow


class VerificationStatus(StrEnum):
    matched = "matched"
    mismatch = "mismatch"


class ParcelVerification(IdMixin, Base):
    __tablename__ = "parcel_verifications"
    __table_args__ = (Index("ix_parcel_verifications_status_verified", "status", "verified_at"),)  # reports

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    reference: Mapped[str] = mapped_column(String(128), index=True)
    """The order, tote or pick task the parcel was packed from."""
    task_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("tasks.id"), default=None)
    status: Mapped[VerificationStatus] = mapped_column(str_enum(VerificationStatus))
    expected: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    scanned: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    op_id: Mapped[str] = mapped_column(String(64), default="")
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)


class WaveKind(StrEnum):
    single = "single"
    """一单一件: one unit per order — picked in bulk, packed by scanning the item alone (the fast lane)."""
    multi = "multi"


class WaveStatus(StrEnum):
    picking = "picking"
    picked = "picked"
    """Every line picked or reported short; its orders moved on (picked, or held for a short)."""
    cancelled = "cancelled"


class Wave(IdMixin, Base):
    """A batch of routed orders (波次) picked together: one warehouse, one carrier, one cut-off."""

    __tablename__ = "waves"

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[WaveKind] = mapped_column(str_enum(WaveKind))
    status: Mapped[WaveStatus] = mapped_column(str_enum(WaveStatus), default=WaveStatus.picking)
    carrier_code: Mapped[str] = mapped_column(String(24), default="")
    cut_off: Mapped[datetime | None] = mapped_column(default=None)
    order_count: Mapped[int] = mapped_column(default=0)
    unit_count: Mapped[int] = mapped_column(default=0)
    created_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WaveOrder(IdMixin, Base):
    __tablename__ = "wave_orders"

    wave_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("orders.id"), unique=True)
    """An order is in at most one wave; a short-picked order leaves its wave to be routed again."""
    position: Mapped[int] = mapped_column()
    """The order's place in the wave (most urgent first): who gets the goods when a pick runs short."""


class WaveTask(IdMixin, Base):
    __tablename__ = "wave_tasks"

    wave_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("tasks.id"), unique=True)
