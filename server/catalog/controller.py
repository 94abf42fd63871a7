"""HTTP face of the catalog: products, SKUs, barcodes and scan resolution, kits, lots.

Reads need ``catalog.read`` and writes ``catalog.write``; the SKU cost is shown and may be set only
with ``finance.read`` as well (``server.catalog.services.skus``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.catalog.schemas import (
    BarcodeCreate,
    BarcodeOut,
    BarcodeResolution,
    KitComponentsSet,
    KitOut,
    LotCreate,
    LotOut,
    ProductCreate,
    ProductDetailOut,
    ProductOut,
    ProductUpdate,
    SkuCreate,
    SkuDetailOut,
    SkuOut,
    SkuUpdate,
    barcode_out,
    component_out,
    lot_out,
    product_detail_out,
    product_out,
    sku_detail_out,
    sku_out,
)
from server.catalog.services import barcodes, kits, lots, products, skus
from server.lib.pagination import Page, PageParams, paginate
from server.scanning.resolve_schemas import SkuMatch

READ = [requires(Permission.catalog_read)]
WRITE = [requires(Permission.catalog_write)]

Search = Annotated[str | None, Parameter(description="contains, in the code or either name (case-insensitive)")]


def _kit_out(view: kits.KitView) -> KitOut:
    return KitOut(
        kit_sku_id=view.kit.id,
        is_kit=view.kit.is_kit,
        components=[component_out(sku, qty) for sku, qty in view.components],
    )


class ProductController(Controller):
    path = "/api/products"
    tags = ["catalog"]  # noqa: RUF012

    @post("/", operation_id="CreateProduct", guards=WRITE)
    async def create_product(self, db_session: AsyncSession, data: ProductCreate) -> ProductOut:
        return product_out(await products.create_product(db_session, data))

    @get("/", operation_id="ListProducts", guards=READ)
    async def list_products(
        self,
        db_session: AsyncSession,
        page: PageParams,
        q: Search = None,
        brand: Annotated[str | None, Parameter(description="exact brand")] = None,
        category: Annotated[str | None, Parameter(description="exact category")] = None,
        active: bool | None = None,
    ) -> Page[ProductOut]:
        statement = products.product_query(q=q, brand=brand, category=category, active=active)
        return await paginate(db_session, statement, page, product_out)

    @get("/{product_id:int}", operation_id="GetProduct", guards=READ)
    async def get_product(self, db_session: AsyncSession, current_user: AuthUser, product_id: int) -> ProductDetailOut:
        """The product with all its SKUs (a style has tens of variants, not thousands)."""
        detail = await products.get_product(db_session, product_id)
        return product_detail_out(detail.product, detail.skus, show_cost=skus.cost_visible(current_user))

    @patch("/{product_id:int}", operation_id="UpdateProduct", guards=WRITE)
    async def update_product(self, db_session: AsyncSession, product_id: int, data: ProductUpdate) -> ProductOut:
        return product_out(await products.update_product(db_session, product_id, data))

    @post("/{product_id:int}/deactivate", operation_id="DeactivateProduct", guards=WRITE, status_code=200)
    async def deactivate_product(self, db_session: AsyncSession, product_id: int) -> ProductOut:
        """Withdraw the product and all its SKUs; nothing is deleted and stock is untouched."""
        return product_out(await products.deactivate_product(db_session, product_id))


class SkuController(Controller):
    path = "/api/skus"
    tags = ["catalog"]  # noqa: RUF012

    @post("/", operation_id="CreateSku", guards=WRITE)
    async def create_sku(self, db_session: AsyncSession, current_user: AuthUser, data: SkuCreate) -> SkuOut:
        """Create a SKU under an active product; sending the cost or currency needs finance.read."""
        sku = await skus.create_sku(db_session, current_user, data)
        return sku_out(sku, show_cost=skus.cost_visible(current_user))

    @get("/", operation_id="ListSkus", guards=READ)
    async def list_skus(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        product_id: int | None = None,
        q: Search = None,
        active: bool | None = None,
        lot_controlled: bool | None = None,
        is_kit: bool | None = None,
        barcode: Annotated[str | None, Parameter(description="SKUs carrying this barcode, matched as a scan")] = None,
    ) -> Page[SkuOut]:
        statement = skus.sku_query(
            product_id=product_id, q=q, active=active, lot_controlled=lot_controlled, is_kit=is_kit, barcode=barcode
        )
        show_cost = skus.cost_visible(current_user)
        return await paginate(db_session, statement, page, lambda s: sku_out(s, show_cost=show_cost))

    @get("/{sku_id:int}", operation_id="GetSku", guards=READ)
    async def get_sku(self, db_session: AsyncSession, current_user: AuthUser, sku_id: int) -> SkuDetailOut:
        """The SKU with its barcodes and, for a kit, its components."""
        detail = await skus.get_sku(db_session, sku_id)
        return sku_detail_out(
            detail.sku,
            product_code=detail.product_code,
            barcodes=detail.barcodes,
            components=detail.components,
            show_cost=skus.cost_visible(current_user),
        )

    @patch("/{sku_id:int}", operation_id="UpdateSku", guards=WRITE)
    async def update_sku(
        self, db_session: AsyncSession, current_user: AuthUser, sku_id: int, data: SkuUpdate
    ) -> SkuOut:
        sku = await skus.update_sku(db_session, current_user, sku_id, data)
        return sku_out(sku, show_cost=skus.cost_visible(current_user))


class SkuBarcodeController(Controller):
    path = "/api/skus/{sku_id:int}/barcodes"
    tags = ["catalog"]  # noqa: RUF012

    @post("/", operation_id="AddBarcode", guards=WRITE)
    async def add_barcode(self, db_session: AsyncSession, sku_id: int, data: BarcodeCreate) -> BarcodeOut:
        """GTIN-shaped codes must pass the check digit and are stored as 14 digits; others as given."""
        return barcode_out(await barcodes.add_barcode(db_session, sku_id, data))

    @get("/", operation_id="ListSkuBarcodes", guards=READ)
    async def list_barcodes(self, db_session: AsyncSession, page: PageParams, sku_id: int) -> Page[BarcodeOut]:
        return await paginate(db_session, await barcodes.barcode_query(db_session, sku_id), page, barcode_out)

    @delete("/{barcode_id:int}", operation_id="RemoveBarcode", guards=WRITE)
    async def remove_barcode(self, db_session: AsyncSession, sku_id: int, barcode_id: int) -> None:
        await barcodes.remove_barcode(db_session, sku_id, barcode_id)


def _resolution_out(found: SkuMatch) -> BarcodeResolution:
    return BarcodeResolution(
        code=found.barcode,
        kind=found.barcode_kind,
        pack_qty=found.pack_qty,
        sku_id=found.sku_id,
        sku_code=found.sku_code,
        name_zh=found.name_zh,
        name_en=found.name_en,
        unit=found.unit,
        is_kit=found.is_kit,
        lot_controlled=found.lot_controlled,
        expiry_controlled=found.expiry_controlled,
        active=found.active,
    )


class BarcodeController(Controller):
    path = "/api/barcodes"
    tags = ["catalog"]  # noqa: RUF012

    @get("/{code:str}", operation_id="ResolveBarcode", guards=READ)
    async def resolve_barcode(self, db_session: AsyncSession, code: str) -> BarcodeResolution:
        """What a scan means: the SKU and the base units it counts (UPC-A and EAN-13 forms are equal)."""
        return _resolution_out(await barcodes.resolve(db_session, code))

    @get("/", operation_id="ResolveBarcodeByQuery", guards=READ)
    async def resolve_barcode_by_query(
        self,
        db_session: AsyncSession,
        code: Annotated[str, Parameter(min_length=1, max_length=256, description="the code exactly as scanned")],
    ) -> BarcodeResolution:
        """The same as ``/api/barcodes/{code}`` for codes a path cannot carry (``/``, as in QR payloads)."""
        return _resolution_out(await barcodes.resolve(db_session, code))


class KitController(Controller):
    path = "/api/skus/{sku_id:int}/components"
    tags = ["catalog"]  # noqa: RUF012

    @get("/", operation_id="GetKitComponents", guards=READ)
    async def get_components(self, db_session: AsyncSession, sku_id: int) -> KitOut:
        """The kit's bill of materials (empty for a SKU that is not a kit); small, so not paged."""
        return _kit_out(await kits.get_kit(db_session, sku_id))

    @put("/", operation_id="SetKitComponents", guards=WRITE)
    async def set_components(self, db_session: AsyncSession, sku_id: int, data: KitComponentsSet) -> KitOut:
        """Replace the kit's components with the list given."""
        return _kit_out(await kits.set_components(db_session, sku_id, data.components))


class SkuLotController(Controller):
    path = "/api/skus/{sku_id:int}/lots"
    tags = ["catalog"]  # noqa: RUF012

    @post("/", operation_id="CreateLot", guards=WRITE)
    async def create_lot(self, db_session: AsyncSession, sku_id: int, data: LotCreate) -> LotOut:
        return lot_out(await lots.create_lot(db_session, sku_id, data))

    @get("/", operation_id="ListLots", guards=READ)
    async def list_lots(
        self,
        db_session: AsyncSession,
        page: PageParams,
        sku_id: int,
        expiring_before: Annotated[date | None, Parameter(description="lots expiring before this day")] = None,
        lot_number: Annotated[str | None, Parameter(description="exact lot number")] = None,
    ) -> Page[LotOut]:
        """Soonest expiry first (FEFO order)."""
        statement = await lots.lot_query(db_session, sku_id, expiring_before=expiring_before, lot_number=lot_number)
        return await paginate(db_session, statement, page, lot_out)


class LotController(Controller):
    path = "/api/lots"
    tags = ["catalog"]  # noqa: RUF012

    @get("/{lot_id:int}", operation_id="GetLot", guards=READ)
    async def get_lot(self, db_session: AsyncSession, lot_id: int) -> LotOut:
        return lot_out(await lots.get_lot(db_session, lot_id))


CONTROLLERS: list[type] = [
    ProductController,
    SkuController,
    SkuBarcodeController,
    BarcodeController,
    KitController,
    SkuLotController,
    LotController,
]
