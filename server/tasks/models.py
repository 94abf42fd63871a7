"""Tasks (what someone should do, line by line) and work exceptions (what a person must look at).

Sync conflict policies open these rather than guessing: a pick from a bin that went negative opens
a count task, a pick for a cancelled order a put-back task, an over-pick an exception. Tasks are
synced to the devices of their warehouse; exceptions are the supervisor's queue.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, JsonDoc, str_enum, utcnow


class TaskKind(StrEnum):
    pick = "pick"
    bin_count = "count"
    recount = "recount"
    put_back = "put_back"
    put_away = "put_away"


class TaskStatus(StrEnum):
    open = "open"
    claimed = "claimed"
    done = "done"
    cancelled = "cancelled"


class LineStatus(StrEnum):
    open = "open"
    done = "done"
    short = "short"
    cancelled = "cancelled"


class Task(IdMixin, TimestampMixin, Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_warehouse_status", "warehouse_id", "status"),)

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), default=TaskStatus.open)
    reference: Mapped[str] = mapped_column(String(128), default="", index=True)
    """The document behind the task: an order number for picks, a count plan, an op id."""
    reason: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(default=0)
    to_location_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("locations.id"), default=None)
    """Where picked or put-back goods go (a staging bin, a tote location, the shelf)."""
    assignee_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    source_op_id: Mapped[str] = mapped_column(String(64), default="")
    """The sync op that opened this task, when a conflict policy did."""
    blind: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A blind count (盲盘): the phone does not show the counter what the books expect."""


class TaskLine(IdMixin, Base):
    __tablename__ = "task_lines"
    __table_args__ = (UniqueConstraint("task_id", "line_no"),)

    task_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("tasks.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    """The task's warehouse, repeated so a line can be synced to that warehouse's devices alone."""
    line_no: Mapped[int] = mapped_column()
    location_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("locations.id"))
    sku_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("skus.id"), default=None)
    """``None`` on a count line: count whatever is in the bin."""
    lot_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lots.id"), default=None)
    qty: Mapped[int] = mapped_column(default=0)
    done_qty: Mapped[int] = mapped_column(default=0)
    status: Mapped[LineStatus] = mapped_column(str_enum(LineStatus), default=LineStatus.open)
    completed_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class ExceptionStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class WorkException(IdMixin, Base):
    """Something a supervisor must decide: an over-pick, an over-receipt in quarantine, a clock far ahead."""

    __tablename__ = "work_exceptions"
    __table_args__ = (
        Index("ix_work_exceptions_warehouse_status", "warehouse_id", "status"),
        Index("ix_work_exceptions_kind_created", "kind", "created_at"),  # reports: pick errors over a range
    )

    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    kind: Mapped[str] = mapped_column(String(48))
    status: Mapped[ExceptionStatus] = mapped_column(str_enum(ExceptionStatus), default=ExceptionStatus.open)
    message: Mapped[str] = mapped_column(Text, default="")
    message_zh: Mapped[str] = mapped_column(Text, default="")
    refs: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    op_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    task_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("tasks.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    resolution: Mapped[str] = mapped_column(Text, default="")
