"""``push_rules``: who hears about what, as rows a manager edits (ADR-0020).

One row per rule kind for the whole installation (``warehouse_id`` NULL) and optionally one per
warehouse that overrides it. No row at all means the built-in defaults of
``server.notify.rule_kinds``. ``warehouse_key`` is ``warehouse_id`` or 0, so "one default row per
kind" is a plain unique constraint (NULLs would never collide) — the ``lot_key`` trick of the ledger.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, JsonDoc, str_enum
from server.notify.models import Urgency

ALL_WAREHOUSES = 0
"""``warehouse_key`` of an installation-wide row."""


class PushRule(IdMixin, TimestampMixin, Base):
    __tablename__ = "push_rules"
    __table_args__ = (
        UniqueConstraint("kind", "warehouse_key"),
        CheckConstraint("warehouse_key = COALESCE(warehouse_id, 0)", name="warehouse_key_matches"),
    )

    kind: Mapped[str] = mapped_column(String(48))
    warehouse_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("warehouses.id", ondelete="CASCADE"), default=None, index=True
    )
    warehouse_key: Mapped[int] = mapped_column(BigIntPK, default=ALL_WAREHOUSES)
    enabled: Mapped[bool] = mapped_column(default=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Role names whose holders (in the warehouse's scope) receive it."""
    params: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    """The kind's parameter Struct as JSON (``rule_kinds.SPECS[kind].params``)."""
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, length=16), default=Urgency.normal)
    critical: Mapped[bool] = mapped_column(default=False)
    """Goes through the receivers' quiet hours."""
    updated_by_user_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
