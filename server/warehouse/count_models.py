"""Bin counts (盘点) as event-time observations (SPEC.md §7.4 policy), and the variances that wait
for a supervisor.

A count is "at time t, bin B held n of SKU S (lot L)". The adjustment it posts is n minus the
ledger's quantity *as of t* (SAP's freeze-book rule: moves after t stay), and it is kept here so
that a move arriving later with an event time before t can be corrected, and a second count of the
same bin can be compared with it.

A count whose variance exceeds its warehouse's threshold (``CountSettings``) posts nothing: it
waits as a ``CountVariance`` until a supervisor approves it (the adjustment is posted then, still
as of t) or rejects it (ADR-0013).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin
from server.db.types import BigIntPK, str_enum, utcnow


class CountOutcome(StrEnum):
    adjusted = "adjusted"
    matched = "matched"
    recount = "recount"
    """Not trusted for an adjustment: ambiguous timing or disagreeing counts; a recount task was opened."""
    superseded = "superseded"
    """A later count of the same bin had been applied (before this one arrived, or while this one
    waited for approval): that one set the bin, so this one changes nothing (its adjustment would
    have been undone by the later count)."""
    awaiting_approval = "awaiting_approval"
    """Its variance exceeds the warehouse's threshold: nothing posted until a supervisor approves
    (then ``adjusted`` or ``matched``), rejects (``rejected``) or a later applied count supersedes it."""
    rejected = "rejected"
    """A supervisor judged it wrong: it changed nothing and is not compared with later counts."""


TRUSTED_OUTCOMES = (CountOutcome.adjusted, CountOutcome.matched)
"""Counts that set their bin: the late-move rule and later counts measure against these alone."""


class BinCount(IdMixin, Base):
    __tablename__ = "bin_counts"
    __table_args__ = (
        Index("ix_bin_counts_level_counted", "location_id", "sku_id", "lot_key", "counted_at"),
        Index("ix_bin_counts_counted_at", "counted_at"),  # reports: counts over a range
    )

    location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    lot_key: Mapped[int] = mapped_column(BigIntPK, default=0)
    counted_qty: Mapped[int] = mapped_column()
    ledger_qty: Mapped[int] = mapped_column()
    """The ledger's quantity as of ``counted_at`` when the count was applied (for an approved count:
    when it was approved)."""
    adjustment_move_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("stock_moves.id"), default=None)
    outcome: Mapped[CountOutcome] = mapped_column(str_enum(CountOutcome))
    counted_at: Mapped[datetime] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    op_id: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class VarianceStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    superseded = "superseded"


class CountVariance(IdMixin, Base):
    """A count held for approval, and what a supervisor decided about it.

    ``expected_qty``, ``variance`` and ``value_minor`` are as the count found them; an approval
    measures again (the adjustment is counted − the ledger as of the count, which moves that
    arrived meanwhile with an earlier event time may have changed) and keeps what it posted in
    ``adjustment``.
    """

    __tablename__ = "count_variances"
    __table_args__ = (Index("ix_count_variances_warehouse_status", "warehouse_id", "status"),)

    bin_count_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("bin_counts.id"), unique=True)
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    status: Mapped[VarianceStatus] = mapped_column(str_enum(VarianceStatus), default=VarianceStatus.pending)
    expected_qty: Mapped[int] = mapped_column()
    """The ledger's quantity as of the count, when it arrived."""
    variance: Mapped[int] = mapped_column()
    """Counted − expected."""
    value_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """``variance`` × the SKU's standard cost in 分 (finance data); ``None`` when the SKU has no cost."""
    currency: Mapped[str] = mapped_column(String(3), default="")
    over_units: Mapped[bool] = mapped_column(default=False, server_default=false())
    over_value: Mapped[bool] = mapped_column(default=False, server_default=false())
    exception_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("work_exceptions.id"), default=None)
    """The supervisor's queue entry, resolved with the decision."""
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    adjustment: Mapped[int] = mapped_column(default=0)
    """What the approval posted (counted − the ledger as of the count, measured at approval)."""
    adjustment_move_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("stock_moves.id"), default=None)
    recount_task_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("tasks.id"), default=None)
    superseded_by_count_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("bin_counts.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CountSettings(Base):
    """A warehouse's approval threshold for count variances; no row means the defaults
    (``server.warehouse.count_settings``). 0 turns a limit off; both 0: counts never wait."""

    __tablename__ = "count_settings"

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"), primary_key=True)
    max_variance_units: Mapped[int] = mapped_column()
    """A count whose |variance| is above this many base units waits for approval (0: no unit limit)."""
    max_variance_value_minor: Mapped[int] = mapped_column(BigInteger)
    """… or whose |variance| × standard cost is above this many 分 (0: no value limit)."""
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    """The value limit's currency; SKUs costed in another currency are judged by units alone."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
