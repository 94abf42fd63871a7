"""Catalog tables. Quantities are integers in the SKU's base unit; money is integer 分."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, str_enum, utcnow


class BarcodeKind(StrEnum):
    """GTINs (EAN-13/8, UPC-A/E, ITF-14) are stored as 14 digits; anything else as scanned."""

    gtin = "gtin"
    internal = "internal"


class Product(IdMixin, TimestampMixin, Base):
    """What the merchant sells (a style); its sellable variants are SKUs."""

    __tablename__ = "products"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)

    skus: Mapped[list[Sku]] = relationship(back_populates="product", lazy="raise")


class Sku(IdMixin, TimestampMixin, Base):
    """A stock-keeping unit: the thing a bin holds and the ledger counts, in its base unit."""

    __tablename__ = "skus"
    __table_args__ = (
        CheckConstraint("weight_g >= 0", name="weight_not_negative"),
        CheckConstraint("standard_cost_minor >= 0", name="cost_not_negative"),
    )

    product_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("products.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unit: Mapped[str] = mapped_column(String(16), default="pcs")
    weight_g: Mapped[int] = mapped_column(default=0)
    length_mm: Mapped[int] = mapped_column(default=0)
    width_mm: Mapped[int] = mapped_column(default=0)
    height_mm: Mapped[int] = mapped_column(default=0)
    standard_cost_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    lot_controlled: Mapped[bool] = mapped_column(default=False)
    expiry_controlled: Mapped[bool] = mapped_column(default=False)
    shelf_life_days: Mapped[int | None] = mapped_column(default=None)
    is_kit: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="skus", lazy="raise")
    barcodes: Mapped[list[Barcode]] = relationship(back_populates="sku", lazy="raise")


class Barcode(IdMixin, Base):
    """A code printed on goods; a case code stands for ``pack_qty`` base units."""

    __tablename__ = "barcodes"
    __table_args__ = (CheckConstraint("pack_qty >= 1", name="pack_qty_positive"),)

    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[BarcodeKind] = mapped_column(str_enum(BarcodeKind))
    pack_qty: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sku: Mapped[Sku] = relationship(back_populates="barcodes", lazy="raise")


class KitComponent(IdMixin, Base):
    """One line of a kit (组合装): selling the kit consumes ``qty`` of the component SKU."""

    __tablename__ = "kit_components"
    __table_args__ = (
        UniqueConstraint("kit_sku_id", "component_sku_id"),
        CheckConstraint("qty >= 1", name="qty_positive"),
        CheckConstraint("kit_sku_id <> component_sku_id", name="not_self"),
    )

    kit_sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    component_sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"), index=True)
    qty: Mapped[int] = mapped_column()


class Lot(IdMixin, Base):
    """A production batch (批次) with its dates; FEFO picking sorts on ``expires_on``."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("sku_id", "lot_number"),)

    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"), index=True)
    lot_number: Mapped[str] = mapped_column(String(64), index=True)
    """Indexed alone too: a scanned lot number is resolved without knowing its SKU (server/scanning)."""
    manufactured_on: Mapped[date | None] = mapped_column(default=None)
    expires_on: Mapped[date | None] = mapped_column(default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
