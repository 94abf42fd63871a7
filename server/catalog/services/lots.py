"""Lots (批次) of lot-controlled SKUs: one number per SKU, dates in order, expiry from shelf life."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot
from server.catalog.schemas import LotCreate
from server.catalog.services.common import lot_or_404, save_unique, sku_or_404
from server.catalog.services.lot_dates import resolve_expiry
from server.lib.errors import Conflict, ValidationFailed


async def _ensure_number_free(session: AsyncSession, sku_id: int, lot_number: str) -> None:
    holder = await session.scalar(select(Lot.id).where(Lot.sku_id == sku_id, Lot.lot_number == lot_number))
    if holder is not None:
        raise Conflict(
            f"SKU {sku_id} already has lot {lot_number}",
            message_zh=f"批次号 {lot_number} 已存在",
            field="lot_number",
            code="lot_exists",
            detail={"lot_id": holder},
        )


async def create_lot(session: AsyncSession, sku_id: int, data: LotCreate) -> Lot:
    sku = await sku_or_404(session, sku_id)
    if not sku.lot_controlled:
        raise ValidationFailed(
            f"SKU {sku.code} is not lot-controlled",
            message_zh="该 SKU 未启用批次管理",
            field="sku_id",
            code="sku_not_lot_controlled",
        )
    expires_on = resolve_expiry(
        manufactured_on=data.manufactured_on,
        expires_on=data.expires_on,
        shelf_life_days=sku.shelf_life_days,
        expiry_controlled=sku.expiry_controlled,
    )
    await _ensure_number_free(session, sku_id, data.lot_number)
    lot = Lot(sku_id=sku_id, lot_number=data.lot_number, manufactured_on=data.manufactured_on, expires_on=expires_on)
    await save_unique(session, lambda: session.add(lot), lambda: _ensure_number_free(session, sku_id, data.lot_number))
    return lot


async def lot_query(
    session: AsyncSession, sku_id: int, *, expiring_before: date | None, lot_number: str | None
) -> Select[Lot]:
    """The SKU's lots, soonest expiry first (FEFO order), lots without expiry last."""
    await sku_or_404(session, sku_id)
    statement = select(Lot).where(Lot.sku_id == sku_id).order_by(Lot.expires_on.asc().nulls_last(), Lot.id)
    if expiring_before is not None:
        statement = statement.where(Lot.expires_on < expiring_before)
    if lot_number:
        statement = statement.where(Lot.lot_number == lot_number)
    return statement


async def get_lot(session: AsyncSession, lot_id: int) -> Lot:
    return await lot_or_404(session, lot_id)
