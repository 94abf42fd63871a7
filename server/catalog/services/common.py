"""Look-ups and the save step shared by the catalog services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Product, Sku
from server.lib.errors import NotFound


async def product_or_404(session: AsyncSession, product_id: int) -> Product:
    product = await session.get(Product, product_id)
    if product is None:
        raise NotFound(
            f"product {product_id} not found", message_zh="商品不存在", field="product_id", code="product_not_found"
        )
    return product


async def sku_or_404(session: AsyncSession, sku_id: int) -> Sku:
    sku = await session.get(Sku, sku_id)
    if sku is None:
        raise NotFound(f"SKU {sku_id} not found", message_zh="SKU 不存在", field="sku_id", code="sku_not_found")
    return sku


async def lot_or_404(session: AsyncSession, lot_id: int) -> Lot:
    lot = await session.get(Lot, lot_id)
    if lot is None:
        raise NotFound(f"lot {lot_id} not found", message_zh="批次不存在", field="lot_id", code="lot_not_found")
    return lot


async def sku_codes(session: AsyncSession, sku_ids: set[int]) -> dict[int, str]:
    if not sku_ids:
        return {}
    rows = await session.execute(select(Sku.id, Sku.code).where(Sku.id.in_(sku_ids)))
    return {row.id: row.code for row in rows}


async def save_unique(
    session: AsyncSession,
    apply: Callable[[], None],
    explain: Callable[[], Awaitable[None]],
) -> None:
    """Apply changes and flush them inside a savepoint; a unique-key race becomes the named 409.

    Each service checks uniqueness first, so the caller gets a precise refusal. Two requests racing
    past that check meet at the unique index instead; the savepoint keeps the transaction usable
    (PostgreSQL aborts it otherwise) so ``explain`` can find the winner's row and raise the same
    Conflict the check would have. The changes are made inside the savepoint because opening one
    flushes whatever is pending first.
    """
    try:
        async with session.begin_nested():
            apply()
            await session.flush()
    except IntegrityError:
        await explain()
        raise
