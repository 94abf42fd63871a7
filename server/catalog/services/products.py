"""Products (styles): unique codes, search, and deactivation that withdraws the variants too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgspec import UNSET
from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Product, Sku
from server.catalog.schemas import ProductCreate, ProductUpdate
from server.catalog.services.common import product_or_404, save_unique
from server.lib.errors import Conflict


@dataclass(frozen=True, slots=True)
class ProductDetail:
    product: Product
    skus: list[Sku]


async def _ensure_code_free(session: AsyncSession, code: str, *, except_id: int | None = None) -> None:
    holder = await session.scalar(select(Product.id).where(Product.code == code))
    if holder is not None and holder != except_id:
        raise Conflict(
            f"product code {code} is already used by product {holder}",
            message_zh=f"商品编码 {code} 已被占用",
            field="code",
            code="product_code_taken",
            detail={"product_id": holder},
        )


async def create_product(session: AsyncSession, data: ProductCreate) -> Product:
    await _ensure_code_free(session, data.code)
    product = Product(
        code=data.code,
        name_zh=data.name_zh,
        name_en=data.name_en,
        brand=data.brand,
        category=data.category,
        active=True,
    )
    await save_unique(session, lambda: session.add(product), lambda: _ensure_code_free(session, data.code))
    return product


def product_query(*, q: str | None, brand: str | None, category: str | None, active: bool | None) -> Select[Product]:
    """Products matching every given filter, by code; ``q`` searches the code and both names."""
    statement = select(Product).order_by(Product.code)
    if q:
        statement = statement.where(
            or_(
                Product.code.icontains(q, autoescape=True),
                Product.name_zh.icontains(q, autoescape=True),
                Product.name_en.icontains(q, autoescape=True),
            )
        )
    if brand:
        statement = statement.where(Product.brand == brand)
    if category:
        statement = statement.where(Product.category == category)
    if active is not None:
        statement = statement.where(Product.active.is_(active))
    return statement


async def get_product(session: AsyncSession, product_id: int) -> ProductDetail:
    product = await product_or_404(session, product_id)
    skus = list(await session.scalars(select(Sku).where(Sku.product_id == product_id).order_by(Sku.code)))
    return ProductDetail(product, skus)


async def update_product(session: AsyncSession, product_id: int, data: ProductUpdate) -> Product:
    product = await product_or_404(session, product_id)
    changes: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("code", "name_zh", "name_en", "brand", "category", "active")
        if getattr(data, name) is not UNSET
    }
    if "code" in changes:
        await _ensure_code_free(session, changes["code"], except_id=product_id)
    if changes.get("active") is False and product.active:
        await _deactivate_skus(session, product_id)

    def apply() -> None:
        for name, value in changes.items():
            setattr(product, name, value)

    async def explain() -> None:
        if "code" in changes:
            await _ensure_code_free(session, changes["code"], except_id=product_id)

    await save_unique(session, apply, explain)
    return product


async def deactivate_product(session: AsyncSession, product_id: int) -> Product:
    """Withdraw a style and all its SKUs; stock stays where it is (the ledger still moves it).

    Reactivating the product (PATCH ``active: true``) does not reactivate its SKUs: each variant
    comes back deliberately.
    """
    product = await product_or_404(session, product_id)
    await _deactivate_skus(session, product_id)
    product.active = False
    await session.flush()
    return product


async def _deactivate_skus(session: AsyncSession, product_id: int) -> None:
    await session.execute(
        update(Sku)
        .where(Sku.product_id == product_id, Sku.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
