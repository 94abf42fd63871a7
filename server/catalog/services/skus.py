"""SKUs: codes, physical data, the control flags the ledger obeys, and who may see or set the cost.

Cost policy: ``standard_cost_minor`` is finance data. Responses show it only to users with
``finance.read``; a request that sends ``standard_cost_minor`` or ``currency`` (which re-denominates
the cost) needs ``finance.read`` as well as ``catalog.write``, so a supervisor can create and edit
SKUs but cannot blindly overwrite a cost they are not allowed to see (403 ``cost_requires_finance``).
Managers and admins hold both permissions.

Flag changes that would strand stock are refused while the SKU has any (``sku_has_stock``): turning
lot control on would make existing lot-less stock unmovable, turning it off would leave lots the
ledger no longer asks for, and a kit has no stock of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgspec import UNSET
from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.catalog.models import Barcode, KitComponent, Product, Sku
from server.catalog.schemas import SkuCreate, SkuUpdate
from server.catalog.services.barcode_forms import CheckDigitError
from server.catalog.services.barcodes import invalid_gtin
from server.catalog.services.common import save_unique, sku_or_404
from server.catalog.services.kits import kit_components
from server.lib.errors import Conflict, Forbidden, ValidationFailed
from server.scanning.resolve_text import scan_barcode_forms
from server.warehouse.ledger.models import StockLevel

COST_FIELDS = ("standard_cost_minor", "currency")
UPDATABLE = (
    "code",
    "name_zh",
    "name_en",
    "attributes",
    "unit",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "standard_cost_minor",
    "currency",
    "lot_controlled",
    "expiry_controlled",
    "shelf_life_days",
    "is_kit",
    "active",
)


@dataclass(frozen=True, slots=True)
class SkuDetail:
    sku: Sku
    product_code: str
    barcodes: list[Barcode]
    components: list[tuple[Sku, int]]


def cost_visible(user: AuthUser) -> bool:
    """Whether responses to ``user`` carry ``standard_cost_minor``."""
    return user.can(Permission.finance_read)


def _check_cost_write(user: AuthUser, data: SkuCreate | SkuUpdate) -> None:
    for name in COST_FIELDS:
        if getattr(data, name) is not UNSET and not user.can(Permission.finance_read):
            raise Forbidden(
                f"{name} is finance data: setting it needs {Permission.finance_read.value}",
                message_zh="成本属于财务数据，需要财务查看权限才能设置",
                field=name,
                code="cost_requires_finance",
                detail={"permission": Permission.finance_read.value},
            )


def _check_flags(*, lot_controlled: bool, expiry_controlled: bool) -> None:
    if expiry_controlled and not lot_controlled:
        raise ValidationFailed(
            "expiry control needs lot control: the expiry date is recorded per lot",
            message_zh="效期管理需要先启用批次管理",
            field="expiry_controlled",
            code="expiry_needs_lot",
        )


async def _ensure_code_free(session: AsyncSession, code: str, *, except_id: int | None = None) -> None:
    holder = await session.scalar(select(Sku.id).where(Sku.code == code))
    if holder is not None and holder != except_id:
        raise Conflict(
            f"SKU code {code} is already used by SKU {holder}",
            message_zh=f"SKU 编码 {code} 已被占用",
            field="code",
            code="sku_code_taken",
            detail={"sku_id": holder},
        )


async def _has_stock(session: AsyncSession, sku_id: int) -> bool:
    row = await session.scalar(
        select(StockLevel.id)
        .where(StockLevel.sku_id == sku_id, or_(StockLevel.on_hand != 0, StockLevel.reserved != 0))
        .limit(1)
    )
    return row is not None


def _sku_has_stock(sku: Sku, field: str) -> Conflict:
    return Conflict(
        f"SKU {sku.code} has stock; move it out before changing {field}",
        message_zh="该 SKU 仍有库存，请先清空库存再修改此设置",
        field=field,
        code="sku_has_stock",
    )


def _product_inactive(product: Product, field: str) -> Conflict:
    return Conflict(
        f"product {product.code} is inactive; reactivate it first",
        message_zh="所属商品已停用，请先启用商品",
        field=field,
        code="product_inactive",
    )


async def create_sku(session: AsyncSession, user: AuthUser, data: SkuCreate) -> Sku:
    _check_cost_write(user, data)
    product = await session.get(Product, data.product_id)
    if product is None:
        raise ValidationFailed(
            f"product {data.product_id} does not exist",
            message_zh="商品不存在",
            field="product_id",
            code="unknown_product",
        )
    if not product.active:
        raise _product_inactive(product, "product_id")
    _check_flags(lot_controlled=data.lot_controlled, expiry_controlled=data.expiry_controlled)
    await _ensure_code_free(session, data.code)
    sku = Sku(
        product_id=product.id,
        code=data.code,
        name_zh=data.name_zh,
        name_en=data.name_en,
        attributes=dict(data.attributes),
        unit=data.unit,
        weight_g=data.weight_g,
        length_mm=data.length_mm,
        width_mm=data.width_mm,
        height_mm=data.height_mm,
        standard_cost_minor=0 if data.standard_cost_minor is UNSET else data.standard_cost_minor,
        currency="CNY" if data.currency is UNSET else data.currency,
        lot_controlled=data.lot_controlled,
        expiry_controlled=data.expiry_controlled,
        shelf_life_days=data.shelf_life_days,
        is_kit=data.is_kit,
        active=True,
    )
    await save_unique(session, lambda: session.add(sku), lambda: _ensure_code_free(session, data.code))
    return sku


def sku_query(
    *,
    product_id: int | None,
    q: str | None,
    active: bool | None,
    lot_controlled: bool | None,
    is_kit: bool | None,
    barcode: str | None,
) -> Select[Sku]:
    """SKUs matching every given filter, by code; ``barcode`` matches the way a scan does."""
    statement = select(Sku).order_by(Sku.code)
    if product_id is not None:
        statement = statement.where(Sku.product_id == product_id)
    if q:
        statement = statement.where(
            or_(
                Sku.code.icontains(q, autoescape=True),
                Sku.name_zh.icontains(q, autoescape=True),
                Sku.name_en.icontains(q, autoescape=True),
            )
        )
    for column, value in ((Sku.active, active), (Sku.lot_controlled, lot_controlled), (Sku.is_kit, is_kit)):
        if value is not None:
            statement = statement.where(column.is_(value))
    if barcode:
        try:
            forms = scan_barcode_forms(barcode)
        except CheckDigitError as exc:
            raise invalid_gtin(exc, "barcode") from None
        statement = statement.where(Sku.id.in_(select(Barcode.sku_id).where(Barcode.code.in_(forms))))
    return statement


async def get_sku(session: AsyncSession, sku_id: int) -> SkuDetail:
    sku = await sku_or_404(session, sku_id)
    product_code = await session.scalar(select(Product.code).where(Product.id == sku.product_id))
    barcodes = list(await session.scalars(select(Barcode).where(Barcode.sku_id == sku_id).order_by(Barcode.id)))
    components = await kit_components(session, sku_id) if sku.is_kit else []
    return SkuDetail(sku, product_code or "", barcodes, components)


async def update_sku(session: AsyncSession, user: AuthUser, sku_id: int, data: SkuUpdate) -> Sku:
    _check_cost_write(user, data)
    sku = await sku_or_404(session, sku_id)
    changes: dict[str, Any] = {name: getattr(data, name) for name in UPDATABLE if getattr(data, name) is not UNSET}
    lot_controlled = changes.get("lot_controlled", sku.lot_controlled)
    _check_flags(
        lot_controlled=lot_controlled, expiry_controlled=changes.get("expiry_controlled", sku.expiry_controlled)
    )
    if "code" in changes:
        await _ensure_code_free(session, changes["code"], except_id=sku.id)
    if lot_controlled != sku.lot_controlled and await _has_stock(session, sku.id):
        raise _sku_has_stock(sku, "lot_controlled")
    if changes.get("is_kit") is True and not sku.is_kit and await _has_stock(session, sku.id):
        raise _sku_has_stock(sku, "is_kit")
    if changes.get("is_kit") is False and sku.is_kit:
        has_components = await session.scalar(select(KitComponent.id).where(KitComponent.kit_sku_id == sku.id).limit(1))
        if has_components is not None:
            raise Conflict(
                "this kit still has components; remove them first (PUT an empty list)",
                message_zh="该组合装仍有子件，请先清空子件",
                field="is_kit",
                code="kit_has_components",
            )
    if changes.get("active") is True and not sku.active:
        product = await session.get(Product, sku.product_id)
        if product is not None and not product.active:
            raise _product_inactive(product, "active")
    if "attributes" in changes:
        changes["attributes"] = dict(changes["attributes"])

    def apply() -> None:
        for name, value in changes.items():
            setattr(sku, name, value)

    async def explain() -> None:
        if "code" in changes:
            await _ensure_code_free(session, changes["code"], except_id=sku_id)

    await save_unique(session, apply, explain)
    return sku
