"""Pack verification records: what was scanned into a parcel against what was picked for it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin
from server.db.types import BigIntPK, JsonDoc, str_enum, utcnow


class VerificationStatus(StrEnum):
    matched = "matched"
    mismatch = "mismatch"


class ParcelVerification(IdMixin, Base):
    __tablename__ = "parcel_verifications"

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
