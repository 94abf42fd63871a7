"""Barcodes on SKUs (many per SKU; a case code counts ``pack_qty`` units) and resolving a scan.

Storage and lookup share ``barcode_forms`` so a code registered as EAN-13 is found when scanned as
UPC-A. A code is refused when a bin already carries it: the phone must know whether it scanned a
bin or an item. Resolving a scan is the scanning service's (``server.scanning.resolve``), asked for
SKUs only, so the catalog's lookup and ``POST /api/scan/resolve`` can never disagree.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Barcode, Sku
from server.catalog.schemas import BarcodeCreate
from server.catalog.services.barcode_forms import MAX_CODE_LENGTH, CheckDigitError, stored_form
from server.catalog.services.common import save_unique, sku_or_404
from server.lib.errors import Conflict, NotFound, ValidationFailed
from server.scanning.resolve import resolve_scan
from server.scanning.resolve_schemas import SkuMatch
from server.warehouse.models import Location


def invalid_gtin(exc: CheckDigitError, field: str) -> ValidationFailed:
    return ValidationFailed(
        f"{exc.code} looks like a GTIN but its check digit is wrong: expected {exc.expected}",
        message_zh=f"条码 {exc.code} 校验位错误，应为 {exc.expected}",
        field=field,
        code="invalid_gtin",
        detail={"expected_check_digit": exc.expected},
    )


async def _ensure_code_free(session: AsyncSession, code: str) -> None:
    holder = (
        await session.execute(
            select(Sku.id, Sku.code).join(Barcode, Barcode.sku_id == Sku.id).where(Barcode.code == code)
        )
    ).first()
    if holder is not None:
        raise Conflict(
            f"barcode {code} already belongs to SKU {holder.code}",
            message_zh=f"条码 {code} 已属于 SKU {holder.code}",
            field="code",
            code="barcode_taken",
            detail={"sku_id": holder.id, "sku_code": holder.code},
        )


async def _ensure_not_a_bin(session: AsyncSession, codes: set[str]) -> None:
    location = (
        await session.execute(
            select(Location.id, Location.code, Location.warehouse_id).where(Location.barcode.in_(codes)).limit(1)
        )
    ).first()
    if location is not None:
        raise Conflict(
            f"this code is the barcode of location {location.code}; a scan could not tell them apart",
            message_zh=f"该条码已用于库位 {location.code}",
            field="code",
            code="barcode_is_location",
            detail={"location_id": location.id, "warehouse_id": location.warehouse_id},
        )


async def add_barcode(session: AsyncSession, sku_id: int, data: BarcodeCreate) -> Barcode:
    sku = await sku_or_404(session, sku_id)
    try:
        form = stored_form(data.code)
    except CheckDigitError as exc:
        raise invalid_gtin(exc, "code") from None
    if not form.code or len(form.code) > MAX_CODE_LENGTH:
        raise ValidationFailed(
            f"a barcode has 1 to {MAX_CODE_LENGTH} characters after trimming",
            message_zh="条码长度无效",
            field="code",
            code="invalid_barcode",
        )
    await _ensure_code_free(session, form.code)
    await _ensure_not_a_bin(session, {form.code, data.code.strip()})
    barcode = Barcode(sku_id=sku.id, code=form.code, kind=form.kind, pack_qty=data.pack_qty)
    await save_unique(session, lambda: session.add(barcode), lambda: _ensure_code_free(session, form.code))
    return barcode


async def barcode_query(session: AsyncSession, sku_id: int) -> Select[Barcode]:
    """The SKU's barcodes in the order they were added (404 when the SKU does not exist)."""
    await sku_or_404(session, sku_id)
    return select(Barcode).where(Barcode.sku_id == sku_id).order_by(Barcode.id)


async def remove_barcode(session: AsyncSession, sku_id: int, barcode_id: int) -> None:
    await sku_or_404(session, sku_id)
    barcode = await session.get(Barcode, barcode_id)
    if barcode is None or barcode.sku_id != sku_id:
        raise NotFound(
            f"SKU {sku_id} has no barcode {barcode_id}",
            message_zh="条码不存在",
            field="barcode_id",
            code="barcode_not_found",
        )
    await session.delete(barcode)
    await session.flush()


async def resolve(session: AsyncSession, raw: str) -> SkuMatch:
    """The SKU and pack quantity a scan of ``raw`` stands for (AIM prefixes, GS1 element strings and
    every EAN/UPC form included); a GTIN-shaped code with a wrong check digit is 422."""
    if raw.strip():
        found = await resolve_scan(session, raw, warehouse_id=None, kinds={"sku"}, suggestions=False)
        if isinstance(found.match, SkuMatch):
            return found.match
        if found.reason == "check_digit_wrong" and found.expected_check_digit is not None:
            raise invalid_gtin(CheckDigitError(found.normalized, found.expected_check_digit), "code")
    raise NotFound(f"no SKU has barcode {raw.strip()}", message_zh="未知条码", field="code", code="unknown_barcode")
