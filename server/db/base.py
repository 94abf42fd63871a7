"""The declarative base: one naming convention and one type map for all models.

Deterministic constraint names let Alembic (and SQLite batch mode) find constraints again; the
type map lets models say ``Mapped[datetime]`` and get the right column on either backend.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from server.db.types import BigIntPK, JsonDoc, UTCDateTime, utcnow
from sync.sql_types import NAMING_CONVENTION


class Base(DeclarativeBase):
    """Root of every table; models live in their domain package (``server/<domain>/models.py``)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JsonDoc,
        str: String(),
    }


class IdMixin:
    """Surrogate integer keys: compact, ordered, and fast to lock in a fixed order."""

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True, sort_order=-10)


class TimestampMixin:
    """When a row was created and last changed, in UTC (never for the ledger: moves are never changed)."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = ("NAMING_CONVENTION", "Base", "IdMixin", "Text", "TimestampMixin")
