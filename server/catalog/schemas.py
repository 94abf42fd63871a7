"""Wire shapes of the catalog endpoints, and the conversions from rows to them.

Updates use ``msgspec.UNSET`` for "not sent", so a PATCH can clear a nullable field with ``null``
(``shelf_life_days``) and leave every field it does not name alone.

``standard_cost_minor`` is finance data: responses carry it only for users with ``finance.read``
(``null`` for everyone else), and only such users may send it or ``currency`` (the currency
re-denominates the cost); see ``server.catalog.services.skus``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType

from server.catalog.models import Barcode, BarcodeKind, Lot, Product, Sku
from server.lib.schema import Input, Schema

INT32_MAX = 2_147_483_647
"""The columns are 32-bit integers on PostgreSQL; larger values are refused at the edge, not by the driver."""

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^\S+$", description="unique code, no spaces")]
NameZh = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S", description="Chinese name")]
NameEn = Annotated[str, msgspec.Meta(max_length=200)]
Label = Annotated[str, msgspec.Meta(max_length=100)]
NonNegative = Annotated[int, msgspec.Meta(ge=0, le=INT32_MAX)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. CNY")]
Unit = Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=r"^\S+$", description="base unit, e.g. pcs")]
ShelfLifeDays = Annotated[int, msgspec.Meta(ge=1, le=36_500)]
AttributeKey = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Attributes = Annotated[
    dict[AttributeKey, str | int | bool],
    msgspec.Meta(max_length=50, description="variant attributes such as colour and size; scalar values"),
]
Qty = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
LotNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[^\s@](?:.*\S)?$")]
"""No blank ends; ``@`` cannot start one: it marks placeholder lots (``services/lot_lookup.py``)."""


# --- products -------------------------------------------------------------------------------------


class ProductCreate(Input):
    code: Code
    name_zh: NameZh
    name_en: NameEn = ""
    brand: Label = ""
    category: Label = ""


class ProductUpdate(Input):
    """Only the fields sent change; ``active: false`` deactivates as the deactivate endpoint does."""

    code: Code | UnsetType = UNSET
    name_zh: NameZh | UnsetType = UNSET
    name_en: NameEn | UnsetType = UNSET
    brand: Label | UnsetType = UNSET
    category: Label | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class ProductOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    brand: str
    category: str
    active: bool
    created_at: datetime
    updated_at: datetime


# --- SKUs -----------------------------------------------------------------------------------------


class SkuCreate(Input):
    product_id: int
    code: Code
    name_zh: NameZh
    name_en: NameEn = ""
    attributes: Attributes = msgspec.field(default_factory=dict)
    unit: Unit = "pcs"
    weight_g: NonNegative = 0
    length_mm: NonNegative = 0
    width_mm: NonNegative = 0
    height_mm: NonNegative = 0
    standard_cost_minor: NonNegative | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    lot_controlled: bool = False
    expiry_controlled: bool = False
    shelf_life_days: ShelfLifeDays | None = None
    is_kit: bool = False


class SkuUpdate(Input):
    """Only the fields sent change; ``shelf_life_days: null`` clears the shelf life."""

    code: Code | UnsetType = UNSET
    name_zh: NameZh | UnsetType = UNSET
    name_en: NameEn | UnsetType = UNSET
    attributes: Attributes | UnsetType = UNSET
    unit: Unit | UnsetType = UNSET
    weight_g: NonNegative | UnsetType = UNSET
    length_mm: NonNegative | UnsetType = UNSET
    width_mm: NonNegative | UnsetType = UNSET
    height_mm: NonNegative | UnsetType = UNSET
    standard_cost_minor: NonNegative | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    lot_controlled: bool | UnsetType = UNSET
    expiry_controlled: bool | UnsetType = UNSET
    shelf_life_days: ShelfLifeDays | UnsetType | None = UNSET
    is_kit: bool | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class SkuOut(Schema):
    id: int
    product_id: int
    code: str
    name_zh: str
    name_en: str
    attributes: dict[str, str | int | bool]
    unit: str
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    standard_cost_minor: int | None
    """``null`` unless the caller has ``finance.read``."""
    currency: str
    lot_controlled: bool
    expiry_controlled: bool
    shelf_life_days: int | None
    is_kit: bool
    active: bool
    created_at: datetime
    updated_at: datetime


class ProductDetailOut(ProductOut):
    skus: list[SkuOut]


# --- barcodes -------------------------------------------------------------------------------------


class BarcodeCreate(Input):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="as scanned or printed")]
    pack_qty: Qty = 1
    """Base units one scan of this code stands for: 1 for an item, N for a case."""


class BarcodeOut(Schema):
    id: int
    sku_id: int
    code: str
    """GTINs as 14 digits; internal codes as given."""
    kind: BarcodeKind
    pack_qty: int
    created_at: datetime


class BarcodeResolution(Schema):
    """What a scan means: which SKU, and how many base units it counts."""

    code: str
    kind: BarcodeKind
    pack_qty: int
    sku_id: int
    sku_code: str
    name_zh: str
    name_en: str
    unit: str
    is_kit: bool
    lot_controlled: bool
    expiry_controlled: bool
    active: bool


# --- kits -----------------------------------------------------------------------------------------


class ComponentLine(Input):
    component_sku_id: int
    qty: Qty


class KitComponentsSet(Input):
    """The whole new list; it replaces the old one (an empty list removes every component)."""

    components: Annotated[list[ComponentLine], msgspec.Meta(max_length=200)]


class ComponentOut(Schema):
    component_sku_id: int
    code: str
    name_zh: str
    name_en: str
    unit: str
    is_kit: bool
    qty: int


class KitOut(Schema):
    kit_sku_id: int
    is_kit: bool
    components: list[ComponentOut]


class SkuDetailOut(SkuOut):
    product_code: str
    barcodes: list[BarcodeOut]
    components: list[ComponentOut]
    """Empty unless the SKU is a kit."""


# --- lots -----------------------------------------------------------------------------------------


class LotCreate(Input):
    """``expires_on`` may be left out when the SKU has a shelf life and ``manufactured_on`` is given."""

    lot_number: LotNumber
    manufactured_on: date | None = None
    expires_on: date | None = None


class LotOut(Schema):
    id: int
    sku_id: int
    lot_number: str
    manufactured_on: date | None
    expires_on: date | None
    created_at: datetime


# --- conversions ----------------------------------------------------------------------------------


def _product_fields(p: Product) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "brand": p.brand,
        "category": p.category,
        "active": p.active,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def _sku_fields(s: Sku, show_cost: bool) -> dict[str, Any]:
    return {
        "id": s.id,
        "product_id": s.product_id,
        "code": s.code,
        "name_zh": s.name_zh,
        "name_en": s.name_en,
        "attributes": dict(s.attributes),
        "unit": s.unit,
        "weight_g": s.weight_g,
        "length_mm": s.length_mm,
        "width_mm": s.width_mm,
        "height_mm": s.height_mm,
        "standard_cost_minor": s.standard_cost_minor if show_cost else None,
        "currency": s.currency,
        "lot_controlled": s.lot_controlled,
        "expiry_controlled": s.expiry_controlled,
        "shelf_life_days": s.shelf_life_days,
        "is_kit": s.is_kit,
        "active": s.active,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def product_out(p: Product) -> ProductOut:
    return ProductOut(**_product_fields(p))


def product_detail_out(p: Product, skus: list[Sku], *, show_cost: bool) -> ProductDetailOut:
    return ProductDetailOut(**_product_fields(p), skus=[sku_out(s, show_cost=show_cost) for s in skus])


def sku_out(s: Sku, *, show_cost: bool) -> SkuOut:
    """``show_cost`` is ``skus.cost_visible(user)``: the cost is finance data."""
    return SkuOut(**_sku_fields(s, show_cost))


def sku_detail_out(
    s: Sku, *, product_code: str, barcodes: list[Barcode], components: list[tuple[Sku, int]], show_cost: bool
) -> SkuDetailOut:
    return SkuDetailOut(
        **_sku_fields(s, show_cost),
        product_code=product_code,
        barcodes=[barcode_out(b) for b in barcodes],
        components=[component_out(sku, qty) for sku, qty in components],
    )


def barcode_out(b: Barcode) -> BarcodeOut:
    return BarcodeOut(id=b.id, sku_id=b.sku_id, code=b.code, kind=b.kind, pack_qty=b.pack_qty, created_at=b.created_at)


def component_out(component: Sku, qty: int) -> ComponentOut:
    return ComponentOut(
        component_sku_id=component.id,
        code=component.code,
        name_zh=component.name_zh,
        name_en=component.name_en,
        unit=component.unit,
        is_kit=component.is_kit,
        qty=qty,
    )


def lot_out(lot: Lot) -> LotOut:
    return LotOut(
        id=lot.id,
        sku_id=lot.sku_id,
        lot_number=lot.lot_number,
        manufactured_on=lot.manufactured_on,
        expires_on=lot.expires_on,
        created_at=lot.created_at,
    )
