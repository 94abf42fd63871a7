"""Bin counts (盘点) as event-time observations (SPEC.md §7.4 policy).

A count is "at time t, bin B held n of SKU S (lot L)". The adjustment it posts is n minus the
ledger's quantity *as of t* (SAP's freeze-book rule: moves after t stay), and it is kept here so
that a move arriving later with an event time before t can be corrected, and a second count of the
same bin can be compared with it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin
from server.db.types import BigIntPK, str_enum, utcnow


class CountOutcome(StrEnum):
    adjusted = "adjusted"
    matched = "matched"
    recount = "recount"
    """Not trusted for an adjustment: ambiguous timing or disagreeing counts; a recount task was opened."""
    superseded = "superseded"
    """Arrived after a later count of the same bin had been applied: that one set the bin, so this
    one changes nothing (its adjustment would have been undone by the later count)."""


class BinCount(IdMixin, Base):
    __tablename__ = "bin_counts"
    __table_args__ = (Index("ix_bin_counts_level_counted", "location_id", "sku_id", "lot_key", "counted_at"),)

    location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    lot_key: Mapped[int] = mapped_column(BigIntPK, default=0)
    counted_qty: Mapped[int] = mapped_column()
    ledger_qty: Mapped[int] = mapped_column()
    """The ledger's quantity as of ``counted_at`` when the count was applied."""
    adjustment_move_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("stock_moves.id"), default=None)
    outcome: Mapped[CountOutcome] = mapped_column(str_enum(CountOutcome))
    counted_at: Mapped[datetime] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    op_id: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
