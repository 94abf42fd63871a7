"""The lot a desk receipt line books into: found or created from the number on the carton.

The desk is a request, not a fact (unlike the phone's ``inbound.item_received``): a person at a
keyboard can fix a typo, so a lot-controlled line without a number, dates out of order, or a date
that contradicts the recorded lot are refused, naming the line, rather than parked in quarantine.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.catalog.services.lot_dates import resolve_expiry
from server.catalog.services.lot_lookup import create_lot_once, find_lot
from server.inbound.schemas import ReceiptLineIn
from server.lib.errors import ValidationFailed


async def lot_for_line(session: AsyncSession, sku: Sku, line: ReceiptLineIn, index: int) -> Lot | None:
    """The line's lot (``None`` for a SKU received without one); refuses what a lot must not lack."""
    where = f"lines.{index}"
    number = (line.lot_number or "").strip()
    if not number:
        if sku.lot_controlled or sku.expiry_controlled:
            raise ValidationFailed(
                f"line {index + 1}: SKU {sku.code} is lot/expiry-controlled: give lot_number"
                + (" and expires_on" if sku.expiry_controlled else ""),
                message_zh=f"第 {index + 1} 行：商品 {sku.code} 需批次/效期管理，请填写批次号"
                + ("和到期日期" if sku.expiry_controlled else ""),
                field=f"{where}.lot_number",
                code="lot_required",
            )
        return None
    try:
        expires_on = resolve_expiry(
            manufactured_on=line.manufactured_on,
            expires_on=line.expires_on,
            shelf_life_days=sku.shelf_life_days,
            expiry_controlled=sku.expiry_controlled,
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            f"line {index + 1}: {exc.message}",
            message_zh=f"第 {index + 1} 行：{exc.message_zh}",
            field=f"{where}.{exc.field or 'expires_on'}",
            code=exc.code,
        ) from None
    existing = await find_lot(session, sku.id, number)
    if existing is None:
        lot = Lot(sku_id=sku.id, lot_number=number, manufactured_on=line.manufactured_on, expires_on=expires_on)
        existing = await create_lot_once(session, lot)
        if existing is lot:
            return lot
    if expires_on is not None and existing.expires_on != expires_on:
        recorded = existing.expires_on.isoformat() if existing.expires_on else "no date"
        raise ValidationFailed(
            f"line {index + 1}: lot {number} of SKU {sku.code} is recorded as expiring {recorded}, "
            f"the line says {expires_on.isoformat()}; check the label",
            message_zh=f"第 {index + 1} 行：批次 {number} 已登记的到期日期为 {recorded}，与填写的不同，请核对标签",
            field=f"{where}.expires_on",
            code="lot_expiry_differs",
            detail={
                "lot_id": existing.id,
                "recorded_expires_on": existing.expires_on.isoformat() if existing.expires_on else None,
            },
        )
    return existing
