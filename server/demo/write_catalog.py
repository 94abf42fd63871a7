"""Write the demo catalog: products, SKUs, barcodes, lots and kit components, in bulk inserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.gtin import normalize_gtin
from server.catalog.models import Barcode, BarcodeKind, KitComponent, Lot, Product, Sku
from server.demo.catalog_spec import CatalogSpec
from server.demo.summary import ProgressCallback

CHUNK = 500


async def write_catalog(session: AsyncSession, catalog: CatalogSpec, progress: ProgressCallback) -> bool:
    """Insert the whole catalog, or nothing if it is already there (a resumed load); answer whether it wrote.

    Multi-row inserts, then one query per table to learn the new ids by code: two thousand ORM
    objects with their relationships would take longer than the rest of the load.
    """
    if await session.scalar(select(Product.id).where(Product.code == catalog.products[0].code)) is not None:
        progress("catalog already loaded")
        return False
    await _insert(
        session,
        Product,
        [
            {
                "code": p.code,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "brand": p.brand,
                "category": p.category,
                "active": True,
            }
            for p in catalog.products
        ],
    )
    product_ids = await _ids(session, Product, [p.code for p in catalog.products])

    skus = catalog.skus()
    sku_rows = [
        {
            "product_id": product_ids[p.code],
            "code": s.code,
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "attributes": s.attributes,
            "unit": s.unit,
            "weight_g": s.weight_g,
            "length_mm": s.dims_mm[0],
            "width_mm": s.dims_mm[1],
            "height_mm": s.dims_mm[2],
            "standard_cost_minor": s.standard_cost_minor,
            "currency": "CNY",
            "lot_controlled": s.lot_controlled,
            "expiry_controlled": s.lot_controlled,
            "shelf_life_days": s.shelf_life_days,
            "is_kit": s.is_kit,
            "active": True,
        }
        for p in catalog.products
        for s in p.skus
    ]
    for start in range(0, len(sku_rows), CHUNK):
        await _insert(session, Sku, sku_rows[start : start + CHUNK])
        progress(f"SKUs {min(start + CHUNK, len(sku_rows))}/{len(sku_rows)}")
    sku_ids = await _ids(session, Sku, [s.code for s in skus])

    barcodes: list[dict[str, Any]] = []
    for s in skus:
        barcodes.append(
            {"sku_id": sku_ids[s.code], "code": normalize_gtin(s.ean13), "kind": BarcodeKind.gtin, "pack_qty": 1}
        )
        if s.case_gtin is not None:
            barcodes.append(
                {
                    "sku_id": sku_ids[s.code],
                    "code": normalize_gtin(s.case_gtin),
                    "kind": BarcodeKind.gtin,
                    "pack_qty": s.case_qty,
                }
            )
    await _insert(session, Barcode, barcodes)
    lots = [
        {
            "sku_id": sku_ids[s.code],
            "lot_number": lot.lot_number,
            "manufactured_on": lot.manufactured_on,
            "expires_on": lot.expires_on,
        }
        for s in skus
        for lot in s.lots
    ]
    await _insert(session, Lot, lots)
    await _insert(
        session,
        KitComponent,
        [
            {"kit_sku_id": sku_ids[s.code], "component_sku_id": sku_ids[part], "qty": qty}
            for s in skus
            for part, qty in s.components
        ],
    )
    progress(f"catalog: {len(product_ids)} products, {len(skus)} SKUs, {len(barcodes)} barcodes, {len(lots)} lots")
    return True


async def _insert(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(model), rows)


async def _ids(session: AsyncSession, model: type[Product] | type[Sku], codes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), CHUNK * 2):
        chunk = codes[start : start + CHUNK * 2]
        found.update(
            {
                code: id_
                for id_, code in await session.execute(select(model.id, model.code).where(model.code.in_(chunk)))
            }
        )
    return found
